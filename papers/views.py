"""Public pages of the paper database: lists (with filters and facets), detail, BibTeX.

Every page is served through ``public_page`` (a page cache and ETag for anonymous
visitors, invalidated by any save); the counts and facets of a list are cached on their
own, per filter, so paging or re-sorting a list does not count the papers again.
"""

import math
from itertools import groupby
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Value, prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from papers import exports, pages
from papers.authors import coauthors
from papers.bibtex import papers_to_bibtex
from papers.cards import render_cards
from papers.citations.csl import formatted
from papers.citations.formats import FORMATS, download
from papers.facets import list_counts, sidebar_key
from papers.feeds import PaperList, paper_feed
from papers.filters import PaperFilter
from papers.metadata import citation_meta, paper_description, scholarly_article
from papers.models import Author, AuthorRedirect, Paper, Venue, detail_prefetches
from papers.related import related_to
from papers.resolve import redirect_to_reference
from papers.sections import sections_for
from papers.site.addresses import absolute_url
from papers.site.cache import TIMEOUT as CACHE_TIMEOUT
from papers.site.cache import cached_value, public_page

PAGE_SIZE = 20


class CachedCountPaginator(Paginator):
    """A paginator whose ``count`` comes from ``count()``, e.g. a cached value."""

    def __init__(self, object_list, per_page, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


def _filter_data(request, fixed, drop=()):
    """The query string with the URL's own filters (``fixed``) put over it."""
    data = request.GET.copy()
    for key in drop:
        data.pop(key, None)
    for key, value in fixed.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def _without_year(request, fixed):
    """The list's filters less the year, for the year facet (None on a year's own page)."""
    if "year" in fixed:
        return None
    data = _filter_data(request, fixed, drop=["year"])
    without_year = PaperFilter(data, queryset=Paper.objects.published(), request=request)
    return without_year if without_year.is_valid() else None


def _paper_list(request, template="papers/paper_list.html", fixed=None, context=None):
    """Shared body of every paper list: ``fixed`` filters come from the URL, not the query."""
    fixed = fixed or {}
    filterset = PaperFilter(
        _filter_data(request, fixed), queryset=Paper.objects.published(), request=request
    )
    fixed_tags = fixed.get("tag", [])
    context = {
        "filter": filterset,
        # Filters that the URL itself sets (/tags/<slug>/, /papers/<year>/) get no remove link.
        "fixed_tags": fixed_tags if isinstance(fixed_tags, list) else [fixed_tags],
        "fixed_year": fixed.get("year"),
        "export_formats": FORMATS.values(),
        **(context or {}),
    }
    if not filterset.is_valid():
        context["errors"] = filterset.errors
        return render(request, template, context, status=400)
    papers = filterset.qs
    if request.GET.get("format") == "atom":
        return paper_feed(request, paper_list=_as_feed(request, papers, context))
    if request.GET.get("format") in FORMATS:
        return _list_export(request, papers, request.GET["format"])
    # The year-less filters are only built when the counts are not cached yet.
    counts = list_counts(
        request,
        filterset,
        lambda: _without_year(request, fixed),
        author=fixed.get("author"),
        venue=fixed.get("venue"),
        year_fixed="year" in fixed,
    )
    paginator = CachedCountPaginator(papers.for_cards(), PAGE_SIZE, count=lambda: counts["count"])
    page = paginator.get_page(request.GET.get("page"))
    page_papers = list(page.object_list)
    cards = render_cards(request, page_papers)
    context.update(
        feed_url=_list_address(request, format="atom"),
        page_obj=page,
        papers=page_papers,
        cards=cards,
        # (year, cards) in page order, for the pages that show papers by year.
        cards_by_year=[
            (year, [card for _, card in group])
            for year, group in groupby(zip(page_papers, cards, strict=True), lambda p: p[0].year)
        ],
        year_facets=counts["years"],
        tag_facets=counts["tags"],
        author_facets=[a for a in counts["authors"] if a.slug != fixed.get("author")],
        venue_facets=[v for v in counts["venues"] if v.slug != fixed.get("venue")],
        active_author=filterset.form.cleaned_data.get("author"),
        active_venue=filterset.form.cleaned_data.get("venue"),
        active_tags=filterset.form.cleaned_data.get("tag") or [],
        removable_tags=[
            slug
            for slug in filterset.form.cleaned_data.get("tag") or []
            if slug not in context["fixed_tags"]
        ],
        active_year=filterset.form.cleaned_data.get("year"),
        export_files=math.ceil(counts["count"] / exports.IN_REQUEST),
        # The sidebar (some 60 filter links) is the same on every page of a list: rendered
        # once per what it shows, address and query (less the page), then read back.
        sidebar_cache_key=sidebar_key(request, counts),
        sidebar_cache_timeout=CACHE_TIMEOUT,
    )
    return render(request, template, context)


def _list_export(request, papers, format):
    """A list's papers in ``format``, at most ``exports.IN_REQUEST`` a file (``?part=N``).

    Writing 5,000 papers took 7–20 s: a public request writes one file of 500 at most,
    and its ``Link: rel="next"`` header names the next part (a whole library is the
    admin's export job, or ``manage.py export_citations``).
    """
    part = request.GET.get("part", "1")
    if not part.isdigit() or not 1 <= int(part) <= 1_000_000:
        return HttpResponseBadRequest(
            "part must be a whole number from 1.", content_type="text/plain"
        )
    part, size = int(part), exports.IN_REQUEST
    # Cards leave the abstract in the database; RIS and CSL-JSON carry it.
    exported = papers.for_list().defer(None).defer("notes", "notes_html")
    rows = list(exported[(part - 1) * size : part * size + 1])
    if not rows and part > 1:
        raise Http404("This list has no papers past the previous part.")
    more = len(rows) > size
    stem = "papers" if part == 1 and not more else f"papers-{part}"
    response = download(rows[:size], format, stem=stem)
    if more:
        response["Link"] = f'<{_list_address(request, format=format, part=part + 1)}>; rel="next"'
    return response


def _list_address(request, **params):
    """This list's address with its filters, no page, and ``params`` (e.g. the feed's)."""
    query = request.GET.copy()
    for key in ("page", "format", "part"):
        query.pop(key, None)
    query.update(params)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _as_feed(request, papers, context):
    title = context.get("heading", "Papers")
    filters = [
        f"{key} {', '.join(request.GET.getlist(key))}"
        for key in ("tag", "year", "year_min", "year_max", "venue", "q")
        if request.GET.get(key)
    ]
    if filters:
        title += f" ({'; '.join(filters)})"
    return PaperList(
        papers=papers,
        title=title,
        link=absolute_url(_list_address(request)),
        feed_url=absolute_url(_list_address(request, format="atom")),
    )


@require_safe
@public_page
def paper_list(request):
    return _paper_list(request)


@require_safe
@public_page
def paper_year(request, year):
    year = int(year)
    if not Paper.objects.published().filter(year=year).exists():
        raise Http404("No papers from that year.")
    return _paper_list(
        request, fixed={"year": str(year)}, context={"heading": f"Papers from {year}"}
    )


@require_safe
@public_page
def author_detail(request, slug):
    # Kept per content version (a save of an author, a byline or a paper moves it): a miss
    # of the author's pages (another page, sort or filter) reads no author row.
    author = cached_value(
        request,
        "published-author",
        [slug],
        lambda: Author.objects.published().filter(slug=slug).first(),
    )
    if author is None:
        # The slug of an author merged into another: their page moved for good.
        moved = AuthorRedirect.objects.filter(old_slug=slug).select_related("author").first()
        if moved is None:
            raise Http404("No such author.")
        return redirect(moved.author, permanent=True)
    return _paper_list(
        request,
        template="papers/author_detail.html",
        fixed={"author": author.slug},
        context={"author": author, "heading": author.name, **_coauthors(request, author)},
    )


class Coauthor(NamedTuple):
    name: str
    shared: int
    page_url: str


def _coauthors(request, author):
    """``coauthors`` (each a ``Coauthor``) and their section of the page, ``coauthors_html``.

    One grouped query over every byline of the author's papers (~130 ms at 100,000 papers,
    most of the page's miss): kept until a byline, name or status changes (the counts
    version). Kept with its HTML and as tuples: the section's 30 links were ~1.2 ms of
    every miss to render again, the 30 ``Author`` instances ~0.4 ms to unpickle.
    """

    def compute():
        others = [Coauthor(a.name, a.shared, a.page_url) for a in coauthors(author)]
        return others, render_to_string("papers/_coauthors.html", {"coauthors": others})

    others, html = cached_value(request, "coauthors", [author.pk], compute, counts=True)
    # Our own template's output, escaped when it was rendered.
    return {"coauthors": others, "coauthors_html": mark_safe(html)}  # noqa: S308


@require_safe
@public_page
def venue_detail(request, slug):
    # Kept per content version, as an author's (``author_detail``).
    venue = cached_value(request, "venue-with-papers", [slug], lambda: _venue_with_papers(slug))
    if venue is None:
        raise Http404("No published papers from this venue.")
    return _paper_list(
        request,
        template="papers/venue_detail.html",
        fixed={"venue": venue.slug},
        context={"venue": venue, "heading": venue.name},
    )


def _venue_with_papers(slug):
    venue = Venue.objects.filter(slug=slug).first()
    return venue if venue is not None and venue.papers.published().exists() else None


def _previous_and_followups(paper):
    """The papers this one builds on, and those that build on it: one query for both
    (a UNION ALL of the two through-table lookups, each served by its index)."""
    fields = ("slug", "title", "alias", "year", "month")
    previous = paper.related.published().only(*fields).annotate(is_previous=Value(True))
    followups = paper.followups.published().only(*fields).annotate(is_previous=Value(False))
    others = previous.order_by().union(followups.order_by(), all=True)
    others = sorted(
        others, key=lambda other: (-(other.year or 0), -(other.month or 0), other.title)
    )
    return {
        "previous_work": [other for other in others if other.is_previous],
        "followups": [other for other in others if not other.is_previous],
    }


@require_safe
@public_page
def paper_detail(request, slug):
    # The page's parts are kept per paper (papers/pages.py): a visit whose page is not
    # cached reads one cache entry and the paper's updated_at, not the twelve queries
    # of _paper_parts.
    parts = pages.kept_parts(request, slug)
    if parts is None:
        try:
            paper = Paper.objects.published().for_page().get(slug=slug)
        except Paper.DoesNotExist:
            # /papers/GPT-3/, /papers/gpt3-alias/, /papers/arXiv:2005.14165/ → the paper.
            return redirect_to_reference(slug)
        parts = pages.keep_parts(request, paper, _paper_parts(request, paper))
    return render(request, "papers/paper_detail.html", parts)


def _paper_parts(request, paper):
    """The ``<head>`` metadata, the description and the article of ``paper``'s page."""
    prefetch_related_objects([paper], *detail_prefetches())
    authors = paper.ordered_authors()
    context = {
        "paper": paper,
        "authors": authors,
        "json_ld": scholarly_article(paper, authors, absolute_url(paper.get_absolute_url())),
        "citation_meta": citation_meta(paper, authors),
        "links": paper.links.all(),
        "figures": paper.figures.all(),
        **_previous_and_followups(paper),
        "bibtex": papers_to_bibtex([paper]),
        "citations": formatted(paper, authors),
        "citation_formats": FORMATS.values(),
        "sections": sections_for(paper),
        "similar": related_to(paper),
    }
    return {
        "title": paper.title,
        "description": paper_description(paper),
        # Without the context processors (they run once, for the page around the parts);
        # the sections' templates read the site settings through ``request``.
        "head": render_to_string("papers/_paper_head.html", context),
        "article": render_to_string("papers/_paper_article.html", {**context, "request": request}),
    }


@require_safe
@public_page
def paper_export(request, slug, format):
    """``/papers/<slug>.bib`` (``.biblatex.bib``, ``.ris``, ``.csl.json``): one paper."""
    paper = get_object_or_404(Paper.objects.published().for_list(), slug=slug)
    return download([paper], format, stem=paper.slug)
