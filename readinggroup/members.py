"""Members of the reading group, their invitations, suggestions, votes and volunteers.

A member is an ordinary, non-staff user with a ``Member`` row: no admin access, only the
member pages (readinggroup/member_views.py). Their presented sessions hang off their
``Presenter`` row, which outlives the account, so a deleted member's sessions keep the
name as text.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from papers.models import Paper
from papers.site.markdown import render_markdown, validate_markdown

INVITATION_DAYS = 14
MAX_LINKS = 3


def _token_digest(token):
    # Only the digest is stored: a copy of the database holds no usable invitation link.
    return hashlib.sha256(token.encode()).hexdigest()


class GroupSettings(models.Model):
    """The group's weekly slot and whether the queue is public (one row, edited in the admin)."""

    WEEKDAYS = [(i, name) for i, name in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    )]  # fmt: skip

    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=3)
    start_time = models.TimeField(
        default=datetime.time(18, 0), help_text="In the site's time zone."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    location = models.CharField(max_length=200, blank=True, help_text="Room, prefilled.")
    queue_is_public = models.BooleanField(
        "queue is public",
        default=False,
        help_text="Off: only members see the queue of suggestions. On: anyone may read it "
        "(suggestions of unpublished papers still show no details to visitors).",
    )

    class Meta:
        verbose_name = verbose_name_plural = "group settings"

    def __str__(self):
        return "Reading-group settings"

    CACHE_KEY = "readinggroup:group-settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # one row: the admin edits it, current() reads it
        super().save(*args, **kwargs)
        # Now, and again once committed: a reader in between may have cached the old row.
        cache.delete(self.CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(self.CACHE_KEY))

    @classmethod
    def current(cls):
        """The one row; the defaults (not saved) until the organiser saves settings.

        Read on every queue page and changed a few times a year: cached until a save.
        """
        row = cache.get(cls.CACHE_KEY)
        if row is None:
            row = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(cls.CACHE_KEY, row, timeout=24 * 60 * 60)
        return row


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)


class Member(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member"
    )
    name = models.CharField(max_length=200, help_text="Shown to other members and on sessions.")
    links = models.TextField(
        blank=True,
        help_text=f"Up to {MAX_LINKS} https:// links (web page, Scholar, GitHub), one a line.",
    )
    presenter = models.OneToOneField(
        "readinggroup.Presenter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        help_text="The presenter row their sessions are listed under; it stays if they leave.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("readinggroup:member_detail", args=[self.pk])

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    def _presenter_model(self):
        # Presenter is in readinggroup.models, which imports this module (to register its
        # models): asking the field keeps the imports one way.
        return self._meta.get_field("presenter").related_model

    def ensure_presenter(self):
        """The Presenter row for this member, created (or reused by name) when first needed."""
        Presenter = self._presenter_model()
        if self.presenter_id is None:
            presenter = Presenter.objects.filter(name__iexact=self.name).first()
            if presenter is None or hasattr(presenter, "member"):
                presenter = Presenter.objects.create(name=self._free_presenter_name())
            self.presenter = presenter
            self.save(update_fields=["presenter"])
        return self.presenter

    def _free_presenter_name(self):
        Presenter = self._presenter_model()
        name, n = self.name, 1
        while Presenter.objects.filter(name__iexact=name).exists():
            n += 1
            name = f"{self.name} ({n})"
        return name


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A single-use link that lets one person sign up as a member until it expires."""

    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(blank=True, help_text="Optional: the link is also sent there.")
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for (organisers only)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    used_by = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation {self.pk} ({self.email or self.note or 'link'})"

    def issue_token(self):
        """A new secret for this invitation (before its first save); returns the token."""
        token = secrets.token_urlsafe(32)
        self.token_digest = _token_digest(token)
        if not self.expires_at:
            self.expires_at = timezone.now() + datetime.timedelta(days=INVITATION_DAYS)
        return token

    @classmethod
    def for_token(cls, token):
        """The invitation a link's token names, or None (a forged token names none)."""
        if not token or len(token) > 100:
            return None
        return cls.objects.filter(token_digest=_token_digest(token)).first()

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > timezone.now()


class SuggestionState(models.TextChoices):
    OPEN = "open", "Open"
    SCHEDULED = "scheduled", "Scheduled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=SuggestionState.OPEN)


class Suggestion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="suggestions")
    suggested_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    reason = models.TextField(
        "why",
        max_length=1000,
        validators=[validate_markdown],
        help_text="A sentence on why the group should read it (Markdown).",
    )
    reason_html = models.TextField(blank=True, editable=False)
    state = models.CharField(
        max_length=10, choices=SuggestionState, default=SuggestionState.OPEN, db_index=True
    )
    presentation = models.OneToOneField(
        "readinggroup.Presentation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept in step by readinggroup/queue.py: the queue ranks 1,000 suggestions by it
    # without counting votes per row.
    vote_count = models.PositiveIntegerField(default=0, editable=False)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_count", "created_at"]
        constraints = [
            # One open suggestion per paper: a second suggests the same paper is a vote.
            models.UniqueConstraint(
                fields=["paper"],
                condition=Q(state="open"),
                name="one_open_suggestion_per_paper",
                violation_error_message="This paper is already in the queue.",
            )
        ]
        indexes = [
            models.Index(fields=["state", "-vote_count", "created_at"], name="suggestion_rank"),
        ]

    def __str__(self):
        return f"Suggestion {self.pk}: {self.paper}"

    def save(self, *args, **kwargs):
        self.reason_html = render_markdown(self.reason)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.state == SuggestionState.OPEN


class Vote(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "member"], name="one_vote_per_member")
        ]

    def __str__(self):
        return f"Vote of member {self.member_id} for suggestion {self.suggestion_id}"


class Volunteer(models.Model):
    """A member offering to present a suggested paper ("I'll present")."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="volunteers")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="volunteering")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "member"], name="one_volunteer_per_member"
            )
        ]

    def __str__(self):
        return f"Member {self.member_id} volunteers for suggestion {self.suggestion_id}"
