"""The three kinds of public content, described once for the site-wide pages.

Tag pages, search, the tag feed and the sitemap all need the same facts about papers,
reports and sessions: the visibility rule, how to filter by tag and year, which date
orders them, and how to load one page of them without a query per row.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import ExtractYear

from blog.models import NEWEST_FIRST as REPORTS_NEWEST_FIRST
from blog.models import Report
from papers.models import NEWEST_PAPERS_FIRST, Paper
from readinggroup.models import NEWEST_FIRST as SESSIONS_NEWEST_FIRST
from readinggroup.models import Presentation

# Up to this many rows, a kind's newest rows are sorted here rather than in the database.
FEW_ROWS = 2000


@dataclass(frozen=True)
class Kind:
    key: str  # in URLs: ?type=papers
    label: str  # "Papers"
    singular: str  # "paper"
    model: Any
    title_fields: tuple[str, ...]
    year: Any  # an expression giving the year of a row
    date_fields: tuple[str, ...]  # values that order rows by date, newest first
    newest_first: tuple[Any, ...]  # ORDER BY giving the order of sort_key() (then pk), desc

    def __reduce__(self):
        # Cached results hold Items; code compares kinds with ``is``, so an unpickled
        # Kind must be the module's own object, not a copy.
        return (_kind_by_key, (self.key,))

    def published(self) -> QuerySet:
        """The kind's one visibility rule."""
        return self.model.objects.published()

    def for_page(self, queryset):
        """What a card of this kind shows, prefetched for a whole page."""
        return queryset.for_list()

    def newest(self, queryset, limit, total=None):
        """The first ``limit`` of the ``total`` rows of ``queryset`` as ``Item``s, newest
        first: one query. (``total`` unknown: the database's way.)

        Many rows: the database walks its date index and stops after ``limit``. A few
        (a rare tag): reading them all and sorting here is faster than that walk, which
        PostgreSQL would still choose (~90 ms for a tag on 300 of 100,000 papers).
        """
        rows = queryset.values_list("pk", *self.date_fields)
        if total is None or total > FEW_ROWS:
            rows = rows.order_by(*self.newest_first)[:limit]
            return [Item(self, pk, self.sort_key(values)) for pk, *values in rows]
        items = [Item(self, pk, self.sort_key(values)) for pk, *values in rows.order_by()]
        items.sort(key=lambda item: (item.date, item.pk), reverse=True)
        return items[:limit]

    def sort_key(self, values):
        """A timezone-aware datetime from the ``date_fields`` values of one row."""
        if self.key == "papers":
            year, month = values
            if year is None:  # NEWEST_PAPERS_FIRST: unknown year last
                return datetime.datetime.min.replace(tzinfo=datetime.UTC)
            start = datetime.datetime(year, month or 1, 1, tzinfo=datetime.UTC)
            # Unknown month: after the dated papers of its year, before the year before.
            return start - datetime.timedelta(seconds=1) if month is None else start
        (moment,) = values
        return moment or datetime.datetime.min.replace(tzinfo=datetime.UTC)


PAPERS = Kind(
    key="papers",
    label="Papers",
    singular="paper",
    model=Paper,
    title_fields=("title", "alias"),
    year=F("year"),
    date_fields=("year", "month"),
    # The paper list's own order (papers/models.py): a paper known only by its year after
    # the dated papers of its year, one of unknown year last (sort_key() says the same).
    newest_first=NEWEST_PAPERS_FIRST,
)
REPORTS = Kind(
    key="reports",
    label="Reports",
    singular="report",
    model=Report,
    title_fields=("title",),
    year=ExtractYear("published_at"),
    date_fields=("published_at",),
    newest_first=REPORTS_NEWEST_FIRST,
)
SESSIONS = Kind(
    key="sessions",
    label="Sessions",
    singular="session",
    model=Presentation,
    title_fields=("title",),
    year=ExtractYear("scheduled_at"),
    date_fields=("scheduled_at",),
    newest_first=SESSIONS_NEWEST_FIRST,
)
KINDS = (PAPERS, REPORTS, SESSIONS)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def _kind_by_key(key):
    return KINDS_BY_KEY[key]


def newest_first(item):
    """The order of a mixed list: newest first; on the same date papers, then by pk."""
    return (item.date, item.kind is PAPERS, item.pk)


class MergedByDate:
    """Rows of several kinds merged newest first, for a ``Paginator``.

    ``sources`` pairs each kind with its queryset and ``counts`` gives their sizes. A page
    reads, per kind, only as many rows as the page's end (page × size), so page 1 of a tag
    on 17,000 papers reads 20 rows of each kind, not 17,000.
    """

    def __init__(self, sources, counts):
        self.sources = [(kind, queryset) for kind, queryset in sources if counts[kind.key]]
        self.counts = counts
        self.total = sum(counts[kind.key] for kind, _ in sources)

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        stop = index.stop if index.stop is not None else self.total
        items = [
            item
            for kind, queryset in self.sources
            for item in kind.newest(queryset, stop, self.counts[kind.key])
        ]
        items.sort(key=newest_first, reverse=True)
        return items[index]


@dataclass
class Item:
    """One row of a mixed list: its kind, its object once loaded, its sort values."""

    kind: Kind
    pk: int
    date: datetime.datetime
    rank: float = 0.0
    year: int | None = None
    obj: Any = None
    snippet: str = ""


def load_objects(items, prepare=None):
    """Fill ``item.obj`` for ``items``: one query (plus prefetches) per kind present."""
    for kind in KINDS:
        pks = [item.pk for item in items if item.kind is kind]
        if not pks:
            continue
        queryset = kind.for_page(kind.published().filter(pk__in=pks))
        if prepare is not None:
            queryset = prepare(kind, queryset)
        objects = {obj.pk: obj for obj in queryset}
        for item in items:
            if item.kind is kind:
                item.obj = objects.get(item.pk)
    return [item for item in items if item.obj is not None]
