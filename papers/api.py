"""Read-only JSON API of the paper database (mounted by config/api.py)."""

from typing import Annotated, Literal

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import StringConstraints

from papers.cards import API_ROWS
from papers.filters import PaperFilter
from papers.identifiers import ARXIV_ID_PATTERN, DOI_PATTERN, normalize_arxiv_id, normalize_doi
from papers.models import SEARCH_FIELDS, Paper, card_prefetches
from papers.site.api import (
    LIST_ERRORS,
    LOOKUP_ERRORS,
    TAGS,
    ContentOut,
    OnSiteOut,
    TagSlug,
    Text,
    Year,
    paginate_kept,
)
from papers.site.cache import cards_version
from papers.site.prefetch import as_lists

router = Router(tags=["papers"])


class AuthorOut(Schema):
    name: str
    slug: str


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


# The forms the lookups understand, stated in the schema: a value outside them is a 422
# from validation, and every value inside them is looked up (a 200 or a 404).
ArxivId = Annotated[str, StringConstraints(max_length=200, pattern=ARXIV_ID_PATTERN)]
Doi = Annotated[str, StringConstraints(max_length=300, pattern=DOI_PATTERN)]


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
# A row shows the paper's row, its byline and tags: the cards' receivers drop the row
# with the card when its links change, and a name shown on many rows (a tag, author or
# venue) moves the cards version (papers/cards.py).
@paginate_kept(API_ROWS, PaperOut, cards_version)
def list_papers(request, filters: Query[PaperQuery]):
    """Published papers, newest first (stable), ``limit`` at most 100 per page."""
    rows = _filtered(filters).for_cards().defer(*SEARCH_FIELDS)  # no search snippets here
    return rows.prefetch_related(*as_lists(*card_prefetches()))


def _detail(**lookup):
    return get_object_or_404(
        Paper.objects.published().for_list().prefetch_related("links"), **lookup
    )


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


# Before the arXiv and DOI lookups: their paths take the rest of the URL, so
# ``/papers/arxiv/related`` would be read as the arXiv id "related" (a 422) and the
# related papers of a paper whose slug is "arxiv" or "doi" could not be asked for.
# "related" is neither an arXiv id nor a DOI, so no lookup is lost.
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


@router.get(
    "/papers/{slug}", response={200: PaperDetailOut, **LOOKUP_ERRORS}, summary="A paper by slug"
)
def paper_by_slug(request, slug: Path[Text]):
    return _detail(slug=slug)
