"""Read-only JSON API of the paper database (mounted by config/api.py)."""

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from papers.filters import PaperFilter
from papers.identifiers import normalize_arxiv_id, normalize_doi
from papers.models import Paper

router = Router(tags=["papers"])

MAX_PAGE_SIZE = 100


class AuthorOut(Schema):
    name: str
    slug: str


class TagOut(Schema):
    name: str
    slug: str


class LinkOut(Schema):
    kind: str
    label: str
    url: str


class PaperOut(Schema):
    slug: str
    title: str
    alias: str
    year: int
    month: int | None
    venue: str
    arxiv_id: str | None
    doi: str | None
    url: str
    pdf_url: str
    html_url: str = Field(..., description="The paper's page on this site.")
    authors: list[AuthorOut]
    tags: list[TagOut]

    @staticmethod
    def resolve_html_url(paper, context):
        return context["request"].build_absolute_uri(paper.get_absolute_url())

    @staticmethod
    def resolve_authors(paper):
        return paper.ordered_authors()

    @staticmethod
    def resolve_tags(paper):
        return list(paper.tags.all())


class PaperDetailOut(PaperOut):
    abstract: str
    affiliations: str
    notes_html: str
    links: list[LinkOut]

    @staticmethod
    def resolve_links(paper):
        return list(paper.links.all())


class PaperRefOut(Schema):
    """A short reference to a published paper, inside a report or a session."""

    slug: str
    title: str
    alias: str
    year: int
    html_url: str

    @staticmethod
    def resolve_html_url(paper, context):
        return context["request"].build_absolute_uri(paper.get_absolute_url())


class PaperQuery(Schema):
    tag: list[str] = Field([], description="Tag slug; repeat to require several (AND).")
    year: int | None = None
    year_min: int | None = None
    year_max: int | None = None
    author: str | None = Field(None, description="Author slug.")
    venue: str | None = None
    q: str | None = Field(None, description="Words in the title, alias or abstract.")
    sort: str | None = Field(None, description="newest (default), oldest, title or added.")


def _filtered(filters):
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    filterset = PaperFilter(data, queryset=Paper.objects.published())
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    return filterset.qs


@router.get("/papers", response=list[PaperOut], summary="List and filter papers")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def list_papers(request, filters: Query[PaperQuery]):
    """Published papers, newest first (stable), ``limit`` at most 100 per page."""
    return _filtered(filters).for_list()


def _detail(**lookup):
    return get_object_or_404(
        Paper.objects.published().for_list().prefetch_related("links"), **lookup
    )


@router.get("/papers/arxiv/{path:arxiv_id}", response=PaperDetailOut, summary="A paper by arXiv id")
def paper_by_arxiv(request, arxiv_id: str):
    try:
        return _detail(arxiv_id=normalize_arxiv_id(arxiv_id))
    except Http404:
        raise
    except Exception as error:  # ValidationError from the normaliser
        raise HttpError(422, "; ".join(getattr(error, "messages", [str(error)]))) from None


@router.get("/papers/doi/{path:doi}", response=PaperDetailOut, summary="A paper by DOI")
def paper_by_doi(request, doi: str):
    try:
        normalized = normalize_doi(doi)
    except Exception as error:  # ValidationError from the normaliser
        raise HttpError(422, "; ".join(getattr(error, "messages", [str(error)]))) from None
    return _detail(doi=normalized)


@router.get("/papers/{slug}", response=PaperDetailOut, summary="A paper by slug")
def paper_by_slug(request, slug: str):
    return _detail(slug=slug)
