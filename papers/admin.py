"""Admin for the paper database: the author's main editing surface."""

from django.contrib import admin
from django.db.models import Count
from markdownx.admin import MarkdownxModelAdmin
from taggit.models import Tag as TaggitTag

from papers.forms import FigureForm, PaperAdminForm
from papers.intake.admin import IntakeAdminMixin
from papers.jobs import admin as job_admin  # noqa: F401 - registers the Job admin
from papers.locking import EditVersionAdminMixin
from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag


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
    """Filter by one of the 50 most used tags (a list of every tag would be unusable)."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = Tag.objects.annotate(n=Count("papers_taggedpaper_items")).order_by("-n", "name")
        return [(tag.slug, f"{tag.name} ({tag.n})") for tag in tags[:50]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


@admin.register(Paper)
class PaperAdmin(EditVersionAdminMixin, IntakeAdminMixin, MarkdownxModelAdmin):
    form = PaperAdminForm
    list_display = ["title", "alias", "year", "venue", "tag_list", "status"]
    list_filter = ["status", "year", TagListFilter]
    list_editable = ["status"]
    search_fields = ["title", "alias", "authors__name", "arxiv_id", "doi"]
    autocomplete_fields = ["related"]
    inlines = [AuthorshipInline, PaperLinkInline, FigureInline]
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "alias", "status", "tags"]}),
        ("Date and venue", {"fields": [("year", "month"), "venue", "affiliations"]}),
        ("Identifiers and links", {"fields": ["arxiv_id", "doi", "url", "pdf_url", "slug"]}),
        ("Text", {"fields": ["abstract", "notes"]}),
        ("Previous work", {"fields": ["related"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, paper):
        return ", ".join(tag.name for tag in paper.tags.all())


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "paper_count"]
    search_fields = ["name"]

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
    list_display = ["name", "slug"]
    search_fields = ["name"]
    readonly_fields = ["slug"]


# taggit's own Tag model is unused (papers.Tag replaces it); hide its empty admin page.
admin.site.unregister(TaggitTag)
