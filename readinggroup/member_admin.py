"""The organiser's side of the members' queue: invitations, members, suggestions (with the
one-step "schedule" and the rotation helper) and the group's settings."""

import logging
import smtplib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, send_mail
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from papers.models import Status
from papers.site.addresses import absolute_url, site_host
from readinggroup import queue
from readinggroup.ical import calendar_bytes
from readinggroup.members import GroupSettings, Invitation, Member, Suggestion, SuggestionState
from readinggroup.models import Presentation

logger = logging.getLogger(__name__)


@admin.register(GroupSettings)
class GroupSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "weekday", "start_time", "queue_is_public"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not GroupSettings.objects.exists()


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "note", "created_at", "expires_at", "state"]
    fields = ["email", "note", "expires_at"]

    @admin.display(description="state")
    def state(self, obj):
        if obj.used_at:
            return f"used {obj.used_at:%Y-%m-%d}"
        return "open" if obj.is_usable else "expired"

    def get_changeform_initial_data(self, request):
        invitation = Invitation()
        invitation.issue_token()  # for its default expiry only; the token is made on save
        return {"expires_at": invitation.expires_at}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token = obj.issue_token()
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        link = absolute_url(reverse("readinggroup:join", args=[token]))
        # The link exists only now: it is shown once (and mailed), never stored in clear.
        messages.warning(
            request,
            format_html("Invitation link (shown only now, copy it): <code>{}</code>", link),
        )
        if obj.email:
            mailed = _send(
                lambda: send_mail(
                    f"You are invited to the reading group of {site_host()}",
                    f"Join the reading group: {link}\n\nThe link works once, until "
                    f"{timezone.localtime(obj.expires_at):%d %B %Y}.",
                    None,
                    [obj.email],
                )
            )
            if not mailed:
                messages.error(request, "The mail could not be sent: send the link yourself.")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.used_at is None)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "username", "presenter", "joined_at"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user", "presenter"]
    autocomplete_fields = ["presenter"]
    readonly_fields = ["user", "joined_at"]
    fields = ["name", "links", "presenter", "user", "joined_at"]

    @admin.display(description="username", ordering="user__username")
    def username(self, obj):
        return obj.user.username

    def has_add_permission(self, request):
        return False  # members join through an invitation


class ScheduleForm(forms.Form):
    presenter = forms.ModelChoiceField(queryset=Member.objects.none(), required=False)
    scheduled_at = forms.DateTimeField(label="date and time")
    title = forms.CharField(max_length=300, required=False, help_text="Left empty: the paper's.")
    status = forms.ChoiceField(choices=Status.choices, initial=Status.PUBLISHED)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = Member.objects.active()
        self.fields["presenter"].choices = [("", "—")] + [
            (row.member.pk, _rotation_label(row)) for row in members
        ]


def _rotation_label(row):
    last = f"last turn {row.last_presented:%d %b %Y}" if row.last_presented else "never"
    return f"{row.member.name} ({last}{', volunteered' if row.volunteered else ''})"


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["paper", "state", "vote_count", "suggested_by", "created_at", "schedule_link"]
    list_filter = ["state"]
    list_select_related = ["paper", "suggested_by"]
    search_fields = ["paper__title", "reason"]
    readonly_fields = ["paper", "suggested_by", "vote_count", "presentation", "created_at"]
    fields = ["paper", "suggested_by", "reason", "state", "vote_count", "presentation"]

    def has_add_permission(self, request):
        return False  # members suggest on the site

    @admin.display(description="")
    def schedule_link(self, obj):
        if not obj.is_open:
            return ""
        url = reverse("admin:readinggroup_suggestion_schedule", args=[obj.pk])
        return format_html('<a href="{}">Schedule</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view(self.schedule_view)
        return [
            path("<int:pk>/schedule/", view, name="readinggroup_suggestion_schedule"),
            *super().get_urls(),
        ]

    def schedule_view(self, request, pk):
        """Turn the suggestion into a session: paper, presenter and next free slot prefilled."""
        if not (
            request.user.has_perm("readinggroup.add_presentation")
            and self.has_change_permission(request)
        ):
            raise PermissionDenied
        suggestion = Suggestion.objects.select_related("paper").filter(pk=pk).first()
        if suggestion is None:  # as the admin's own pages answer a deleted object
            messages.warning(request, f"Suggestion with ID “{pk}” doesn’t exist.")
            return redirect("admin:index")
        if suggestion.state != SuggestionState.OPEN:
            messages.error(request, "This suggestion is not open any more.")
            return redirect("admin:readinggroup_suggestion_changelist")
        members = queue.rotation(suggestion)
        initial = {
            "scheduled_at": timezone.localtime(queue.next_free_slot()).replace(tzinfo=None),
            "presenter": next((r.member.pk for r in members if r.volunteered), None),
        }
        form = ScheduleForm(request.POST or None, initial=initial, members=members)
        if request.method == "POST" and form.is_valid():
            try:
                presentation = queue.schedule(
                    suggestion.pk,
                    presenter_member=form.cleaned_data["presenter"],
                    scheduled_at=form.cleaned_data["scheduled_at"],
                    title=form.cleaned_data["title"],
                    status=form.cleaned_data["status"],
                )
            except queue.QueueError as error:
                form.add_error(None, str(error))
            except forms.ValidationError as error:
                form.add_error(None, error)
            else:
                if not _send_ics(presentation, form.cleaned_data["presenter"]):
                    messages.error(request, "The presenter's mail could not be sent.")
                messages.success(request, f"Scheduled as session {presentation.number}.")
                return redirect("admin:readinggroup_presentation_change", presentation.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Schedule “{suggestion.paper.title}”",
            "suggestion": suggestion,
            "form": form,
            "rotation": members,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/readinggroup/schedule.html", context)


def _send(sending):
    """Send a mail; False (logged) when the mail server fails: the page still answers."""
    try:
        sending()
    except (smtplib.SMTPException, OSError):
        logger.exception("Sending a reading-group mail failed")
        return False
    return True


def _send_ics(presentation, member):
    """The presenter gets the session's calendar file by mail (True: sent or no one to)."""
    if member is None or not member.user.email:
        return True
    message = EmailMessage(
        f"You present session {presentation.number}: {presentation.title}",
        f"Thank you for presenting. The session is on "
        f"{timezone.localtime(presentation.scheduled_at):%A %d %B %Y, %H:%M}. After it, add "
        f"your slides and the recording here: "
        f"{absolute_url(reverse('readinggroup:materials', args=[presentation.number]))}",
        to=[member.user.email],
    )
    message.attach(
        f"reading-group-{presentation.number}.ics",
        calendar_bytes(Presentation.objects.filter(pk=presentation.pk)),
        "text/calendar",
    )
    return _send(message.send)
