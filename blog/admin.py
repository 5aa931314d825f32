"""Admin for reports: the markdownx editor with live preview, image drop, filters."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from markdownx.admin import MarkdownxModelAdmin

from blog.forms import ReportAdminForm
from blog.models import Report, ReportPaper, Series
from papers.admin import TagListFilter
from papers.models import Paper, Status
from papers.publishing import DraftPapersAdminMixin
from papers.refresh import SavesWrittenAtEndAdminMixin
from papers.site.locking import EditVersionAdminMixin


class ReportPaperInline(admin.TabularInline):
    model = ReportPaper
    extra = 1
    autocomplete_fields = ["paper"]
    fields = ["position", "paper"]


class YearListFilter(admin.SimpleListFilter):
    title = "year published"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Report.objects.dates("published_at", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(published_at__year=int(value))
        return queryset


@admin.register(Report)
class ReportAdmin(
    SavesWrittenAtEndAdminMixin,
    DraftPapersAdminMixin,
    EditVersionAdminMixin,
    MarkdownxModelAdmin,
):
    form = ReportAdminForm
    list_display = ["title", "label", "status", "work_in_progress", "published_at", "tag_list"]
    list_filter = ["kind", "status", TagListFilter, YearListFilter, "work_in_progress"]
    search_fields = ["title", "teaser", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["series"]
    inlines = [ReportPaperInline]
    actions = ["publish_now", "publish_draft_papers"]
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    ("kind", "number"),
                    ("status", "published_at"),
                    "work_in_progress",
                    "tags",
                    "publish_draft_papers",
                ]
            },
        ),
        ("Series", {"fields": [("series", "part")], "classes": ["collapse"]}),
        ("Cover and teaser", {"fields": ["cover", "cover_alt", "teaser"]}),
        ("Text", {"fields": ["body"]}),
        ("Address", {"fields": ["slug"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["css/pygments.css", "blog/admin/editor.css"]}
        js = ["blog/admin/editor.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def linked_papers_of(self, report):
        return Paper.objects.filter(report_links__report=report)

    @admin.display(description="kind", ordering="kind")
    def label(self, report):
        return report.label

    @admin.display(description="tags")
    def tag_list(self, report):
        return ", ".join(tag.name for tag in report.tags.all())

    @admin.action(description="Publish the selected reports now")
    def publish_now(self, request, queryset):
        count = 0
        for report in queryset.exclude(status=Status.PUBLISHED):
            report.status = Status.PUBLISHED
            report.published_at = report.published_at or timezone.now()
            report.editor = request.user  # named if an open form of it is refused
            report.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, f"{count} report(s) published.", messages.SUCCESS)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "part_count"]
    search_fields = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_parts=Count("reports"))

    @admin.display(description="parts", ordering="n_parts")
    def part_count(self, series):
        return series.n_parts
