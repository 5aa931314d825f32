"""Read-only JSON API of published reports (mounted by config/api.py)."""

from datetime import datetime

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from blog.cards import REPORT_ROWS
from blog.filters import ReportFilter
from blog.models import Kind, Report
from papers.api import PaperRefOut
from papers.models import SEARCH_FIELDS
from papers.site import search
from papers.site.api import (
    LIST_ERRORS,
    LOOKUP_ERRORS,
    TAGS,
    ContentOut,
    TagSlug,
    Text,
    Year,
    paginate_kept,
)
from papers.site.prefetch import as_lists

router = Router(tags=["reports"])


class ReportOut(ContentOut):
    slug: str
    title: str
    kind: str = Field(..., description="paper-report, book-report, paper-of-the-week or article.")
    label: str = Field(..., description="“Paper report 10”.")
    number: int | None
    teaser_html: str
    work_in_progress: bool
    published_at: datetime
    updated_at: datetime


class ReportDetailOut(ReportOut):
    body_html: str
    series: str | None
    part: int | None
    papers: list[PaperRefOut] = Field(..., description="Published papers the report is about.")

    @staticmethod
    def resolve_series(report):
        return report.series.title if report.series_id else None

    @staticmethod
    def resolve_papers(report):
        return list(report.linked_papers())


class ReportQuery(Schema):
    tag: list[TagSlug] = TAGS
    year: Year | None = Field(None, description="Year of publication.")
    kind: Kind | None = None
    q: Text | None = Field(None, max_length=200, description="Words in the title, tags or text.")


def filtered_reports(filters):
    """Published reports matching ``filters``, newest first; 422 for a bad filter."""
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True, exclude={"q"}).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    filterset = ReportFilter(data, queryset=Report.objects.published())
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    reports = filterset.qs
    if filters.q:
        if len(filters.q) > search.MAX_QUERY_LENGTH:
            raise HttpError(422, f"q: at most {search.MAX_QUERY_LENGTH} characters.")
        reports = search.search(reports, search.parse_query(filters.q))
    # for_list()'s relations, the tags into lists (papers.site.prefetch), without the long
    # texts no row of the list shows: 100 rows a page.
    return (
        reports.select_related("series")
        .defer("teaser", "body", "body_html", "toc", *SEARCH_FIELDS)
        .prefetch_related(*as_lists("tags"))
        .newest_first()
    )


@router.get(
    "/reports", response={200: list[ReportOut], **LIST_ERRORS}, summary="List and filter reports"
)
# A row shows the report's row and its tags, as its card does: kept under the cards
# version (a tag renamed) and dropped with the card (a tag added or removed:
# blog/cards.py). ``teaser_html`` is rewritten without a save (``refresh_wikilinks``).
@paginate_kept(REPORT_ROWS, ReportOut, stamp=("updated_at", "teaser_html"))
def list_reports(request, filters: Query[ReportQuery]):
    """Published reports, newest first (stable), ``limit`` at most 100 per page."""
    return filtered_reports(filters)


@router.get(
    "/reports/{slug}", response={200: ReportDetailOut, **LOOKUP_ERRORS}, summary="A report by slug"
)
def report_by_slug(request, slug: Path[Text]):
    return get_object_or_404(Report.objects.published().for_list(), slug=slug)
