"""The numbers beside a paper list: how many papers match, per year, tag, author and venue.

Counting every published paper on each request is what makes big lists slow, so the
common lists (everything, a year, a tag, a tag and a year) read their numbers from one
summary of all published papers — counts per year, per (year, tag) and per (year, venue),
kept up to date on save (papers/counts.py) — read once per counts version and then shared
by every page. Lists
narrowed further (author, venue, text, several tags) are small by then and count their
own rows. Either way the result is cached per filter, so paging and sorting are free.

A tag's list and an author's page also show the tags, authors and venues of their papers:
grouped queries over all of them (at 100,000 papers on PostgreSQL, 1.1 s for the most used
tag's 17,000 papers). Those are kept across counts versions (``kept_facets``): when the
counts move, the old ones are served while a background job counts them again
(stale-while-revalidate, one rebuild at a time), and the page showing them is not stored
as current. Their count and years are always exact.
"""

import hashlib
import heapq
from collections import Counter
from itertools import compress
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count
from django.utils.http import urlencode

from papers import counts
from papers.authors import most_frequent_authors
from papers.jobs.kinds import job_kind
from papers.jobs.queue import enqueue
from papers.models import Author, Paper, Venue
from papers.site.addresses import path_format
from papers.site.cache import (
    TIMEOUT,
    cached_value,
    counts_version,
    mark_stale,
    release,
    search_change_count,
    search_version,
)
from papers.site.search import pk_in
from papers.tagging import Tag, tag_counts, tags_most_used, with_tag_ids, with_tags
from papers.text_matches import text_matches, words_of

TOP_TAGS = 20
TOP_AUTHORS = 15
TOP_VENUES = 15
# Filters the summary of all published papers cannot answer: the list counts its own rows.
NARROWING = ("author", "venue", "q", "year_min", "year_max")


def summary(request):
    """Published papers per year, per (year, tag id) and per (year, venue id), every tag
    and the venues in use: cached, 3 queries over small tables (the counts are kept up to
    date on save, papers/counts.py, not counted here)."""

    def compute():
        data = counts.per_facet()
        tags = {
            pk: (name, slug) for pk, name, slug in Tag.objects.values_list("pk", "name", "slug")
        }
        used = {venue for _, venue in data["venue_pairs"]}
        venues = {
            pk: (short or name, slug)
            for pk, short, name, slug in Venue.objects.filter(pk__in=used).values_list(
                "pk", "short_name", "name", "slug"
            )
        }
        return {**data, "tags": tags, "venues": venues}

    return cached_value(request, "facet-summary", [], compute, counts=True)


def tag_ids(request, slugs):
    """``{slug: id}`` for the tags among ``slugs`` that exist: every tag's id, cached on
    its own (a tag's list reads no other part of the summary)."""
    wanted = set(slugs)
    every = cached_value(
        request, "tag-ids", [], lambda: dict(Tag.objects.values_list("slug", "pk")), counts=True
    )
    return {slug: pk for slug, pk in every.items() if slug in wanted}


def _tag(pk, name, slug, count):
    tag = Tag(pk=pk, name=name, slug=slug)
    tag.count = count
    return tag


def top_tags(papers, limit=TOP_TAGS):
    """The most used tags among ``papers`` with their counts (one grouped query)."""
    return tags_most_used(papers, limit)


def top_authors(papers, limit=TOP_AUTHORS):
    """The authors with most papers among ``papers``, with their counts (one query)."""
    return most_frequent_authors(papers, limit)


def _venue(pk, label, slug, count):
    venue = Venue(pk=pk, name=label, slug=slug)
    venue.label, venue.count = label, count
    return venue


def top_venues(papers, limit=TOP_VENUES):
    """The venues with most papers among ``papers``, with their counts (two queries: the
    counts, then the names of those venues only)."""
    rows = list(
        papers.order_by()
        .filter(published_in__isnull=False)
        .values_list("published_in")
        .annotate(n=Count("pk"))
        .order_by("-n", "published_in")[:limit]
    )
    return named_venues(rows)


def named_venues(rows):
    """``rows`` of ``(venue pk, papers)`` as venues with their names and counts (one query,
    none for no rows)."""
    names = {
        pk: (short or name, slug)
        for pk, short, name, slug in Venue.objects.filter(
            pk__in=[pk for pk, _ in rows]
        ).values_list("pk", "short_name", "name", "slug")
    } if rows else {}  # fmt: skip
    return [_venue(pk, *names[pk], n) for pk, n in rows if pk in names]


def top_tags_overall(request, year=None, limit=TOP_TAGS):
    """The most used tags on published papers (of ``year``), from the summary; cached on
    their own: the home page's miss read the whole summary (6,776 (year, tag) pairs at
    100,000 papers) and summed it again for 8 tags."""

    def compute():
        data = summary(request)
        counts = Counter()
        for (pair_year, tag), n in data["pairs"].items():
            if year is None or pair_year == year:
                counts[tag] += n
        ranked = sorted(counts.items(), key=lambda item: (-item[1], data["tags"][item[0]][0]))
        tags = [_tag(pk, *data["tags"][pk], n) for pk, n in ranked[:limit]]
        # Each with its page's address, kept with the list: the home page's 30 topic
        # links were 30 ``reverse()`` calls per render (~1 ms), now one per counts version.
        page = path_format("tag_detail")
        for tag in tags:
            tag.page_url = page(tag.slug)
        return tags

    return cached_value(request, "top-tags", [year, limit], compute, counts=True)


def _year_list(per_year):
    # Papers of unknown year (NULL) have no year to pick: no facet entry.
    return [
        {"year": year, "count": n}
        for year, n in sorted(per_year.items(), key=lambda item: item[0] or 0, reverse=True)
        if n and year
    ]


def _authors_overall(request):
    """The most prolific authors of all published papers, from the kept counts
    (papers/counts.py), not one grouped query over every byline."""
    rows = cached_value(request, "top-authors", [], lambda: counts.top_authors(TOP_AUTHORS),
                        counts=True)  # fmt: skip
    return [_author(*row) for row in rows]


def _author(pk, name, slug, count):
    author = Author(pk=pk, name=name, slug=slug)
    author.count = count
    return author


# --- kept across counts versions, rebuilt off the request ---------------------------------

REBUILD_JOB = "facets.rebuild"
# A rebuild not done this long after it was queued (no worker running, or a crashed one):
# the next visitor counts inline instead of serving the old facets any longer.
REBUILD_AFTER = 60
_KEPT = {}


def kept(name):
    """Register ``compute(*parts)`` as the kept facets ``name`` (``kept_facets``)."""

    def register(compute):
        _KEPT[name] = compute
        return compute

    return register


def _kept_key(name, parts):
    digest = hashlib.blake2b(repr(list(parts)).encode(), digest_size=16).hexdigest()
    return f"papershelf:kept-facets:{name}:{release()}:{digest}"


def _store(name, parts, version):
    """Count ``name`` for ``parts`` now; kept with the counts ``version`` read before."""
    value = _KEPT[name](*parts)
    cache.set(_kept_key(name, parts), (version, value), TIMEOUT)
    return value


def kept_facets(request, name, parts):
    """``(value, version)``: the kept facets ``name`` of ``parts`` and the counts version
    they were counted at.

    Current ones are read from the cache. Older ones (the counts moved since) are served
    as they are while one background job counts them again; the request is marked stale
    (``mark_stale``) so that its page is not stored as current. Counted here only when
    there are none yet, when they were counted before a published paper was unpublished or
    deleted (``counts.withdrawn_at()``: they could name it), or when a rebuild queued
    ``REBUILD_AFTER`` seconds ago has not run (no worker).
    """
    parts = list(parts)
    version = counts_version(request)
    key = _kept_key(name, parts)
    stored = cache.get(key)
    if stored is not None and stored[0] == version:
        return stored[1], version
    # Not past a paper's withdrawal: the old facets might name what is no longer public.
    if stored is not None and int(stored[0]) > counts.withdrawn_at():
        if not cache.add(f"{key}:rebuild", 1, REBUILD_AFTER):
            rebuilding = True  # another request queued the job; it will store new ones
        else:
            # Not created: the job queued before the lock expired is still waiting, so no
            # worker is taking jobs; this request counts them itself.
            _, rebuilding = enqueue(
                REBUILD_JOB, label=f"Facets: {name} {parts}"[:200],
                params={"name": name, "parts": parts}, dedupe_key=key,
            )  # fmt: skip
        if rebuilding:
            mark_stale(request)
            return stored[1], stored[0]
    return _store(name, parts, version), version


@job_kind(REBUILD_JOB, time_limit=300, verbose_name="Facets counted again")
def rebuild_kept(job, progress):
    name, parts = job.params["name"], job.params["parts"]
    key = _kept_key(name, parts)
    try:
        value = _store(name, parts, counts_version())
    finally:
        cache.delete(f"{key}:rebuild")
    return {"name": name, "parts": parts, "entries": sum(len(v) for v in value.values())}


class Facet(NamedTuple):
    """A tag, author or venue as a list's sidebar shows it, with its number of papers.

    A plain tuple rather than the model's instance: the kept facets of an author's page or
    a tag's list (50 entries) and a narrowed list's counts are read back on every miss of
    those pages, and unpickling 50 model instances was ~0.7 ms of it (tuples: ~0.05).
    """

    pk: int
    name: str
    slug: str
    count: int
    label: str


def side_facets(papers, venue_counts=None):
    """The tags, authors and venues of ``papers`` (each a ``Facet``): three grouped queries
    over all of them (two given ``venue_counts``, ``{venue pk: papers}`` counted already)."""
    if venue_counts is None:
        venues = top_venues(papers)
    else:
        ranked = sorted(venue_counts.items(), key=lambda item: (-item[1], item[0]))
        venues = named_venues(ranked[:TOP_VENUES])
    return {
        "tags": [Facet(t.pk, t.name, t.slug, t.count, t.name) for t in top_tags(papers)],
        "authors": [Facet(a.pk, a.name, a.slug, a.count, a.name) for a in top_authors(papers)],
        "venues": [Facet(v.pk, v.label, v.slug, v.count, v.label) for v in venues],
    }


@kept("author-facets")
def author_facets(slug):
    """The tags, coauthors (the author too, as on a list filtered by author) and venues of
    the published papers of the author ``slug``."""
    papers = Paper.objects.published().filter(authors__slug=slug)
    return side_facets(papers)


@kept("venue-facets")
def venue_facets(slug):
    """The tags, authors and venue (the venue itself, as on a list filtered by venue) of
    the published papers of the venue ``slug``."""
    return side_facets(Paper.objects.published().filter(published_in__slug=slug))


@kept("tags-along")
def tags_along_counted(*pks):
    """``{"tags": [(pk, name, slug, n)]}``: every tag on the published papers carrying all
    the tags ``pks`` (theirs included), with how many of those papers carry it (one grouped
    query over all of them: 16,606 papers for the most used tag at 100,000)."""
    papers = with_tag_ids(Paper.objects.published(), pks)
    return {"tags": [tuple(row) for row in tag_counts(papers)]}


def tags_along(request, tags):
    """``(n, rows, version)`` for a tag page (config/tags.py): ``n`` published papers carry
    every one of ``tags`` (exact); ``rows`` are ``tags_along_counted``'s, kept across counts
    versions (``kept_facets``) and counted at ``version``.

    The tags that go with a tag were the grouped query a tag page made again after every
    change. Rows older than the counts come without their names (``None``: a tag renamed
    since moved the counts), and the count is then read on its own: a tag's from the kept
    counts, a set's by counting its papers."""
    pks = [tag.pk for tag in tags]
    value, version = kept_facets(request, "tags-along", pks)
    rows = value["tags"]
    if version == counts_version(request):
        n = next((n for pk, _, _, n in rows if pk == pks[0]), 0)
        return n, rows, version
    if len(tags) == 1:
        n = sum(counts.per_year(tags[0].slug).values())
    else:
        n = with_tag_ids(Paper.objects.published(), pks).count()
    return n, [(pk, None, None, n) for pk, _, _, n in rows], version


@kept("tag-facets")
def tag_facets(slug, year):
    """The tags, authors and venues of the published papers carrying the tag ``slug`` (of
    ``year``): three grouped queries over all of them."""
    papers = with_tags(Paper.objects.published(), [slug], tag_ids(None, [slug]))
    if year:
        papers = papers.filter(year=year)
    return side_facets(papers)


def list_counts(request, filterset, without_year_of, author=None, venue=None, year_fixed=False):
    """The count and facets of a valid filtered list, cached per filter: a dict of
    ``count`` and the ``years``, ``tags``, ``authors`` and ``venues`` facets.

    ``without_year_of()`` gives the same filters less the year (None when the URL fixes the
    year and the year facet is not shown): the year facet keeps the other years reachable.
    It is only called when the counts are not cached. ``author``: the slug of the author
    whose page this is; ``venue``: the slug of the venue whose page this is.
    ``year_fixed``: the URL fixes the year (/papers/2020/), so no year facet is shown.
    """

    data = filterset.form.cleaned_data
    slugs = data.get("tag") or []
    narrowed = is_narrowed(filterset)
    # Whose tags, authors and venues are kept apart (``kept_facets``): a tag's list (with
    # a year or not), an author's page (its author exists and is published; only the
    # sort and the page may be in its query) and a venue's page (the same).
    kept_as = None
    if not narrowed and slugs and tag_ids(request, slugs[:1]):
        kept_as = ("tag-facets", [slugs[0], data.get("year")])
    elif author and filter_key(filterset) == [("author", author)]:
        kept_as = ("author-facets", [author])
    elif venue and filter_key(filterset) == [("venue", venue.lower())]:
        kept_as = ("venue-facets", [venue])

    def compute():
        without_year = without_year_of()
        if data.get("q"):
            return _text_counts(request, filterset, without_year)
        if narrowed:
            papers = filterset.qs
            if without_year is None:
                facets = {} if kept_as else side_facets(papers)
                return {"count": papers.count(), "years": [], **facets}
            # One pass grouped by (year, venue) gives the year facet, the venue facet and,
            # as the filters differ only by the year, the count too (PostgreSQL, 100,000
            # papers, an author's: one query fewer).
            pairs = without_year.qs.order_by().values_list("year", "published_in")
            year = data.get("year")
            per_year, per_venue = Counter(), Counter()
            for pair_year, venue_pk, n in pairs.annotate(n=Count("pk")):
                per_year[pair_year] += n
                if venue_pk is not None and (not year or pair_year == year):
                    per_venue[venue_pk] += n
            facets = {} if kept_as else side_facets(papers, venue_counts=per_venue)
            count = per_year.get(year, 0) if year else sum(per_year.values())
            return {"count": count, "years": _year_list(per_year), **facets}
        return _from_summary(request, filterset, slugs, data.get("year"), without_year)

    # Every filter but the text (author, venue, years, tags) reads only what moves the
    # counts version: a paper's status, year and venue, its bylines and tags, and the
    # names of authors, venues and tags (``watch_counts``). So an edit of a title keeps an
    # author's count, years and facets (a grouped query over 1,948 papers at 100,000,
    # ~25 ms). (Without the kept facets in it: another key.)
    key = [*filter_key(filterset), *([("kept", kept_as[0])] if kept_as else [])]
    if year_fixed:
        # /papers/2020/?… and /papers/?year=2020&… have the same filters, but only the
        # second shows the year facet: counted apart, or the first asked decides both.
        key.append(("year-fixed", True))
    if data.get("q"):
        # Narrowed by text: which rows hold the words, and their tags and authors, change
        # only when a row's search document is written (papers/text_matches.py), which
        # moves the search version or, for a few rows, the count of logged search changes
        # (``search_rows_changed``). Under those, what moves none (a link, a figure,
        # related papers) keeps the count without reading the matches' rows again.
        key.append(("search", search_version(request), search_change_count(request)))
    found = cached_value(request, "list-counts", key, compute, counts=True)
    if kept_as is None:
        return found
    # The count and years are exact now; the other facets are kept apart.
    facets, _ = kept_facets(request, *kept_as)
    return {**found, **facets}


def _text_counts(request, filterset, without_year):
    """The count and facets of a valid list narrowed by text, from its rows read by their
    kept keys (``PaperFilter.kept_rows``: public, the other filters, their years and
    venues, one query) and the tags and authors kept with the matches
    (papers/text_matches.py), whose names are read then: no word is matched again. Equal
    to the grouped queries of ``side_facets`` over the list, ties included."""
    data = filterset.form.cleaned_data
    # The list less its year (the year facet's), or the list itself on a year's own page.
    counting = filterset if without_year is None else without_year
    year = data.get("year")
    # Counted by C loops (zip, Counter, compress), not row by row: 4,180 rows for
    # "diffusion" at 100,000 papers.
    pks, years, venues = counting.kept_rows()
    per_year = Counter(years)
    if year:
        chosen = [pair_year == year for pair_year in years]  # (int.__eq__(None) is truthy)
        pks, venues = compress(pks, chosen), compress(venues, chosen)
    listed, per_venue = set(pks), Counter(venues)
    per_venue.pop(None, None)
    matches = text_matches(request, words_of(data["q"]), counting.queryset.db)
    tags, authors = matches.counted(listed)
    tag_names = Tag.objects.order_by("name").values_list("pk", "name", "slug")
    author_names = Author.objects.order_by("name", "pk").values_list("pk", "name", "slug")
    ranked_venues = sorted(per_venue.items(), key=lambda item: (-item[1], item[0]))
    return {
        "count": len(listed),
        "years": [] if without_year is None else _year_list(per_year),
        "tags": [Facet(pk, name, slug, n, name)
                 for pk, name, slug, n in most_counted(tags, TOP_TAGS, tag_names)],
        "authors": [Facet(pk, name, slug, n, name)
                    for pk, name, slug, n in most_counted(authors, TOP_AUTHORS, author_names)],
        "venues": [Facet(v.pk, v.label, v.slug, v.count, v.label)
                   for v in named_venues(ranked_venues[:TOP_VENUES])],
    }  # fmt: skip


def most_counted(tally, limit, named):
    """The ``limit`` most counted of ``tally`` (``TextMatches.counted``'s) as
    ``(pk, name, slug, n)``, ties in the order of ``named`` (``(pk, name, slug)`` rows in
    the order the grouped query breaks ties in: names as the database sorts them): one
    query for the candidates, every one counted at least as often as the ``limit``-th."""
    gone = set()
    while candidates := _candidates(*tally, gone, limit):
        counts = dict(candidates)
        found = list(named.filter(pk_in(list(counts))))
        if len(found) == len(counts):
            found.sort(key=lambda row: -counts[row[0]])  # stable: ties in the names' order
            return [(pk, name, slug, counts[pk]) for pk, name, slug in found[:limit]]
        # Gone since the matches were kept (a deleted tag's links go without a rewrite of
        # the documents that name it): counted without them, as the rows now are.
        gone.update(set(counts).difference(pk for pk, _, _ in found))
    return []


def _candidates(order, totals, less, gone, limit):
    """``[(pk, n)]`` of the ids counted ``totals - less`` at least as often as the
    ``limit``-th most counted, ``gone`` left out. ``order`` is most linked first: the walk
    stops at the first total below the ``limit``-th count so far (no id after it can
    reach it), after a few dozen of the 10,918 authors of "diffusion"'s matches."""
    heap, seen = [], []
    for pk, total in zip(order, totals, strict=True):
        if len(heap) == limit and total < heap[0]:
            break
        n = total - less.get(pk, 0)
        if n <= 0 or pk in gone:
            continue
        seen.append((pk, n))
        if len(heap) < limit:
            heapq.heappush(heap, n)
        elif n > heap[0]:
            heapq.heapreplace(heap, n)
    return [(pk, n) for pk, n in seen if n >= heap[0]] if heap else []


def _from_summary(request, filterset, slugs, year, without_year):
    if slugs:
        if not tag_ids(request, slugs[:1]):
            return {"count": 0, "years": [], "tags": [], "authors": [], "venues": []}
        # The tag's years from the kept counts (one indexed read, not the whole summary).
        per_year = counts.per_year(slugs[0])
        # The tags, authors and venues that go with this tag: kept apart (``list_counts``).
        tags = authors = venues = []
    else:
        data = summary(request)
        per_year = data["years"]
        tags = top_tags_overall(request, year)
        authors = top_authors(filterset.qs) if year else _authors_overall(request)
        venue_counts = Counter()
        for (pair_year, venue), n in data["venue_pairs"].items():
            if year is None or pair_year == year:
                venue_counts[venue] += n
        ranked = sorted(venue_counts.items(), key=lambda item: (-item[1], item[0]))
        venues = [_venue(pk, *data["venues"][pk], n) for pk, n in ranked[:TOP_VENUES]]
    count = per_year.get(year, 0) if year else sum(per_year.values())
    years = _year_list(per_year) if without_year is not None else []
    return {"count": count, "years": years, "tags": tags, "authors": authors, "venues": venues}


def filter_key(filterset):
    """What a filtered list's counts depend on: the filters, not the sort or the page."""
    return sorted(
        (name, str(value).lower() if name == "venue" else str(value))
        for name, value in filterset.form.cleaned_data.items()
        if name != "sort" and value not in (None, "", [])
    )


def is_narrowed(filterset):
    """Whether a valid list is narrowed by more than a year and one tag: then it counts its
    own rows; otherwise its numbers come from the site-wide counts."""
    data = filterset.form.cleaned_data
    return any(data.get(name) for name in NARROWING) or len(data.get("tag") or []) > 1


def sidebar_key(request, counts):
    """What a list's sidebar (its filter links and counts) is made from: the numbers and
    names it shows (``counts``, from ``list_counts``), the code, the address and the query
    less the page (a filter link starts at page 1).

    Keyed by a digest of these rather than by a version: whatever it shows changes the
    key, and a save or a bump that changes none of them (most of them, for a list's
    counts) keeps it instead of writing its ~60 links again.
    """
    shown = [
        counts["count"],
        [(item["year"], item["count"]) for item in counts["years"]],
        [(tag.pk, tag.name, tag.slug, tag.count) for tag in counts["tags"]],
        [(author.pk, author.name, author.slug, author.count) for author in counts["authors"]],
        [(venue.pk, venue.label, venue.slug, venue.count) for venue in counts["venues"]],
    ]
    return fragment_key(request, shown)


def fragment_key(request, shown):
    """The key of a page's fragment of filter links (a sidebar) made from ``shown`` (plain
    values: what it shows), the code, the address and the query less the page."""
    query = [(key, value) for key, values in request.GET.lists() if key != "page"
             for value in values]  # fmt: skip
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return f"{digest}:{release()}:{request.path}?{urlencode(query)}"
