"""Public report pages: the list (with kind, tag and year facets), kind pages, a report."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from blog.cards import REPORT_CARDS
from blog.filters import ReportFilter
from blog.metadata import article_jsonld, cover_url
from blog.models import Kind, Report, kind_heading
from papers import identity
from papers.cards import render_cards
from papers.models import SEARCH_FIELDS, Tag
from papers.related import related_to_many
from papers.site.addresses import absolute_url
from papers.site.cache import cached_value, public_page
from papers.tagging import tags_most_used

PAGE_SIZE = 10
TOP_TAGS = 20


def _filterset(data, without=None):
    data = data.copy()
    if without:
        data.pop(without, None)
    return ReportFilter(data, queryset=Report.objects.published())


def _query_string(data, *drop):
    """``data`` as a query string without ``page`` and the ``drop`` keys (``""`` when empty)."""
    pairs = [
        (key, value)
        for key in data
        if key not in ("page", *drop)
        for value in data.getlist(key)
        if value != ""
    ]
    return "?" + urlencode(pairs) if pairs else ""


def _kind_counts(data):
    without_kind = _filterset(data, without="kind")
    if not without_kind.is_valid():
        return {}
    return dict(
        without_kind.qs.order_by().values_list("kind").annotate(count=Count("pk", distinct=True))
    )


def _kind_facets(request, counts, current):
    """Every kind with its count under the other filters; links keep those filters."""
    query = _query_string(request.GET, "kind")
    return [
        {
            "label": kind_heading(kind, request),
            "count": counts.get(kind.value, 0),
            "url": reverse("blog:report_kind", args=[kind.url_slug]) + query,
            "active": kind == current,
        }
        for kind in Kind
    ]


def _year_facets(data):
    without_year = _filterset(data, without="year")
    if not without_year.is_valid():
        return []
    return list(
        without_year.qs.order_by()
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(count=Count("pk", distinct=True))
        .order_by("-year")
    )


def _facet_counts(request, data, reports):
    """The kind, year and tag counts under the filters ``data``: three grouped queries,
    kept until the content changes (``cached_value``), so a page dropped from the page
    cache, or the next page of the same filters, does not count again."""

    def count():
        return {
            "kinds": _kind_counts(data),
            "years": _year_facets(data),
            "tags": tags_most_used(reports.order_by(), TOP_TAGS),
        }

    filters = sorted((key, data.getlist(key)) for key in data if key != "page")
    return cached_value(request, "report-facets", filters, count)


def _report_list(request, kind=None):
    data = request.GET.copy()
    if kind is not None:
        data.setlist("kind", [kind.value])
    filterset = _filterset(data)
    context = {
        "kind": kind,
        "heading": kind_heading(kind, request)
        if kind
        else identity.current(request).label("reports"),
        "section": f"reports:{kind.value}" if kind else "reports",
        "feed_url": reverse("blog:feed_kind", args=[kind.url_slug])
        if kind
        else reverse("blog:feed"),
        "all_url": reverse("blog:report_list") + _query_string(request.GET, "kind"),
    }
    if not filterset.is_valid():
        context["errors"] = filterset.errors
        return render(request, "blog/report_list.html", context, status=400)
    reports = filterset.qs
    page = Paginator(reports.for_cards().newest_first(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cleaned = filterset.form.cleaned_data
    active_kind = Kind(cleaned["kind"]) if cleaned.get("kind") else None
    tags = cleaned.get("tag") or []
    if len(tags) == 1 and active_kind is None and Tag.objects.filter(slug=tags[0]).exists():
        # The one tag's own feed (a tag nobody has would be a 404).
        context["feed_url"] = reverse("blog:feed_tag", args=[tags[0]])
    counts = _facet_counts(request, data, reports)
    context.update(
        page_obj=page,
        reports=page.object_list,
        # Kept per report (blog/cards.py): tags and series read only for cards not kept.
        cards=REPORT_CARDS.render(request, page.object_list),
        kind_facets=_kind_facets(request, counts["kinds"], active_kind),
        year_facets=counts["years"],
        tag_facets=counts["tags"],
        active_tags=cleaned.get("tag") or [],
        active_year=cleaned.get("year"),
        active_kind=active_kind,
    )
    return render(request, "blog/report_list.html", context)


@public_page
def report_list(request):
    return _report_list(request)


@public_page
def report_kind(request, kind_slug):
    kind = Kind.from_url_slug(kind_slug)
    if kind is None:
        raise Http404("No such kind of report.")
    return _report_list(request, kind)


def _series_navigation(report):
    """Published parts of the report's series (one query), and where this one stands."""
    if not report.series_id:
        return None
    parts = list(
        Report.objects.published()
        .filter(series_id=report.series_id)
        .order_by("part", "pk")
        .only("slug", "title", "part", "series_id")
    )
    if report not in parts:  # a draft part previewed by staff
        parts = sorted([*parts, report], key=lambda part: part.part)
    index = parts.index(report)
    return {
        "series": report.series,
        "parts": parts,
        "part": report.part,
        "total": max(part.part for part in parts),
        "previous": parts[index - 1] if index > 0 else None,
        "next": parts[index + 1] if index + 1 < len(parts) else None,
    }


def _around(request, report, papers):
    """The number of the report's links, its older and newer neighbours and the papers
    like its papers: kept until the content changes (four queries, a third of a page
    made again after it left the page cache; any save that changes them, a scheduled
    moment and the related papers' job move the content version)."""

    def compute():
        if report.published_at:
            neighbours = Report.objects.published().only("slug", "title", "kind", "number")
            older = neighbours.before(report).first()
            newer = neighbours.after(report).first()
        else:
            older = newer = None
        return report.paper_links.count(), older, newer, related_to_many(papers)

    parts = [report.pk, report.published_at, [paper.pk for paper in papers]]
    return cached_value(request, "report-around", parts, compute)


@public_page  # anonymous visitors only: staff previewing a draft always get it fresh
def report_detail(request, slug):
    # Not the search document (the whole text again, and its tsvector): the page shows
    # its HTML.
    report = Report.objects.published().for_list().defer(*SEARCH_FIELDS).filter(slug=slug).first()
    preview = report is None
    if preview:
        # Staff see drafts and scheduled reports at their future address; nobody else does.
        if not request.user.is_staff:
            raise Http404("No published report has this address.")
        report = get_object_or_404(Report.objects.for_list(), slug=slug)
    # Their cards are the kept paper cards (papers/cards.py): bylines and tags are read
    # for the cards not kept only.
    papers = list(report.linked_papers().prefetch_related(None))
    # Papers still drafts are not shown (nor named): the page says that some are missing.
    # A report links a paper once: the links less the published papers listed. (Its
    # ``NOT IN`` the published papers was a hashed scan of all of them, 138 ms of SQL at
    # 100,000 papers on PostgreSQL.)
    links, older, newer, similar = _around(request, report, papers)
    papers_not_public = links - len(papers)
    context = {
        "report": report,
        "preview": preview,
        "papers": papers,
        "paper_cards": render_cards(request, papers),
        "papers_not_public": papers_not_public,
        "tags": list(report.tags.all()),
        "series_nav": _series_navigation(report),
        "older": older,
        "newer": newer,
        "canonical_url": absolute_url(report.get_absolute_url()),
        "cover_url": cover_url(report),
        "jsonld": article_jsonld(report, papers),
        "similar": similar,
    }
    response = render(request, "blog/report_detail.html", context)
    if preview:
        # Never cached by a proxy or the browser, never indexed.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
    return response
