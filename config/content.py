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

from blog.models import Report
from papers.models import Paper
from readinggroup.models import Presentation


@dataclass(frozen=True)
class Kind:
    key: str  # in URLs: ?type=papers
    label: str  # "Papers"
    singular: str  # "paper"
    model: Any
    tag_items: str  # Tag's reverse name of the kind's through table
    title_fields: tuple[str, ...]
    year: Any  # an expression giving the year of a row
    date_fields: tuple[str, ...]  # values that order rows by date, newest first
    feed_date: str  # when the item appeared on the site

    def published(self) -> QuerySet:
        """The kind's one visibility rule."""
        return self.model.objects.published()

    def for_page(self, queryset):
        """What a card of this kind shows, prefetched for a whole page."""
        return queryset.for_list()

    def with_tags(self, queryset, slugs):
        """Rows carrying every tag in ``slugs`` (AND): one join per tag."""
        for slug in slugs:
            queryset = queryset.filter(tags__slug=slug)
        return queryset

    def sort_key(self, values):
        """A timezone-aware datetime from the ``date_fields`` values of one row."""
        if self.key == "papers":
            year, month = values
            return datetime.datetime(year, month or 1, 1, tzinfo=datetime.UTC)
        (moment,) = values
        return moment or datetime.datetime.min.replace(tzinfo=datetime.UTC)


PAPERS = Kind(
    key="papers",
    label="Papers",
    singular="paper",
    model=Paper,
    tag_items="papers_taggedpaper_items",
    title_fields=("title", "alias"),
    year=F("year"),
    date_fields=("year", "month"),
    feed_date="added_at",
)
REPORTS = Kind(
    key="reports",
    label="Reports",
    singular="report",
    model=Report,
    tag_items="blog_taggedreport_items",
    title_fields=("title",),
    year=ExtractYear("published_at"),
    date_fields=("published_at",),
    feed_date="published_at",
)
SESSIONS = Kind(
    key="sessions",
    label="Sessions",
    singular="session",
    model=Presentation,
    tag_items="readinggroup_taggedpresentation_items",
    title_fields=("title",),
    year=ExtractYear("scheduled_at"),
    date_fields=("scheduled_at",),
    feed_date="created_at",
)
KINDS = (PAPERS, REPORTS, SESSIONS)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


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
