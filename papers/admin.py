"""Admin for the paper database: the author's main editing surface."""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from markdownx.admin import MarkdownxModelAdmin
from taggit.models import Tag as TaggitTag

from papers import (
    identity_admin,  # noqa: F401 - registers the site settings page
)
from papers.export_admin import ExportAdminMixin
from papers.forms import AuthorAdminForm, FigureForm, MergeForm, PaperAdminForm, TagAdminForm
from papers.intake.admin import IntakeAdminMixin
from papers.jobs import admin as job_admin  # noqa: F401 - registers the Job admin
from papers.jobs.models import Job
from papers.merge_jobs import merge_or_queue
from papers.merging import MergeError, merge_authors
from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag, Topic, Venue
from papers.refresh import SavesWrittenAtEndAdminMixin
from papers.site.locking import EditVersionAdminMixin
from papers.tagging import tags_most_used, with_tags


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["position", "author"]
    verbose_name = "author"
    verbose_name_plural = "authors (in byline order: lowest position first)"


class PaperLinkInline(admin.TabularInline):
    model = PaperLink
    extra = 0
    fields = ["position", "kind", "label", "url"]


class FigureInline(admin.StackedInline):
    model = Figure
    form = FigureForm
    extra = 0


class TagListFilter(admin.SimpleListFilter):
    """Filter by one of the 50 tags the model's rows use most (a list of every tag would be
    unusable); the reports' and sessions' admins use it too."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [
            (tag.slug, f"{tag.name} ({tag.count})")
            for tag in tags_most_used(model_admin.model.objects.all(), 50)
        ]

    def queryset(self, request, queryset):
        # A NUL typed into the address would be a database error on PostgreSQL.
        if self.value() and "\x00" not in self.value():
            return with_tags(queryset, [self.value()])
        return queryset


@admin.register(Paper)
class PaperAdmin(
    SavesWrittenAtEndAdminMixin,
    EditVersionAdminMixin,
    IntakeAdminMixin,
    ExportAdminMixin,
    MarkdownxModelAdmin,
):
    form = PaperAdminForm
    list_display = ["title", "alias", "year", "published_in", "tag_list", "status"]
    list_select_related = ["published_in"]
    list_filter = ["status", "year", TagListFilter]
    list_editable = ["status"]
    search_fields = ["title", "alias", "authors__name", "arxiv_id", "doi"]
    autocomplete_fields = ["related", "published_in"]
    inlines = [AuthorshipInline, PaperLinkInline, FigureInline]
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "alias", "status", "tags", "confirm_duplicate"]}),
        (
            "Date and venue",
            {"fields": [("year", "month"), ("venue", "published_in"), "affiliations"]},
        ),
        ("Identifiers and links", {"fields": ["arxiv_id", "doi", "url", "pdf_url", "slug"]}),
        ("Text", {"fields": ["abstract", "notes"]}),
        ("Previous work", {"fields": ["related"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, paper):
        return ", ".join(tag.name for tag in paper.tags.all())


def merge_view(modeladmin, request, queryset, merge):
    """The intermediate page of a merge action: pick the row that stays, then merge.

    ``merge(target, others)`` does the work, or returns the job it queued for a large
    merge (its page follows it); a ``MergeError`` is shown, never a 500.
    """
    if queryset.count() < 2:
        modeladmin.message_user(request, "Select at least two to merge.", messages.WARNING)
        return None
    form = MergeForm(
        request.POST if "target" in request.POST else None, queryset=queryset.order_by("pk")
    )
    if form.is_valid():
        target = form.cleaned_data["target"]
        others = [obj for obj in queryset if obj.pk != target.pk]
        try:
            job = merge(target, others)
        except MergeError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        names = ", ".join(f"“{obj}”" for obj in others)
        if isinstance(job, Job):
            modeladmin.message_user(
                request, f"Merging {names} into “{target}”: a job does it.", messages.INFO
            )
            return HttpResponseRedirect(job.get_absolute_url())
        modeladmin.message_user(request, f"Merged {names} into “{target}”.", messages.SUCCESS)
        opts = modeladmin.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge {modeladmin.model._meta.verbose_name_plural}",
        "opts": modeladmin.model._meta,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/papers/merge.html", context)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "affiliation", "paper_count"]
    search_fields = ["name"]
    actions = ["merge_action"]
    fieldsets = [
        (None, {"fields": ["name", "confirm_new", "affiliation"]}),
        ("Links", {"fields": ["homepage", "google_scholar", "orcid", "semantic_scholar"]}),
    ]

    class Media:
        js = ["papers/admin/use_existing_author.js"]

    @admin.action(description="Merge the selected authors into one")
    def merge_action(self, request, queryset):
        return merge_view(self, request, queryset, merge_authors)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class per request
        form.in_popup = IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET
        return form

    def get_queryset(self, request):
        # Meta.ordering is dropped from grouped queries; the autocomplete pages need one.
        return (
            super().get_queryset(request).annotate(n_papers=Count("authorships")).order_by("name")
        )

    @admin.display(description="papers", ordering="n_papers")
    def paper_count(self, author):
        return author.n_papers


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug"]
    search_fields = ["name"]
    readonly_fields = ["slug"]
    fields = ["name", "merge_into_existing", "slug", "description"]
    actions = ["merge_action"]

    @admin.action(description="Merge the selected tags into one")
    def merge_action(self, request, queryset):
        def merge(target, others):
            return merge_or_queue(others, target, request.user)

        return merge_view(self, request, queryset, merge)

    def save_model(self, request, obj, form, change):
        other = form.existing_tag() if change else None
        if other is None:
            super().save_model(request, obj, form, change)
            return
        # Renamed onto another tag's name, with the merge ticked (TagAdminForm.clean).
        obj.merged_into = other
        obj.merge_job = merge_or_queue([Tag.objects.get(pk=obj.pk)], other, request.user)

    def response_change(self, request, obj):
        target = getattr(obj, "merged_into", None)
        if target is None:
            return super().response_change(request, obj)
        if obj.merge_job is not None:
            self.message_user(request, f"Merging into “{target}”: a job does it.", messages.INFO)
            return HttpResponseRedirect(obj.merge_job.get_absolute_url())
        self.message_user(request, f"Merged into “{target}”.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:papers_tag_change", args=[target.pk]))


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "kind", "paper_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    readonly_fields = ["slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_papers=Count("papers")).order_by("name")

    @admin.display(description="papers", ordering="n_papers")
    def paper_count(self, venue):
        return venue.n_papers


# taggit's own Tag model is unused (papers.Tag replaces it); hide its empty admin page.
admin.site.unregister(TaggitTag)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The reading list's sections (/topics/): which tags, in which order."""

    list_display = ["tag", "position"]
    list_editable = ["position"]
    autocomplete_fields = ["tag"]
    fields = ["tag", "position", "description"]
