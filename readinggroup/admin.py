"""Admin for the reading group: the organiser schedules sessions and adds slides here."""

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from markdownx.admin import MarkdownxModelAdmin

from papers import identity, pending
from papers.models import Paper
from papers.publishing import DraftPapersAdminMixin
from papers.refresh import SavesWrittenAtEndAdminMixin
from papers.site.locking import EditVersionAdminMixin
from readinggroup.forms import PresentationAdminForm
from readinggroup.models import Presentation, Presenter, SlidesState


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Presentation.objects.annotate(year=ExtractYear("scheduled_at"))
            .values_list("year", flat=True)
            .order_by("-year")
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.filter(scheduled_at__year=int(value))
        return queryset


class _HasFilter(admin.SimpleListFilter):
    """Yes/no filter on whether a text or file field is filled in."""

    field = ""

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(**{self.field: ""})
        if self.value() == "no":
            return queryset.filter(**{self.field: ""})
        return queryset


class HasSlidesFilter(_HasFilter):
    title = "has slides"
    parameter_name = "has_slides"
    field = "slides"


class HasRecordingFilter(_HasFilter):
    title = "has recording"
    parameter_name = "has_recording"
    field = "recording_url"


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past")]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.upcoming()
        if self.value() == "past":
            return queryset.past()
        return queryset


def _rendered(response):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


@admin.register(Presentation)
class PresentationAdmin(
    SavesWrittenAtEndAdminMixin,
    DraftPapersAdminMixin,
    EditVersionAdminMixin,
    MarkdownxModelAdmin,
):
    form = PresentationAdminForm
    list_display = [
        "number",
        "scheduled_at",
        "title",
        "paper_name",
        "presenter_names",
        "has_slides",
        "has_recording",
        "status",
        "cancelled",
    ]
    list_display_links = ["number", "title"]
    list_filter = [
        "status",
        "cancelled",
        YearFilter,
        HasSlidesFilter,
        HasRecordingFilter,
        WhenFilter,
    ]
    search_fields = ["title", "paper__title", "paper__alias", "presenters__name"]
    autocomplete_fields = ["paper", "presenters"]
    readonly_fields = ["slides_check", "cover_preview"]
    date_hierarchy = "scheduled_at"
    ordering = ["-number"]
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "title",
                    ("status", "cancelled"),
                    "paper",
                    "publish_draft_papers",
                    "presenters",
                    "tags",
                ]
            },
        ),  # fmt: skip
        (
            "When and where",
            {"fields": [("scheduled_at", "duration_minutes"), "location", "meeting_url"]},
        ),
        ("Summary", {"fields": ["summary"]}),
        (
            "Slides and recording",
            {
                "fields": [
                    "slides",
                    "slides_check",
                    "pending_slides",
                    "cover",
                    "cover_preview",
                    "recording_url",
                ]
            },
        ),
        ("Address", {"fields": ["slug"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("paper").prefetch_related("presenters")

    actions = ["publish_draft_papers"]

    def linked_papers_of(self, presentation):
        return Paper.objects.filter(presentations=presentation)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("number", Presentation.next_number())
        return initial

    @admin.display(description="paper", ordering="paper__title")
    def paper_name(self, presentation):
        paper = presentation.paper
        return (paper.alias or Truncator(paper.title).chars(50)) if paper else "—"

    @admin.display(description="presenter")
    def presenter_names(self, presentation):
        return ", ".join(presenter.name for presenter in presentation.presenters.all())

    @admin.display(description="slides", boolean=True)
    def has_slides(self, presentation):
        return bool(presentation.slides)

    @admin.display(description="recording", boolean=True)
    def has_recording(self, presentation):
        return bool(presentation.recording_url)

    @admin.display(description="slides check")
    def slides_check(self, presentation):
        """Where the slides are: being checked (with the job), checked, or refused and why."""
        job = presentation.slides_job
        job_link = (
            format_html(
                ' (<a href="{}">job: {}</a>)', job.get_absolute_url(), job.get_state_display()
            )
            if job
            else ""
        )
        if presentation.slides_state == SlidesState.PENDING:
            return format_html(
                "Being checked; they are shown on the site, with their cover, when done.{}",
                job_link,
            )
        if presentation.slides_state == SlidesState.REFUSED:
            return format_html(
                '<strong class="errornote">The slides uploaded last were refused and deleted: '
                "{}</strong>{}",
                presentation.slides_message,
                job_link,
            )
        if presentation.slides_state == SlidesState.READY:
            return format_html("Checked: shown on the site.{}", job_link)
        return "No slides."

    @admin.display(description="cover preview")
    def cover_preview(self, presentation):
        if not presentation.cover:
            if presentation.slides_pending:
                return "Page 1 of the slides becomes the cover once they are checked."
            return "No cover yet: upload one, or upload slides and page 1 becomes the cover."
        origin = (
            "rendered from page 1 of the slides" if presentation.cover_is_generated else "uploaded"
        )
        return format_html(
            '<img src="{}" alt="Cover of session {}" class="cover-preview" width="360">'
            "<br><small>{}</small>",
            presentation.cover.url,
            presentation.number,
            origin,
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # "youtu.be/…" means https
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "scheduled_at" and formfield is not None:
            formfield.help_text = (
                f"When the session starts, in {timezone.get_current_timezone_name()} time "
                "(the reading group's time zone, in the site settings)."
            )
        return formfield

    # Times are typed and shown in the group's time zone (site settings) and stored in UTC:
    # Django's datetime fields read and write them in the active time zone.
    # The page is rendered inside the override too: a TemplateResponse renders later.
    def changeform_view(self, request, *args, **kwargs):
        with timezone.override(identity.current(request).zone):
            return _rendered(super().changeform_view(request, *args, **kwargs))

    def changelist_view(self, request, *args, **kwargs):
        with timezone.override(identity.current(request).zone):
            return _rendered(super().changelist_view(request, *args, **kwargs))

    def save_model(self, request, obj, form, change):
        obj.slides_uploaded_by = request.user  # the check's job is theirs (papers/jobs)
        super().save_model(request, obj, form, change)
        token = form.kept_slides_token()
        new_slides = "slides" in form.changed_data or token
        if new_slides and obj.slides_pending and obj.slides_job:
            self.message_user(
                request,
                format_html(
                    'Slides queued for checking; the cover appears when done (<a href="{}">'
                    "follow the job</a>).",
                    obj.slides_job.get_absolute_url(),
                ),
                messages.INFO,
            )
        if token:  # the kept upload is now the session's own file
            transaction.on_commit(lambda: pending.discard(token, "pdf"))
        clashes = list(obj.clashes())
        if clashes:
            messages.warning(
                request,
                format_html(
                    "Saved, but it overlaps {}: check the time.",
                    format_html_join(
                        ", ",
                        '<a href="{}">session {} ({})</a>',
                        (
                            (
                                reverse("admin:readinggroup_presentation_change", args=[s.pk]),
                                s.number,
                                timezone.localtime(s.scheduled_at).strftime("%Y-%m-%d %H:%M"),
                            )
                            for s in clashes
                        ),
                    ),
                ),
            )


@admin.register(Presenter)
class PresenterAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Members, invitations, suggestions and the group's settings (registers their admins).
from readinggroup import member_admin  # noqa: E402, F401
