"""Mixed lists of every content kind (papers.content.kinds): tag pages, search, the tag feed.

A page of a mixed list reads, per kind, only the newest rows it can show
(:class:`MergedByDate`), merges them by date (:func:`newest_first`) and loads the objects
of the page in one query per kind (:func:`load_objects`).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connections

from papers.content.kinds import kinds

# Up to this many rows, a kind's newest rows are sorted here rather than in the database,
# on the databases named here. SQLite walks its date index to a page's end faster than it
# reads the rows of any tag (10,000 papers: 1.0–4.8 ms of CPU against 4.6–8.5 ms, tags on
# 26 to 1,695 papers), so there it is never done.
FEW_ROWS = 2000
SORTED_HERE = frozenset({"postgresql"})


def newest_items(kind, queryset, limit, total=None):
    """The first ``limit`` of the ``total`` rows of ``queryset`` (of ``kind``) as ``Item``s,
    newest first: one query. (``total`` unknown: the database's way.)

    Many rows: the database walks its date index and stops after ``limit``. A few
    (a rare tag): reading them all and sorting here is faster than that walk, which
    PostgreSQL would still choose (~90 ms for a tag on 300 of 100,000 papers); not on
    SQLite (``SORTED_HERE``).
    """
    rows = queryset.values_list("pk", *kind.date_fields)
    few = total is not None and total <= FEW_ROWS
    if not (few and connections[queryset.db].vendor in SORTED_HERE):
        rows = rows.order_by(*kind.newest_first)[:limit]
        return [Item(kind, pk, kind.date_of(values)) for pk, *values in rows]
    items = [Item(kind, pk, kind.date_of(values)) for pk, *values in rows.order_by()]
    items.sort(key=lambda item: (item.date, item.pk), reverse=True)
    return items[:limit]


def newest_first(item):
    """The order of a mixed list: newest first; on the same date the kind registered first
    (papers), then by pk."""
    return (item.date, -item.kind.position, item.pk)


class MergedByDate:
    """Rows of several kinds merged newest first, for a ``Paginator``.

    ``sources`` pairs each kind with its queryset and ``counts`` gives their sizes. A page
    reads, per kind, only as many rows as the page's end (page × size), so page 1 of a tag
    on 17,000 papers reads 20 rows of each kind, not 17,000. ``newest``: how a kind's
    newest rows are read, ``newest_items``' arguments (the tag pages keep them).
    """

    def __init__(self, sources, counts, newest=newest_items):
        self.sources = [(kind, queryset) for kind, queryset in sources if counts[kind.key]]
        self.counts = counts
        self.total = sum(counts[kind.key] for kind, _ in sources)
        self.newest = newest

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
            for item in self.newest(kind, queryset, stop, self.counts[kind.key])
        ]
        items.sort(key=newest_first, reverse=True)
        return items[index]


@dataclass
class Item:
    """One row of a mixed list: its kind, its object once loaded, its sort values."""

    kind: Any  # papers.content.kinds.Kind
    pk: int
    date: datetime.datetime
    rank: float = 0.0
    year: int | None = None
    obj: Any = None
    snippet: str = ""
    card: str = ""  # the kind's cached card, when it keeps them (``Kind.cached_cards``)


def load_objects(items, prepare=None, request=None, variant=None, **context):
    """Fill ``item.obj`` for ``items``: one query (plus prefetches) per kind present.

    With ``request`` (a page that shows the kinds' cards), a kind that keeps its cards
    rendered fills ``item.card`` too, and its relations are only read for cards not
    rendered yet (papers/cards.py); ``variant`` and ``context``: another of the kept
    views of its objects (``papers.cards.VARIANTS``: a search hit) instead of the card.
    """
    for kind in kinds():
        pks = [item.pk for item in items if item.kind is kind]
        if not pks:
            continue
        cards = request is not None and kind.cached_cards
        # In no order: the items give it (ordering by the model's NEWEST_FIRST cost a
        # sort and its compiling for nothing).
        rows = kind.published().filter(pk__in=pks).order_by()
        queryset = kind.card_rows(rows) if cards else kind.for_page(rows)
        if prepare is not None:
            queryset = prepare(kind, queryset)
        objects = {obj.pk: obj for obj in queryset}
        html = {}
        if cards:
            shown = list(objects.values())
            cards_html = kind.render_cards(request, shown, variant, **context)
            html = dict(zip([obj.pk for obj in shown], cards_html, strict=True))
        for item in items:
            if item.kind is kind:
                item.obj = objects.get(item.pk)
                item.card = html.get(item.pk, "")
    return [item for item in items if item.obj is not None]
