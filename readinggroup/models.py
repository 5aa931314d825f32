"""Reading-group sessions: numbered presentations of a paper, with slides and recording."""

import contextlib
import datetime
import html
import logging
import uuid
from functools import cached_property

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from markdownx.models import MarkdownxField

from papers.content.base import Content, ContentQuerySet, mentions_field, status_field
from papers.models import Paper, Status, unique_slug
from papers.site.images import RenditionImageField, rendition_name
from papers.site.markdown import render_markdown_with_mentions, validate_markdown
from papers.tagging import TaggedItem, tags_field
from readinggroup.pdf import JOB_CHECK_TIMEOUT_SECONDS, SlidesError, check_upload, checked_cover
from readinggroup.recordings import (
    normalize_recording_url,
    parse_recording_url,
    validate_recording_url,
)
from readinggroup.slides_queue import job_for, queue_slides_check

logger = logging.getLogger(__name__)

MAX_SESSION_NUMBER = 99_999


def slides_upload_to(instance, filename):
    # The stored name never comes from the upload: no traversal, no guessing draft slides.
    return f"readinggroup/slides/{uuid.uuid4().hex}.pdf"


def cover_upload_to(instance, filename):
    extension = "jpg" if filename.lower().endswith((".jpg", ".jpeg")) else "png"
    return f"readinggroup/covers/{uuid.uuid4().hex}.{extension}"


def validate_slides_upload(value):
    """New uploads get the cheap checks in the request (size, PDF header and end); the
    real check runs in a background job (readinggroup/slides.py) before anyone sees them."""
    if value and not getattr(value, "_committed", False):
        check_upload(value)


def validate_https(value):
    """Meeting links are opened by visitors: only https."""
    if value and not value.lower().startswith("https://"):
        raise ValidationError("Use an https:// link.", code="https")


class Presenter(models.Model):
    """Someone who presents; one row per person so their sessions stay linked."""

    name = models.CharField(max_length=200)
    url = models.URLField(
        "web page", max_length=500, blank=True, validators=[validate_https], help_text="Optional."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_presenter_name_ci",
                violation_error_message="A presenter with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name


class SlidesState(models.TextChoices):
    """Where uploaded slides are: checked slides are the only ones ever served."""

    NONE = "", "No slides"
    PENDING = "pending", "Being checked"
    READY = "ready", "Checked"
    REFUSED = "refused", "Refused"


class TaggedPresentation(TaggedItem):
    content_object = models.ForeignKey("Presentation", on_delete=models.CASCADE)

    class Meta:
        unique_together = [("content_object", "tag")]


# Newest first (a session always has its time); the number breaks ties.
NEWEST_FIRST = (models.F("scheduled_at").desc(), models.F("number").desc())


class PresentationQuerySet(ContentQuerySet):
    def published(self):
        """The one visibility rule: a session is public once its status is published."""
        return self.filter(status=Status.PUBLISHED)

    def upcoming(self, now=None):
        """Sessions that have not ended yet (one in progress still counts), soonest first."""
        return self.filter(ends_at__gt=now or timezone.now()).order_by("scheduled_at", "number")

    def past(self, now=None):
        """Sessions that have ended, newest first."""
        return self.filter(ends_at__lte=now or timezone.now()).newest_first()

    def going_ahead(self):
        """Sessions not called off: the next session, free slots and clashes look at these."""
        return self.filter(cancelled=False)

    def for_list(self):
        """Join the paper and prefetch presenters and tags: two extra queries per page."""
        return self.select_related("paper").prefetch_related("presenters", "tags")

    def for_cards(self):
        """The session's own columns a card shows, without its presenters and tags (read
        for the cards not kept, ``readinggroup/cards.py``) and the texts no card shows."""
        return self.defer("summary", "summary_html", "search_text", "search_vector")


class Presentation(Content):
    number = models.PositiveIntegerField(
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_NUMBER)],
        help_text="Sessions are numbered 1, 2, 3…; a new one gets the next free number.",
        error_messages={"unique": "There is already a session with this number."},
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Used in file names; left blank, it is made from the title.",
    )
    summary = MarkdownxField(
        blank=True, validators=[validate_markdown], help_text="Markdown with $math$."
    )
    summary_html = models.TextField(blank=True, editable=False)
    paper = models.ForeignKey(
        Paper,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presentations",
        help_text="The paper presented. A paper with sessions cannot be deleted.",
    )
    presenters = models.ManyToManyField(Presenter, blank=True, related_name="presentations")
    scheduled_at = models.DateTimeField(
        "date and time",
        db_index=True,
        help_text="When the session starts (in the site's time zone).",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    ends_at = models.DateTimeField(blank=True, editable=False, db_index=True)
    location = models.CharField(max_length=200, blank=True, help_text="Room or address.")
    meeting_url = models.URLField(
        "meeting link",
        max_length=500,
        blank=True,
        validators=[validate_https],
        help_text="Video-call link for people joining online (https).",
    )
    slides = models.FileField(
        upload_to=slides_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_slides_upload],
        help_text="PDF only, at most 30 MB. Stored under a random name.",
    )
    # Uploaded slides are stored at once and checked by a job (readinggroup/slides.py):
    # until it says READY they are not served and the page says they are being processed.
    slides_state = models.CharField(
        max_length=10, choices=SlidesState, default=SlidesState.NONE, blank=True, editable=False
    )
    slides_message = models.TextField(
        blank=True, editable=False, help_text="Why the last slides uploaded were refused."
    )
    cover = RenditionImageField(
        upload_to=cover_upload_to,
        max_length=200,
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        rendition_field="cover_webp",
        help_text="PNG or JPEG. Left empty, page 1 of the slides becomes the cover.",
    )
    # The cover's WebP rendition, which the pages show (papers.site.images).
    cover_webp = models.CharField(max_length=200, blank=True, editable=False)
    cover_width = models.PositiveIntegerField(null=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, editable=False)
    cover_is_generated = models.BooleanField(default=False, editable=False)
    recording_url = models.CharField(
        "recording",
        max_length=500,
        blank=True,
        validators=[validate_recording_url],
        help_text="YouTube or Vimeo link (embedded), or any other https:// link.",
    )
    tags = tags_field(TaggedPresentation)
    status = status_field("Only published sessions appear on the site, the calendar and the feed.")
    mentions = mentions_field(
        "mentioned_in_sessions", "Papers the summary links with [[wiki-links]]; filled in on save."
    )
    # A published session that is called off stays on the site and in the calendar, marked,
    # so that calendar applications that subscribed remove it (STATUS:CANCELLED) and the
    # link people were sent still explains what happened; the rotation counts it as the
    # presenter's turn (readinggroup/queue.py).
    cancelled = models.BooleanField(
        default=False,
        help_text="Called off: still listed, marked cancelled, removed from calendars; "
        "the date is free for another session.",
    )

    objects = PresentationQuerySet.as_manager()

    NEWEST_FIRST = NEWEST_FIRST
    SEARCH_TRIGRAMS = True  # papers.site.trigrams: its migration made the index

    class Meta(Content.Meta):
        ordering = ["-scheduled_at", "-number"]
        get_latest_by = "scheduled_at"
        indexes = [
            models.Index(fields=["status", "ends_at"], name="presentation_status_ends"),
            # PostgreSQL only (the migration skips them elsewhere): full text and pg_trgm.
            *Content.Meta.indexes,  # presentation_search_vector
            GinIndex(fields=["title"], name="presentation_title_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return f"Session {self.number}: {self.title}"

    @property
    def cover_alt(self):
        return f"Cover of the slides for session {self.number}"

    def save(self, *args, check_slides_now=False, **kwargs):
        """Save; new slides are checked by a job, or here with ``check_slides_now`` (the demo
        and the notes importer, which run outside a web request)."""
        self.summary_html, mentioned = render_markdown_with_mentions(self.summary)
        if not self.slug:
            self.slug = unique_slug(Presentation, self.title, self.pk, fallback="session")
        if self.scheduled_at is not None:
            self.ends_at = self.scheduled_at + datetime.timedelta(
                minutes=self.duration_minutes or 60
            )
        old_slides, old_cover = getattr(self, "_stored_files", (None, None))
        needs_check = self._update_slides(
            slides_changed=self.slides.name != old_slides,
            old_cover=old_cover,
            check_now=check_slides_now,
        )
        super().save(*args, **kwargs)
        self.__dict__.pop("recording", None)
        self._delete_replaced_files(old_slides, old_cover)
        self._stored_files = (self.slides.name or None, self.cover.name or None)
        if needs_check:
            queue_slides_check(self, user=getattr(self, "slides_uploaded_by", None))
        self.mentions.set(mentioned)
        self.update_search_index()

    # The page's URL name and the field that fills it (papers.site.addresses.page_path: a
    # list of rows resolves it once, not once per row).
    PAGE_URL = ("readinggroup:presentation_detail", "number")

    def get_absolute_url(self):
        return reverse(self.PAGE_URL[0], args=[getattr(self, self.PAGE_URL[1])])

    def refresh_wikilinks(self):
        """Render the summary again after a linked paper changed; dates stay as they are."""
        self.summary_html, mentioned = render_markdown_with_mentions(self.summary)
        Presentation.objects.filter(pk=self.pk).update(summary_html=self.summary_html)
        self.mentions.set(mentioned)

    # What search_parts() reads besides the row, prefetched by ``search.rebuild_documents``.
    SEARCH_PREFETCH = ("paper", "presenters", "tags")

    def search_parts(self):
        """The weighted text of the search document (three queries unless prefetched)."""
        paper = self.paper
        return {
            "A": [self.title],
            "B": [
                *((paper.alias, paper.title) if paper else ()),
                *(presenter.name for presenter in self.presenters.all()),
                *(tag.name for tag in self.tags.all()),
                f"Session {self.number}",
            ],  # fmt: skip
            "C": [html.unescape(strip_tags(self.summary_html))],
        }

    def clean(self):
        super().clean()
        self.title = " ".join(self.title.split())
        if self.recording_url:
            # An invalid link stays as typed; the field's validator has reported it.
            with contextlib.suppress(ValidationError):
                self.recording_url = normalize_recording_url(self.recording_url)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The names as stored, to tell on save() whether the files were replaced.
        row = dict(zip(field_names, values, strict=False))
        instance._stored_files = (row.get("slides"), row.get("cover"))
        return instance

    def clashes(self):
        """Other sessions whose time overlaps this one's (the organiser is warned)."""
        if self.scheduled_at is None or self.ends_at is None or self.cancelled:
            return Presentation.objects.none()
        return (
            Presentation.objects.going_ahead()
            .exclude(pk=self.pk)
            .filter(scheduled_at__lt=self.ends_at, ends_at__gt=self.scheduled_at)
            .order_by("scheduled_at")
        )

    @classmethod
    def next_number(cls):
        """The number a new session gets: one more than the highest so far."""
        highest = cls.objects.aggregate(highest=models.Max("number"))["highest"]
        return (highest or 0) + 1

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_upcoming(self):
        return self.ends_at is not None and self.ends_at > timezone.now()

    @cached_property
    def recording(self):
        """The parsed recording link, or ``None`` (also for a stored link no longer valid)."""
        if not self.recording_url:
            return None
        try:
            return parse_recording_url(self.recording_url)
        except ValidationError:  # a row saved before a rule changed must not break a page
            return None

    @property
    def slides_filename(self):
        return f"reading-group-{self.number}-{self.slug}.pdf"

    @property
    def slides_public(self):
        """Slides are served only once the job has checked them."""
        return bool(self.slides) and self.slides_state == SlidesState.READY

    @cached_property
    def slides_job(self):
        """The latest job that checked (or is checking) these slides, or None."""
        return job_for(self)

    @property
    def slides_pending(self):
        return bool(self.slides) and self.slides_state == SlidesState.PENDING

    def _update_slides(self, slides_changed, old_cover, check_now):
        """Note what the new slides need; True when a job must check them (after the save).

        A cover someone uploaded stays; a cover rendered from replaced slides goes, since
        it shows what is no longer there.
        """
        if not self.cover or self.cover.name != old_cover:
            # No cover, or one just uploaded (or assigned in code): it is not ours to replace.
            self.cover_is_generated = False
        if not self.slides:
            self.slides_state = SlidesState.NONE
            self._drop_generated_cover()
            return False
        if slides_changed:
            self._drop_generated_cover()
            self.slides_state, self.slides_message = SlidesState.PENDING, ""
        elif self.cover or self.slides_state != SlidesState.READY:
            return False  # checked already (or being checked): nothing new to do
        if not check_now:
            return True  # a new upload, or checked slides whose cover was removed
        self.slides.open("rb")
        try:
            data = self.slides.read()
        finally:
            if self.slides._committed:
                self.slides.close()
            else:  # an upload not stored yet: storage reads it again from the start
                self.slides.seek(0)
        try:
            # Not in a web request (the demo, an import): the job's wall clock.
            png = checked_cover(data, timeout=JOB_CHECK_TIMEOUT_SECONDS)
        except SlidesError as error:
            self.slides_state, self.slides_message = SlidesState.REFUSED, error.messages[0]
            if self.slides._committed:  # stored already: the file goes with the refusal
                stale = [(self.slides.storage, self.slides.name)]
                transaction.on_commit(lambda: _delete_files(stale))
            self.slides = None
            return False
        self.slides_state = SlidesState.READY
        if not self.cover:
            self.attach_generated_cover(png)
        return False

    def attach_generated_cover(self, png):
        """Store ``png`` (page 1 of the slides) as the cover, with its size (not saved)."""
        self.cover.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
        self._meta.get_field("cover").update_dimension_fields(self, force=True)
        self.cover_is_generated = True

    def _drop_generated_cover(self):
        if self.cover_is_generated:
            self.cover = None
            self.cover_is_generated = False

    def _delete_replaced_files(self, old_slides, old_cover):
        """Remove files this row no longer uses, once the transaction has committed."""
        storage_slides = self.slides.storage
        storage_cover = self.cover.storage
        stale = []
        if old_slides and old_slides != self.slides.name:
            stale.append((storage_slides, old_slides))
        if old_cover and old_cover != self.cover.name:
            stale.append((storage_cover, old_cover))
            stale.append((storage_cover, rendition_name(old_cover)))  # if it has one
        if stale:
            transaction.on_commit(lambda: _delete_files(stale))

    def delete(self, *args, **kwargs):
        files = [(field.storage, field.name) for field in (self.slides, self.cover) if field.name]
        if self.cover_webp:
            files.append((self.cover.storage, self.cover_webp))
        result = super().delete(*args, **kwargs)
        if files:
            transaction.on_commit(lambda: _delete_files(files))
        return result


def _delete_files(files):
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete the replaced file %s", name)


# The member side of the group (members, invitations, suggestions, votes) in its own module.
from readinggroup.members import (  # noqa: E402, F401
    GroupSettings,
    Invitation,
    Member,
    Suggestion,
    SuggestionState,
    Volunteer,
    Vote,
)
