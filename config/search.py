"""Site-wide search: ``/search/?q=`` across papers, reports and sessions.

The matching and ranking live in ``papers/site/search.py`` (PostgreSQL full text, or the
SQLite fallback). Here the three kinds are searched with the same query, merged by rank,
narrowed by the type, year and tag facets, and shown one page at a time. The query
count does not depend on the number of hits: one narrow query per kind for the whole
result list, one per kind for the page's rows, one per kind for the tag facet; a kind
with more than ``MAX_HITS_PER_KIND`` matches adds its exact counts and, under a year
facet, that year's best matches (two more queries at most, however many the matches).

Counting a broad word's matches exactly visits every matching row (12,000 of them for
"diffusion" at 100,000 papers). On PostgreSQL a kind whose matches the planner estimates
at more than ``ESTIMATE_ABOVE`` is not counted: its total is the planner's estimate (one
``EXPLAIN``, no rows read) and its years share it out as the kind's rows are spread over
the years; the page says "about" beside such numbers. Smaller result sets, and SQLite,
keep exact counts. On SQLite, where matching is a ``LIKE`` over each row's stored text,
each kind's matches are read in one scan and all of the above is taken from it.

What a query found is kept under the search version (papers/site/cache.py); a save of a
few rows does not move it but logs them, and the kept values are patched by matching
only those rows again (``_patching``): the same hits, counts and facets as ranked from
scratch, without ranking a broad word again after every save.
"""

import json
from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, Count, Value, When
from django.http import Http404
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from config.content import Item, load_objects
from config.snippets import Snippets
from papers import concepts, related
from papers import counts as kept_counts
from papers.content.kinds import find_kind, kind_by_key, kind_choices, kinds
from papers.facets import fragment_key
from papers.filters import TagSlugsField
from papers.models import Paper
from papers.site import search
from papers.site.cache import (
    MAX_SEARCH_CHANGES,
    TIMEOUT,
    cached_value,
    cards_version,
    public_page,
)
from papers.tagging import tags_of, with_tags

PAGE_SIZE = 20
# Enough for any real question; the rest of a vague query's hits are not worth ranking.
MAX_HITS_PER_KIND = 500
# A broader query ranks only this many of its title hits and other matches.
TITLE_CANDIDATES = 300
OTHER_CANDIDATES = 200
TOP_TAGS = 15
# What a kept search hit holds where its snippet goes (NUL: in no stored text).
KEPT_SNIPPET = mark_safe("\x00snippet\x00")  # noqa: S308
_KEPT_SNIPPET_HTML = f'<p class="snippet">{KEPT_SNIPPET}</p>'
# Above this many matches (the planner's estimate) a kind's counts are estimated.
ESTIMATE_ABOVE = 2_000


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters "
            "(this query has %(show_value)d)."
        },
    )
    type = forms.ChoiceField(choices=kind_choices, required=False)
    year = forms.IntegerField(required=False, min_value=1000, max_value=3000)
    # ``?like=<slug>``: papers similar to that one (papers/related.py), not a word search.
    like = forms.SlugField(required=False, max_length=100, allow_unicode=True)
    # Every ``tag=`` of the query string (AND), at most five, each checked.
    tag = TagSlugsField(required=False)

    def clean_tag(self):
        return list(dict.fromkeys(self.cleaned_data["tag"]))


def _matches(kind, query, slugs, year=None, fuzzy=True):
    queryset = search.search(
        with_tags(kind.published(), slugs), query, title_fields=kind.title_fields, fuzzy=fuzzy
    ).annotate(hit_year=kind.year)
    return queryset if year is None else queryset.filter(hit_year=year)


def _candidates(kind, query, slugs, year):
    """The rows worth ranking when a query matches more than ``MAX_HITS_PER_KIND``: the
    first ``TITLE_CANDIDATES`` title hits in primary key order, then the first
    ``OTHER_CANDIDATES`` other matches (two LIMITed reads), as SQLite's scan picks them
    (``_scanned_results``), as two lists of primary keys.

    Ranking every match of a broad word is what made its first search slow (``ts_rank``
    reads each of 12,000 stored documents at 100,000 papers); a word in the title already
    ranks a row above one that has it only in the body, so the title hits come first.
    The order costs a sort of every title hit (~4,000 rows for "diffusion" at 100,000
    papers: ~40 ms of SQL against ~20), but without it the LIMIT took the rows in their
    physical order, which a save changes: which 500 were ranked, hence the hits and the
    tag facet's counts, changed from one run to the next. It also lets a save of a few
    rows patch the kept candidates (``_patch_candidates``).
    """
    matches = _matches(kind, query, slugs, year, fuzzy=False).order_by("pk")
    in_titles = search.in_titles(query, kind.title_fields, matches.db)
    # The title hits sorted before they are matched (``first_matching``): far fewer
    # stored documents read.
    rows = with_tags(kind.published(), slugs).annotate(hit_year=kind.year)
    rows = rows if year is None else rows.filter(hit_year=year)
    titles = search.first_matching(rows.filter(in_titles), query, TITLE_CANDIDATES)
    rest = list(matches.exclude(in_titles).values_list("pk", flat=True)[:OTHER_CANDIDATES])
    return titles, rest


def _hit_rows(kind, queryset, limit=True):
    """``(pk, rank, year, *dates)`` of the searched ``queryset``'s rows, best first (then
    the newest primary key): at most ``MAX_HITS_PER_KIND`` (``limit``)."""
    rows = queryset.order_by("-search_rank", "-pk").values_list(
        "pk", "search_rank", "hit_year", *kind.date_fields
    )
    return list(rows[:MAX_HITS_PER_KIND] if limit else rows)


def _best_first(rows):
    """``rows`` in the order of ``_hit_rows`` (PostgreSQL: a NULL rank first)."""
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or 0.0, row[0]), reverse=True)


def _items(kind, rows, year=None):
    return [
        Item(kind, pk, kind.date_of(dates), rank=rank or 0.0, year=hit_year)
        for pk, rank, hit_year, *dates in rows
        if year is None or hit_year == year
    ]


def _hits(kind, query, slugs, changed=None):
    """The best matches of one kind as ``_hit_rows`` (every match but the weakest of more
    than ``MAX_HITS_PER_KIND``, fuzzy title matches included): one query; of the rows
    ``changed`` only, if given."""
    matches = _matches(kind, query, slugs)
    if changed is not None:
        # Filtered after the search: its fuzzy rank asks how many rows of all match.
        matches = matches.filter(search.pk_in(sorted(changed)))
    return _hit_rows(kind, matches)


def _patch_hits(kind, query, slugs, rows, changed):
    """``_hits`` now, from the kept ``rows`` and the rows ``changed`` since, matched again
    (one query), or None if ``rows`` may have left out a match (it was full)."""
    if len(rows) >= MAX_HITS_PER_KIND:
        return None
    fresh = _hits(kind, query, slugs, changed)
    return _best_first([row for row in rows if row[0] not in changed] + fresh)[:MAX_HITS_PER_KIND]


def _broad_hits(kind, query, slugs, year):
    """The ``_candidates`` of a broad query, ranked: ``(hits, titles, others, titles full,
    others full)``: every candidate as ``_hit_rows``, best first; the primary keys of the
    title hits and of the other matches, in order; full: a list holds as many rows as it
    may (more may match after its last)."""
    titles, others = _candidates(kind, query, slugs, year)
    published = kind.published()
    queryset = search.search(
        published.filter(search.pk_in(titles + others)),
        query,
        title_fields=kind.title_fields,
        fuzzy=False,
    ).annotate(hit_year=kind.year)
    hits = _hit_rows(kind, queryset, limit=False)  # TITLE_ + OTHER_CANDIDATES at most
    ranked = {row[0] for row in hits}
    return (
        hits,
        tuple(pk for pk in sorted(titles) if pk in ranked),
        tuple(pk for pk in sorted(others) if pk in ranked),
        len(titles) >= TITLE_CANDIDATES,
        len(others) >= OTHER_CANDIDATES,
    )


def _rematched_candidates(kind, query, slugs, year, changed):
    """``(title hits, other matches)`` among the rows ``changed``, as ``_hit_rows`` with
    the rank ``_broad_hits`` gives: one query."""
    base = with_tags(kind.published(), slugs)
    base = base.filter(search.pk_in(sorted(changed)))
    queryset = search.search(base, query, title_fields=kind.title_fields, fuzzy=False)
    queryset = queryset.annotate(hit_year=kind.year)
    if year is not None:
        queryset = queryset.filter(hit_year=year)
    in_titles = search.in_titles(query, kind.title_fields, queryset.db)
    queryset = queryset.annotate(
        title_hit=Case(When(in_titles, then=Value(True)), default=Value(False))
    )
    rows = queryset.order_by("pk").values_list(
        "pk", "search_rank", "hit_year", *kind.date_fields, "title_hit"
    )
    titles, others = [], []
    for *row, title_hit in rows:
        (titles if title_hit else others).append(tuple(row))
    return titles, others


def _patch_candidates(kind, query, slugs, year, value, changed):
    """``_broad_hits`` now, from the kept ``value`` and the rows ``changed`` since, or
    None when a full list lost a row: the next match after its last is not known."""
    hits, titles, others, titles_full, others_full = value
    rows = {row[0]: row for row in hits}
    titles, others = [rows[pk] for pk in titles], [rows[pk] for pk in others]
    fresh_titles, fresh_others = _rematched_candidates(kind, query, slugs, year, changed)
    patched = []
    for rows, full, fresh, cap in (
        (titles, titles_full, fresh_titles, TITLE_CANDIDATES),
        (others, others_full, fresh_others, OTHER_CANDIDATES),
    ):
        merged = sorted([row for row in rows if row[0] not in changed] + fresh)
        if full:
            # Past the kept list's last row nothing is known; before it, every match is.
            last = rows[-1][0] if rows else None
            merged = [row for row in merged if last is not None and row[0] <= last]
            if len(merged) < cap:
                return None
        patched.append((merged[:cap], full or len(merged) >= cap))
    (titles, titles_full), (others, others_full) = patched
    hits = _best_first(titles + others)
    return (
        hits,
        *(tuple(row[0] for row in rows) for rows in (titles, others)),
        titles_full,
        others_full,
    )


def _probe(kind, query, slugs):
    """How many full-text matches one kind has, counted up to ``MAX_HITS_PER_KIND`` +
    ``MAX_SEARCH_CHANGES`` + 1 (fuzzy title matches left out, as a broad query's ranking
    leaves them out): one query that stops there. Above ``MAX_HITS_PER_KIND`` the query
    is broad; counted that far, it stays broad after saves of fewer rows than
    ``MAX_SEARCH_CHANGES`` (``_patch_probe``)."""
    limit = MAX_HITS_PER_KIND + MAX_SEARCH_CHANGES + 1
    return _matches(kind, query, slugs, fuzzy=False).order_by().values("pk")[:limit].count()


def _patch_probe(n, changed):
    """At least ``n`` matches less the rows ``changed`` (each may have left): still broad
    if that is above the cap, else counted again (cheap under it)."""
    return n - len(changed) if n - len(changed) > MAX_HITS_PER_KIND else None


def _year_counts(kind, query, slugs):
    """How many full-text matches of one kind each year has (a broad query: its fuzzy
    title matches are not ranked either), counted in the database: one query."""
    queryset = search.search(
        with_tags(kind.published(), slugs), query, title_fields=kind.title_fields, fuzzy=False
    )
    rows = queryset.annotate(hit_year=kind.year).values("hit_year").annotate(n=Count("pk"))
    return Counter({row["hit_year"]: row["n"] for row in rows.order_by()})


def _estimate(kind, query, slugs):
    """The planner's estimate of one kind's full-text matches (PostgreSQL; else None).

    ``EXPLAIN`` plans the query without running it: the estimate comes from the column's
    statistics of words (12,033 against 12,372 real matches for "diffusion")."""
    matches = _matches(kind, query, slugs, fuzzy=False).order_by().values("pk")
    if not search.uses_postgres(matches.db):
        return None
    plan = json.loads(matches.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _rows_per_year(request, kind, slugs):
    """How the kind's published rows (with one tag of ``slugs``: that tag's) spread over
    the years: the shares an estimated total is divided by. Papers from the kept counts
    (papers/counts.py, one small read); other kinds, a few thousand rows, counted."""
    if kind.model is Paper and len(slugs) <= 1:
        tag = slugs[0] if slugs else None
        return cached_value(
            request, "paper-years", [tag], lambda: kept_counts.per_year(tag), counts=True
        )

    def compute():
        rows = with_tags(kind.published(), slugs).annotate(hit_year=kind.year)
        return dict(rows.order_by().values_list("hit_year").annotate(n=Count("pk")))

    return cached_value(request, "search-year-sizes", [kind.key, *slugs], compute)


def about(n):
    """``n`` to two significant digits: an estimate's precision (12,372 → 12,000)."""
    digits = max(len(str(n)) - 2, 0)
    return round(n, -digits) if digits else n


def _estimated_counts(request, kind, slugs, estimate):
    sizes = _rows_per_year(request, kind, slugs)
    total = sum(sizes.values())
    if not total:
        return Counter()
    shares = {y: about(round(estimate * n / total)) for y, n in sizes.items()}
    return Counter({y: n for y, n in shares.items() if n})


def _kind_results(request, kind, query, slugs, year):
    """``(hits, counts, estimated)``: the best hits of one kind in ``year``, its matches
    per year, and whether those are estimates (``ESTIMATE_ABOVE``).

    Usually every match fits under the cap and both come from one query. When the cap is
    reached, the counts are taken in SQL and the year is filtered in SQL: picking a year
    from the top 500 of all years would lose that year's other matches.

    The hits and counts of a query over all years are kept under the search version
    (``search_version``), not just until the content changes: a save that writes no
    search document ranks nothing again, nor does narrowing a broad query to a year, or
    paging it. They depend only on the documents and on which rows are public, which a
    save changes by writing the row's document; a few rows written since a value was
    kept are matched again, and the value patched (``_patching``).
    """
    key = [kind.key, query.raw, *slugs]
    if not search.uses_postgres(kind.model.objects.db):
        return _scanned_results(request, kind, query, slugs, year, key)

    def kept(name, parts, compute, patch=None):
        return cached_value(
            request, name, parts, compute, search=True, patch=_patching(kind, patch)
        )

    n = kept("search-probe", key, lambda: _probe(kind, query, slugs), _patch_probe)
    if n <= MAX_HITS_PER_KIND:
        rows = kept(
            "search-hits",
            key,
            lambda: _hits(kind, query, slugs),
            lambda rows, changed: _patch_hits(kind, query, slugs, rows, changed),
        )
        counts = Counter(row[2] for row in rows)
        return _items(kind, rows, year), counts, False
    rows, *_ = kept(
        "search-candidates",
        [*key, year],
        lambda: _broad_hits(kind, query, slugs, year),
        lambda value, changed: _patch_candidates(kind, query, slugs, year, value, changed),
    )
    hits = _items(kind, rows[:MAX_HITS_PER_KIND])
    # Thousands of matches by the planner's word statistics: estimated, not counted.
    # Planned again after a change of this kind (one EXPLAIN): the planner's numbers
    # follow the table's size.
    estimate = kept("search-estimate", key, lambda: _estimate(kind, query, slugs))
    if estimate is not None and estimate > ESTIMATE_ABOVE:
        return hits, _estimated_counts(request, kind, slugs, estimate), True
    counts = kept("search-years", key, lambda: _year_counts(kind, query, slugs))
    return hits, counts, False


def _patching(kind, patch):
    """A kept value's patch for ``kind``: kept as is when no row of the kind changed, else
    ``patch(value, pks)`` (None: made from scratch)."""

    def patched(value, changed):
        pks = changed.get(kind.model._meta.label)
        if not pks:
            return value
        return None if patch is None else patch(value, pks)

    return patched


def _scan(kind, query, slugs, changed=None):
    """Every full-text match of one kind, in pk order, as ``(pk, rank, year, title hit,
    *dates)``: one query (SQLite); of the rows ``changed`` only, if given."""
    matches = _matches(kind, query, slugs, fuzzy=False)
    if changed is not None:
        matches = matches.filter(search.pk_in(sorted(changed)))
    in_titles = search.in_titles(query, kind.title_fields, matches.db)
    title_hit = Case(When(in_titles, then=Value(True)), default=Value(False))
    rows = matches.annotate(title_hit=title_hit).order_by("pk")
    return list(rows.values_list("pk", "search_rank", "hit_year", "title_hit", *kind.date_fields))


def _scanned_results(request, kind, query, slugs, year, key):
    """``_kind_results`` from one scan of the stored texts (SQLite, where matching is a
    ``LIKE`` over every row's text: the probe, the hits, the candidates and the year
    counts were each such a scan). The same hits, in the same order, and the same exact
    counts: a narrow query's best ``MAX_HITS_PER_KIND``; a broad one's first
    ``TITLE_CANDIDATES`` title hits and ``OTHER_CANDIDATES`` other matches in pk order
    (in ``year`` if given), ranked."""
    rows = cached_value(
        request,
        "search-scan",
        key,
        lambda: _scan(kind, query, slugs),
        search=True,
        # Every match is kept: the rows changed since are put back where they now belong.
        patch=_patching(
            kind,
            lambda rows, changed: sorted(
                [row for row in rows if row[0] not in changed] + _scan(kind, query, slugs, changed)
            ),
        ),
    )
    counts = Counter(row[2] for row in rows)
    if len(rows) > MAX_HITS_PER_KIND:
        rows = [row for row in rows if year is None or row[2] == year]
        titles = [row for row in rows if row[3]][:TITLE_CANDIDATES]
        rows = titles + [row for row in rows if not row[3]][:OTHER_CANDIDATES]
    # ORDER BY search_rank DESC, pk DESC, as _hits.
    best = sorted(rows, key=lambda row: (row[1] or 0.0, row[0]), reverse=True)
    hits = [
        Item(kind, pk, kind.date_of(dates), rank=rank or 0.0, year=hit_year)
        for pk, rank, hit_year, _, *dates in best[:MAX_HITS_PER_KIND]
    ]
    return [hit for hit in hits if year is None or hit.year == year], counts, False


def _tags_of_hits(hits, kept=None, changed=None):
    """``(tags, names)``: the slugs of the tags on each of ``hits`` (``{(kind key, pk):
    (slug, …)}``) and their names; one query per kind, only for the hits not in ``kept``
    (such a value made before) or among the rows ``changed`` since (``{model label:
    pks}``: a tag added or removed writes the row's document)."""
    known, names = kept or ({}, {})
    tags, names = {}, dict(names)
    for kind in kinds():
        gone = (changed or {}).get(kind.model._meta.label, ())
        unread = []
        for hit in hits:
            if hit.kind is kind:
                row = (kind.key, hit.pk)
                if row in known and hit.pk not in gone:
                    tags[row] = known[row]
                else:
                    tags[row] = ()
                    unread.append(hit.pk)
        if unread:
            rows = kind.model.objects.all()
            for pk, slug, name in tags_of(rows.filter(search.pk_in(unread))):
                tags[kind.key, pk] += (slug,)
                names[slug] = name
    used = {slug for slugs in tags.values() for slug in slugs}
    return tags, {slug: name for slug, name in names.items() if slug in used}


def _tag_facets(tags, names):
    """The most frequent tags of ``_tags_of_hits`` with their counts."""
    counts = Counter(slug for slugs in tags.values() for slug in slugs)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], names[pair[0]].casefold()))
    return [{"slug": slug, "name": names[slug], "count": n} for slug, n in ranked[:TOP_TAGS]]


def _kept_tag_facets(request, query, slugs, year, chosen, hits):
    """The tag facet of ``hits``, kept under the search version with the tags of each hit
    it counts (one query per kind, ~15 ms of SQL for a broad word at 100,000 papers).

    Two values: the facet, all a request reads until a search document is written, and
    the hits' tags, read only to patch it (``_tags_of_hits``: a tag added or removed
    rewrites the row's document); a tag renamed or deleted moves the cards version.
    """
    key = [query.raw, *slugs, year, chosen and chosen.key, cards_version(request)]

    def tags():
        return cached_value(
            request,
            "search-tag-rows",
            key,
            lambda: _tags_of_hits(hits),
            search=True,
            patch=lambda kept, changed: _tags_of_hits(hits, kept, changed),
        )

    # Made again whenever search documents were written: from the hits' tags, patched.
    return cached_value(request, "search-tags", key, lambda: _tag_facets(*tags()), search=True)


def _results(request, query, slugs, year, chosen):
    """What every page of a query and its filters shows but the page's rows: the hits best
    first as ``(kind key, pk, date, rank, year)``, the counts and the facets.

    Kept per query and filters, not per page: a page dropped from the page cache reads it
    in one round trip, where it read each kind's hits (hundreds of ``Item``s to unpickle
    for a broad word), counts and tags apart; an ``Item`` is made for the page's hits only.
    """
    found = {kind: _kind_results(request, kind, query, slugs, year) for kind in kinds()}
    # Counts are exact even when a kind has more matches than MAX_HITS_PER_KIND, unless
    # it has thousands (ESTIMATE_ABOVE): then they are estimates, and the page says so.
    type_counts = {
        kind.key: counts[year] if year is not None else sum(counts.values())
        for kind, (_, counts, _) in found.items()
    }
    shown_kinds = [kind for kind in kinds() if chosen is None or kind is chosen]
    year_counts = Counter()
    for kind in shown_kinds:
        year_counts.update(found[kind][1])
    estimated = any(found[kind][2] for kind in shown_kinds)
    results = [hit for kind in shown_kinds for hit in found[kind][0]]
    # Best first; equal ranks (the fallback's scores often tie) put the newest first.
    results.sort(key=lambda hit: (hit.rank, hit.date, hit.pk), reverse=True)
    total = sum(type_counts[kind.key] for kind in shown_kinds)
    return {
        "hits": [(hit.kind.key, hit.pk, hit.date, hit.rank, hit.year) for hit in results],
        "total": about(total) if estimated else total,
        "estimated": estimated,
        "type_counts": type_counts,
        "estimated_kinds": {kind.key for kind in kinds() if found[kind][2]},
        "year_facets": sorted(((y, n) for y, n in year_counts.items() if y), reverse=True),
        "tag_facets": _kept_tag_facets(request, query, slugs, year, chosen, results),
    }


def _more_like_this(request, slug):
    from papers.models import Paper

    paper = Paper.objects.published().filter(slug=slug).only("slug", "title", "alias").first()
    if paper is None:
        raise Http404("No such paper.")
    similar = related.related_to(paper, limit=related.STORED)
    return render(request, "search/like.html", {"paper": paper, "similar": similar})


@require_safe
@public_page  # a repeated query (a shared link, the back button) costs one cache read
def search_page(request):
    form = SearchForm(request.GET)
    context = {"form": form, "kinds": kinds()}
    if not form.is_valid():
        context["errors"] = form.errors
        return render(request, "search/search.html", context, status=400)
    data = form.cleaned_data
    if data["like"]:
        return _more_like_this(request, data["like"])
    # "image generation" also finds "diffusion" and "GAN" (papers/concepts.py).
    expanded, alternatives = concepts.expand(data["q"].strip())
    query = search.parse_query(expanded)
    context.update(query=query, q=data["q"].strip(), active_tags=data["tag"])
    context["alternatives"] = alternatives
    context["active_year"] = data["year"]
    context["active_type"] = find_kind(data["type"])
    context["active_type_key"] = context["active_type"] and context["active_type"].key
    if query.is_empty:
        context["blank"] = True
        return render(request, "search/search.html", context)

    chosen, year = context["active_type"], data["year"]
    found = cached_value(
        request,
        "search-results",
        [query.raw, *data["tag"], year, chosen and chosen.key],
        lambda: _results(request, query, data["tag"], year, chosen),
    )
    page = Paginator(found["hits"], PAGE_SIZE).get_page(request.GET.get("page"))
    # The hits of a kind that keeps its cards are kept too, per object (papers/cards.py
    # VARIANTS): their bylines and tags are read, and their template rendered, only for
    # the hits not kept. The snippet depends on the query: put in here.
    hits = [
        Item(kind_by_key(key), pk, date, rank=rank, year=hit_year)
        for key, pk, date, rank, hit_year in page.object_list
    ]
    snippets = Snippets(query, hits)
    items = load_objects(
        hits, prepare=snippets.prepare, request=request, variant="search", snippet=KEPT_SNIPPET
    )
    snippets.fill(items)
    for item in items:
        if item.card:
            snippet = format_html('<p class="snippet">{}</p>', item.snippet) if item.snippet else ""
            item.card = mark_safe(item.card.replace(_KEPT_SNIPPET_HTML, snippet, 1))  # noqa: S308
    context.update(
        page_obj=page,
        items=items,
        total=found["total"],
        estimated=found["estimated"],
        shown=len(found["hits"]),
        type_facets=[(kind, found["type_counts"][kind.key]) for kind in kinds()],
        estimated_kinds=found["estimated_kinds"],
        year_facets=found["year_facets"],
        tag_facets=found["tag_facets"],
        filtered=bool(chosen or year or data["tag"]),
    )
    # The sidebar's ~50 filter links are the same on every page of a query: rendered once
    # per what they show (``fragment_key``), then read back, across saves that change none.
    shown = [
        [(kind.key, n) for kind, n in context["type_facets"]],
        sorted(context["estimated_kinds"]),
        found["estimated"],
        context["year_facets"],
        [(tag["slug"], tag["name"], tag["count"]) for tag in context["tag_facets"]],
    ]
    context.update(sidebar_cache_key=fragment_key(request, shown), sidebar_cache_timeout=TIMEOUT)
    return render(request, "search/search.html", context)
