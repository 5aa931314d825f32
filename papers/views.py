"""Public pages of the paper database: lists (with filters and facets), detail, BibTeX."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from papers.bibtex import papers_to_bibtex
from papers.filters import PaperFilter
from papers.metadata import scholarly_article
from papers.models import Author, Paper, Tag
from papers.resolve import redirect_to_reference
from papers.sections import sections_for

PAGE_SIZE = 20
TOP_TAGS = 20


def _filter_data(request, fixed, drop=()):
    """The query string with the URL's own filters (``fixed``) put over it."""
    data = request.GET.copy()
    for key in drop:
        data.pop(key, None)
    for key, value in fixed.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def _year_facets(request, fixed):
    """Paper counts per year for the current filters, the chosen year left out.

    Leaving the year out keeps the other years reachable from the facet. One grouped
    query, whatever the number of rows.
    """
    data = _filter_data(request, fixed, drop=["year"] if "year" not in fixed else [])
    without_year = PaperFilter(data, queryset=Paper.objects.published())
    years = []
    if without_year.is_valid():
        years = list(
            without_year.qs.order_by()
            .values("year")
            .annotate(count=Count("pk", distinct=True))
            .order_by("-year")
        )
    return years


def _top_tags(papers):
    """The most used tags among ``papers`` with their counts (one grouped query)."""
    return list(
        Tag.objects.filter(
            papers_taggedpaper_items__content_object__in=papers.order_by().values("pk")
        )
        .annotate(count=Count("papers_taggedpaper_items"))
        .order_by("-count", "name")[:TOP_TAGS]
    )


def _paper_list(request, template="papers/paper_list.html", fixed=None, context=None):
    """Shared body of every paper list: ``fixed`` filters come from the URL, not the query."""
    fixed = fixed or {}
    filterset = PaperFilter(_filter_data(request, fixed), queryset=Paper.objects.published())
    fixed_tags = fixed.get("tag", [])
    context = {
        "filter": filterset,
        # Filters that the URL itself sets (/tags/<slug>/, /papers/<year>/) get no remove link.
        "fixed_tags": fixed_tags if isinstance(fixed_tags, list) else [fixed_tags],
        "fixed_year": fixed.get("year"),
        **(context or {}),
    }
    if not filterset.is_valid():
        context["errors"] = filterset.errors
        return render(request, template, context, status=400)
    papers = filterset.qs
    if request.GET.get("format") == "bibtex":
        return _bibtex_response(papers.for_list(), "papers.bib")
    page = Paginator(papers.for_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page_obj=page,
        papers=page.object_list,
        year_facets=_year_facets(request, fixed),
        tag_facets=_top_tags(papers),
        active_tags=filterset.form.cleaned_data.get("tag") or [],
        removable_tags=[
            slug
            for slug in filterset.form.cleaned_data.get("tag") or []
            if slug not in context["fixed_tags"]
        ],
        active_year=filterset.form.cleaned_data.get("year"),
    )
    return render(request, template, context)


def _bibtex_response(papers, filename, attachment=True):
    response = HttpResponse(
        papers_to_bibtex(papers), content_type="application/x-bibtex; charset=utf-8"
    )
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def paper_list(request):
    return _paper_list(request)


def paper_year(request, year):
    year = int(year)
    if not Paper.objects.published().filter(year=year).exists():
        raise Http404("No papers from that year.")
    return _paper_list(
        request, fixed={"year": str(year)}, context={"heading": f"Papers from {year}"}
    )


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    return _paper_list(
        request,
        template="papers/author_detail.html",
        fixed={"author": author.slug},
        context={"author": author, "heading": author.name},
    )


def _published_paper(slug):
    return get_object_or_404(Paper.objects.published().for_list(), slug=slug)


def paper_detail(request, slug):
    try:
        paper = _published_paper(slug)
    except Http404:
        # /papers/GPT-3/, /papers/gpt3-alias/, /papers/arXiv:2005.14165/ → the paper.
        return redirect_to_reference(slug)
    authors = paper.ordered_authors()
    context = {
        "paper": paper,
        "authors": authors,
        "json_ld": scholarly_article(
            paper, authors, request.build_absolute_uri(paper.get_absolute_url())
        ),
        "links": paper.links.all(),
        "figures": paper.figures.all(),
        "previous_work": paper.related.published().only("slug", "title", "alias", "year"),
        "followups": paper.followups.published().only("slug", "title", "alias", "year"),
        "bibtex": papers_to_bibtex([paper]),
        "sections": sections_for(paper),
    }
    return render(request, "papers/paper_detail.html", context)


def paper_bibtex(request, slug):
    paper = _published_paper(slug)
    return _bibtex_response([paper], f"{paper.slug}.bib")
