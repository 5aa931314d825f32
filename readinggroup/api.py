"""Read-only JSON API of published reading-group sessions (mounted by config/api.py)."""

from datetime import datetime

from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from papers.api import PaperRefOut
from papers.models import LONG_TEXT_FIELDS, SEARCH_FIELDS
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
from papers.site.prefetch import as_lists, listed
from papers.tagging import MAX_TAG_FILTERS, with_tags
from readinggroup.cards import SESSION_ROW_STAMP, SESSION_ROWS
from readinggroup.models import MAX_SESSION_NUMBER, Presentation

router = Router(tags=["reading group"])

UNLISTED = (
    *("summary", "summary_html", *SEARCH_FIELDS),
    *(f"paper__{name}" for name in (*LONG_TEXT_FIELDS, *SEARCH_FIELDS)),
)


class SessionOut(ContentOut):
    number: int
    title: str
    scheduled_at: datetime
    ends_at: datetime
    location: str
    presenters: list[str]
    paper: PaperRefOut | None = Field(..., description="The paper presented, when published.")
    has_slides: bool
    recording_url: str

    @staticmethod
    def resolve_presenters(session):
        return [presenter.name for presenter in listed(session, "presenters")]

    @staticmethod
    def resolve_paper(session):
        paper = session.paper
        return paper if paper is not None and paper.is_published else None

    @staticmethod
    def resolve_has_slides(session):
        return session.slides_public


class SessionDetailOut(SessionOut):
    summary_html: str


class SessionQuery(Schema):
    tag: list[TagSlug] = TAGS
    year: Year | None = Field(None, description="Year the session took place.")
    upcoming: bool | None = Field(None, description="true: not ended yet; false: past only.")
    q: Text | None = Field(
        None, max_length=200, description="Words in the title, paper, presenters or summary."
    )


@router.get(
    "/sessions",
    response={200: list[SessionOut], **LIST_ERRORS},
    summary="List and filter sessions",
)
# A row shows the session's row, its tags and presenters, as its card does: kept under
# the cards version (a tag renamed) and dropped with the card (a tag or presenter linked
# or unlinked, a presenter renamed: readinggroup/cards.py). Its paper (title, address,
# alias, year, status) by the paper's ``updated_at``; the slides (``has_slides``) are
# written without a save (readinggroup/slides.py).
@paginate_kept(SESSION_ROWS, SessionOut, stamp=SESSION_ROW_STAMP)
def list_sessions(request, filters: Query[SessionQuery]):
    """Published sessions, newest first (stable), ``limit`` at most 100 per page."""
    sessions = Presentation.objects.published()
    tags = [slug for slug in filters.tag if slug.strip()]
    if len(tags) > MAX_TAG_FILTERS or any(len(slug) > 100 for slug in tags):
        raise HttpError(422, f"tag: at most {MAX_TAG_FILTERS} tags of at most 100 characters.")
    sessions = with_tags(sessions, tags)
    if filters.year is not None:
        sessions = sessions.annotate(year=ExtractYear("scheduled_at")).filter(year=filters.year)
    if filters.upcoming is not None:
        now = timezone.now()
        sessions = sessions.upcoming(now) if filters.upcoming else sessions.past(now)
    if filters.q:
        if len(filters.q) > search.MAX_QUERY_LENGTH:
            raise HttpError(422, f"q: at most {search.MAX_QUERY_LENGTH} characters.")
        sessions = search.search(sessions, search.parse_query(filters.q))
    # for_list()'s relations, the many-to-many ones into lists (papers.site.prefetch),
    # without the long texts no row of the list shows (the session's and its paper's).
    return (
        sessions.select_related("paper")
        .defer(*UNLISTED)
        .prefetch_related(*as_lists("presenters", "tags"))
        .newest_first()
    )


@router.get(
    "/sessions/{number}",
    response={200: SessionDetailOut, **LOOKUP_ERRORS},
    summary="A session by number",
)
def session_by_number(request, number: Path[int]):
    if not 1 <= number <= MAX_SESSION_NUMBER:  # beyond any session; PostgreSQL ints overflow
        raise HttpError(404, "No session has this number.")
    return get_object_or_404(Presentation.objects.published().for_list(), number=number)
