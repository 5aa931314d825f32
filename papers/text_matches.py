"""A paper list's text matches (``?q=``), kept with what its facets count.

Matching words against every title, alias and abstract is the dearest part of a list
narrowed by text: on PostgreSQL at 100,000 papers the list's grouped queries (the years
and venues, the tags, the authors) each found the 4,304 rows holding "diffusion" again
through the pg_trgm indexes after every bump of the counts (20–170 ms each), and on SQLite
each one read every abstract. So the rows holding the words are kept, with the tags and
authors of each (``TextMatches``), under the search version: which rows hold the words
changes only when a title, alias or abstract is written, and which tags and authors a row
has only when its tags or byline change; every such write rewrites the row's search
document (its tags' and authors' names are in it), which moves the search version or,
for a few rows, logs them to be matched again (``search_rows_changed``, the ``patch``
below). A raw write of links without their documents (a ``bulk_create``) says so with
``bump_content_version(search=True)``, as the search page needs anyway.

Everything else a list shows of those rows — which are public, their years and venues,
the other filters, the names — is read at each request, by primary key
(``PaperFilter.kept_rows``): a ``bump_content_version()`` (anything may have changed, a
status written by ``QuerySet.update()`` too) costs one read of the matches' rows, not one
text match per facet.
"""

import re
from array import array
from bisect import bisect_left
from collections import Counter
from itertools import compress, filterfalse
from operator import not_
from typing import NamedTuple

from django.db.models import IntegerField, Q, Value

from papers.models import Authorship, Paper, TaggedPaper
from papers.site.cache import cached_value
from papers.site.search import pk_in, uses_postgres

# The words of ``?q=`` that count (a query is 200 characters at most: ``PaperFilter.q``).
MAX_WORDS = 10


def words_of(text):
    """The words of ``?q=`` the list matches: the first ``MAX_WORDS``."""
    return text.split()[:MAX_WORDS]


def text_condition(words, using):
    """A ``Q``: each of ``words`` is a case-insensitive substring of the title, alias or
    abstract. On PostgreSQL as ``column ~* 'escaped word'``, which the pg_trgm indexes on
    those three columns serve; icontains compares UPPER(column), which no index has (a
    sequential scan of every abstract at 100,000 papers). Elsewhere a plain icontains."""
    if uses_postgres(using):
        lookup, literal = "iregex", re.escape
    else:
        lookup, literal = "icontains", str
    condition = Q()
    for word in words:
        term = literal(word)
        condition &= (
            Q(**{f"title__{lookup}": term})
            | Q(**{f"alias__{lookup}": term})
            | Q(**{f"abstract__{lookup}": term})
        )
    return condition


class TextMatches(NamedTuple):
    """Every row whose title, alias or abstract holds the words, public or not, with its
    tags and authors: arrays (compact in the cache, one parameter in a query), each link
    as a pair of parallel entries (``tagged[i]`` carries ``tags[i]``); and every tag and
    author linked, most linked first (``tag_order``), with its number of links
    (``tag_totals``), so that a list of most of the matches counts only the others."""

    pks: array
    tagged: array
    tags: array
    bylined: array
    authors: array
    tag_order: array
    tag_totals: array
    author_order: array
    author_totals: array

    def counted(self, listed):
        """For the tags, then the authors, ``(order, totals, less)``: the ids most linked
        first, their links among all the matches, and (a ``Counter``) those of the rows
        not ``listed`` (a set of primary keys): a list's counts are ``totals - less``, one
        per link as the grouped queries count. Only the rows left out are read (124 of
        the 4,304 rows holding "diffusion" at 100,000 papers: its drafts)."""
        unlisted = set(filterfalse(listed.__contains__, self.pks))
        return (
            (self.tag_order, self.tag_totals,
             Counter(compress(self.tags, map(unlisted.__contains__, self.tagged)))),
            (self.author_order, self.author_totals,
             Counter(compress(self.authors, map(unlisted.__contains__, self.bylined)))),
        )  # fmt: skip


def _matches(pks, tagged, tags, bylined, authors):
    """The ``TextMatches`` of these rows and links, with the totals counted."""
    tag_order, tag_totals = _totals(tags)
    author_order, author_totals = _totals(authors)
    return TextMatches(
        pks, tagged, tags, bylined, authors, tag_order, tag_totals, author_order, author_totals
    )


def _totals(ids):
    """``(ids, counts)``: every id of ``ids`` most counted first, and its count."""
    ranked = Counter(ids).most_common()
    return array("q", [pk for pk, _ in ranked]), array("q", [n for _, n in ranked])


def _links(rows, using):
    """``(tagged, tags, bylined, authors)`` of the rows ``rows`` (an array of primary
    keys): their tags and bylines in one query (none for no rows)."""
    found = (array("q"), array("q")), (array("q"), array("q"))
    if not rows:
        return (*found[0], *found[1])
    kind = Value(0, output_field=IntegerField())
    tags = (
        TaggedPaper.objects.using(using)
        .filter(content_object__pk__any_of=rows)
        .annotate(kind=kind)
        .values_list("kind", "content_object", "tag")
    )
    bylines = (
        Authorship.objects.using(using)
        .filter(paper__pk__any_of=rows)
        .annotate(kind=Value(1, output_field=IntegerField()))
        .values_list("kind", "paper", "author")
    )
    for which, row, other in tags.order_by().union(bylines.order_by(), all=True):
        pairs = found[which]
        pairs[0].append(row)
        pairs[1].append(other)
    return (*found[0], *found[1])


def _holds(pks, pk):
    """Whether the ascending array ``pks`` holds ``pk``."""
    at = bisect_left(pks, pk)
    return at < len(pks) and pks[at] == pk


def _without(rows, values, gone):
    """The pairs of ``rows`` and ``values`` whose row is not in ``gone``."""
    staying = list(map(not_, map(gone.__contains__, rows)))
    return array("q", compress(rows, staying)), array("q", compress(values, staying))


def text_matches(request, words, using):
    """The kept ``TextMatches`` of ``words`` (``cached_value(..., search=True)``)."""
    rows = Paper._base_manager.using(using).order_by()
    condition = text_condition(words, using)

    def made():
        pks = array("q", rows.filter(condition).order_by("pk").values_list("pk", flat=True))
        return _matches(pks, *_links(pks, using))

    def patch(kept, changed):
        # A few rows' documents written since (an editor's save, a delete): only those
        # rows are matched again, with their tags and authors.
        gone = changed.get(Paper._meta.label)
        if not gone:
            return kept
        again = array("q", rows.filter(condition, pk__in=sorted(gone)).values_list("pk", flat=True))
        if not again and not any(_holds(kept.pks, pk) for pk in gone):
            # Rows that matched neither then nor now (most saves, for a given list): the
            # kept matches as they are, not their 30,000 links copied and counted again.
            return kept
        tagged, tags, bylined, authors = _links(again, using)
        pks = array("q", sorted([pk for pk in kept.pks if pk not in gone] + list(again)))
        kept_tagged, kept_tags = _without(kept.tagged, kept.tags, gone)
        kept_bylined, kept_authors = _without(kept.bylined, kept.authors, gone)
        return _matches(
            pks, kept_tagged + tagged, kept_tags + tags, kept_bylined + bylined,
            kept_authors + authors,
        )  # fmt: skip

    return cached_value(request, "text-matches", words, made, search=True, patch=patch)


def kept_condition(request, words, using):
    """A ``Q`` of the rows holding ``words``, by their kept primary keys."""
    return pk_in(text_matches(request, words, using).pks)
