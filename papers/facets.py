"""The numbers beside a paper list: how many papers match, per year and per tag.

Counting every published paper on each request is what makes big lists slow, so the
common lists (everything, a year, a tag, a tag and a year) read their numbers from one
summary of all published papers — counts per year and per (year, tag) — that is built
once per content version (three grouped queries) and then shared by every page. Lists
narrowed further (author, venue, text, several tags) are small by then and count their
own rows. Either way the result is cached per filter, so paging and sorting are free.
"""

from collections import Counter, defaultdict

from django.db.models import Count

from papers.cache import cached_value
from papers.models import Paper
from papers.tagging import Tag

TOP_TAGS = 20


def summary(request):
    """Published papers per year and per (year, tag id), and every tag: cached, 3 queries."""

    def compute():
        published = Paper.objects.published().order_by()
        years = dict(published.values_list("year").annotate(n=Count("pk")))
        pairs = {
            (year, tag): n
            for year, tag, n in published.filter(taggedpaper__isnull=False)
            .values_list("year", "taggedpaper__tag_id")
            .annotate(n=Count("pk"))
        }
        tags = {
            pk: (name, slug) for pk, name, slug in Tag.objects.values_list("pk", "name", "slug")
        }
        return {"years": years, "pairs": pairs, "tags": tags}

    return cached_value(request, "facet-summary", [], compute)


def tag_ids(request, slugs):
    """``{slug: id}`` for the tags among ``slugs`` that exist (from the summary)."""
    wanted = set(slugs)
    return {slug: pk for pk, (_, slug) in summary(request)["tags"].items() if slug in wanted}


def _tag(pk, name, slug, count):
    tag = Tag(pk=pk, name=name, slug=slug)
    tag.count = count
    return tag


def top_tags(papers, limit=TOP_TAGS):
    """The most used tags among ``papers`` with their counts (one grouped query)."""
    return list(
        Tag.objects.filter(
            papers_taggedpaper_items__content_object__in=papers.order_by().values("pk")
        )
        .annotate(count=Count("papers_taggedpaper_items"))
        .order_by("-count", "name")[:limit]
    )


def top_tags_overall(request, year=None, limit=TOP_TAGS):
    """The most used tags on published papers (of ``year``), from the summary."""
    data = summary(request)
    counts = Counter()
    for (pair_year, tag), n in data["pairs"].items():
        if year is None or pair_year == year:
            counts[tag] += n
    ranked = sorted(counts.items(), key=lambda item: (-item[1], data["tags"][item[0]][0]))
    return [_tag(pk, *data["tags"][pk], n) for pk, n in ranked[:limit]]


def _year_list(per_year):
    return [{"year": year, "count": n} for year, n in sorted(per_year.items(), reverse=True) if n]


def list_counts(request, filterset, without_year):
    """``(count, year facets, tag facets)`` of a valid filtered list; cached per filter.

    ``without_year`` is the same filters less the year (None when the URL fixes the year
    and the year facet is not shown): the year facet keeps the other years reachable.
    """

    def compute():
        data = filterset.form.cleaned_data
        slugs = data.get("tag") or []
        narrowed = data.get("author") or data.get("venue") or data.get("q") or len(slugs) > 1
        if narrowed:
            if without_year is None:
                return filterset.qs.count(), [], top_tags(filterset.qs)
            # One pass gives the year facet and, as the filters differ only by the year,
            # the count too: a text search reads the table twice (this, tags), not thrice.
            per_year = dict(without_year.qs.order_by().values_list("year").annotate(n=Count("pk")))
            year = data.get("year")
            count = per_year.get(year, 0) if year else sum(per_year.values())
            return count, _year_list(per_year), top_tags(filterset.qs)
        return _from_summary(request, filterset, slugs, data.get("year"), without_year)

    return cached_value(request, "list-counts", filter_key(filterset), compute)


def _from_summary(request, filterset, slugs, year, without_year):
    data = summary(request)
    if slugs:
        tag = tag_ids(request, slugs).get(slugs[0])
        if tag is None:
            return 0, [], []
        per_year = defaultdict(int)
        for (pair_year, pair_tag), n in data["pairs"].items():
            if pair_tag == tag:
                per_year[pair_year] += n
        # The tags that go with this one: counted live, over this tag's papers only.
        tags = top_tags(filterset.qs)
    else:
        per_year = data["years"]
        tags = top_tags_overall(request, year)
    count = per_year.get(year, 0) if year else sum(per_year.values())
    return count, _year_list(per_year) if without_year is not None else [], tags


def filter_key(filterset):
    """What a filtered list's counts depend on: the filters, not the sort or the page."""
    return sorted(
        (name, str(value).lower() if name == "venue" else str(value))
        for name, value in filterset.form.cleaned_data.items()
        if name != "sort" and value not in (None, "", [])
    )
