"""Read-only JSON API of the paper database (mounted by config/api.py)."""

from typing import Annotated, Any, Literal

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import StringConstraints

from papers.filters import MAX_TAG_FILTERS, PaperFilter
from papers.identifiers import ARXIV_ID_PATTERN, DOI_PATTERN, normalize_arxiv_id, normalize_doi
from papers.models import Paper
from papers.site import absolute_url

router = Router(tags=["papers"])

MAX_PAGE_SIZE = 100
# Far beyond any real list, and small enough for every database's integers.
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """``limit`` is capped at ``MAX_PAGE_SIZE``; an absurd ``offset`` is a 422, not a 500."""

    class Input(Schema):
        limit: int = Field(MAX_PAGE_SIZE, ge=1, description=f"At most {MAX_PAGE_SIZE} are sent.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AuthorOut(Schema):
    name: str
    slug: str


class TagOut(Schema):
    name: str
    slug: str


class OnSiteOut(Schema):
    """Anything with a page on this site: ``html_url`` is that page's address."""

    html_url: str

    @staticmethod
    def resolve_html_url(obj):
        return absolute_url(obj.get_absolute_url())


class ContentOut(OnSiteOut):
    """A row of a content kind (paper, report, session): its page and its tags."""

    tags: list[TagOut]

    @staticmethod
    def resolve_tags(obj):
        return list(obj.tags.all())


class LinkOut(Schema):
    kind: str
    label: str
    url: str


class PaperOut(ContentOut):
    slug: str
    title: str
    alias: str
    year: int | None  # None: the year is unknown
    month: int | None
    venue: str
    arxiv_id: str | None
    doi: str | None
    url: str
    pdf_url: str
    html_url: str = Field(..., description="The paper's page on this site.")
    authors: list[AuthorOut]

    @staticmethod
    def resolve_authors(paper):
        return paper.ordered_authors()


class PaperDetailOut(PaperOut):
    abstract: str
    affiliations: str
    notes_html: str
    links: list[LinkOut]

    @staticmethod
    def resolve_links(paper):
        return list(paper.links.all())


class PaperRefOut(OnSiteOut):
    """A short reference to a published paper, inside a report or a session."""

    slug: str
    title: str
    alias: str
    year: int | None


class ErrorOut(Schema):
    """Why a request failed: a message, or the validation errors of its parameters."""

    detail: str | list[dict[str, Any]]


# Every read can answer 422 (a parameter it cannot use); lookups can also answer 404.
# 400: a NUL byte anywhere in the address (config/middleware.py).
LIST_ERRORS = {400: ErrorOut, 422: ErrorOut}
LOOKUP_ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# The API's parameters state the same limits as the filters, so the schema tells the truth.
Year = Annotated[int, Field(ge=1000, le=3000)]
# config/middleware.py answers 400 to a NUL byte anywhere in the address; the schema says so.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
TagSlug = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
# The forms the lookups understand, stated in the schema: a value outside them is a 422
# from validation, and every value inside them is looked up (a 200 or a 404).
ArxivId = Annotated[str, StringConstraints(max_length=200, pattern=ARXIV_ID_PATTERN)]
Doi = Annotated[str, StringConstraints(max_length=300, pattern=DOI_PATTERN)]
TAGS = Field(
    [], max_length=MAX_TAG_FILTERS, description="Tag slug; repeat to require several (AND)."
)


class PaperQuery(Schema):
    tag: list[TagSlug] = TAGS
    year: Year | None = None
    year_min: Year | None = None
    year_max: Year | None = None
    author: Text | None = Field(None, max_length=100, description="Author slug.")
    venue: Text | None = Field(None, max_length=255)
    q: Text | None = Field(
        None, max_length=200, description="Words in the title, alias or abstract."
    )
    sort: Literal["newest", "oldest", "title", "added"] | None = Field(
        None, description="newest (default), oldest, title or added."
    )


def _filtered(filters):
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    filterset = PaperFilter(data, queryset=Paper.objects.published())
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    return filterset.qs


@router.get(
    "/papers", response={200: list[PaperOut], **LIST_ERRORS}, summary="List and filter papers"
)
@paginate(Pagination, max_limit=MAX_PAGE_SIZE)
def list_papers(request, filters: Query[PaperQuery]):
    """Published papers, newest first (stable), ``limit`` at most 100 per page."""
    return _filtered(filters).for_list()


def _detail(**lookup):
    return get_object_or_404(
        Paper.objects.published().for_list().prefetch_related("links"), **lookup
    )


@router.get(
    "/papers/arxiv/{path:arxiv_id}",
    response={200: PaperDetailOut, **LOOKUP_ERRORS},
    summary="A paper by arXiv id",
)
def paper_by_arxiv(request, arxiv_id: Path[ArxivId]):
    try:
        return _detail(arxiv_id=normalize_arxiv_id(arxiv_id))
    except Http404:
        raise
    except Exception as error:  # ValidationError from the normaliser
        raise HttpError(422, "; ".join(getattr(error, "messages", [str(error)]))) from None


@router.get(
    "/papers/doi/{path:doi}",
    response={200: PaperDetailOut, **LOOKUP_ERRORS},
    summary="A paper by DOI",
)
def paper_by_doi(request, doi: Path[Doi]):
    try:
        normalized = normalize_doi(doi)
    except Exception as error:  # ValidationError from the normaliser
        raise HttpError(422, "; ".join(getattr(error, "messages", [str(error)]))) from None
    return _detail(doi=normalized)


class RelatedOut(OnSiteOut):
    """A paper similar to the one asked about; ``score`` orders them (higher is closer)."""

    slug: str
    title: str
    alias: str
    year: int | None
    score: float

    @staticmethod
    def resolve_score(paper):
        return round(paper.related_score, 4)


@router.get(
    "/papers/{slug}/related",
    response={200: list[RelatedOut], **LOOKUP_ERRORS},
    summary="Papers similar to a paper",
)
def paper_related(request, slug: Path[Text]):
    """Up to 8 published papers most similar to this one in the library (stored lists,
    updated in the background after every save)."""
    from papers.related import related_to

    paper = get_object_or_404(Paper.objects.published().only("pk"), slug=slug)
    return related_to(paper)


@router.get(
    "/papers/{slug}", response={200: PaperDetailOut, **LOOKUP_ERRORS}, summary="A paper by slug"
)
def paper_by_slug(request, slug: Path[Text]):
    return _detail(slug=slug)
