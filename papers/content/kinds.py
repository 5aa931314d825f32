"""The registry of content kinds: what every site-wide feature needs to know of papers,
reports and sessions (and of any kind added later).

Tag pages, search and its facets, the tag feed, the sitemaps and the API iterate
:func:`kinds` instead of naming the apps: each app registers its kind once, in its
``AppConfig.ready()`` (papers/apps.py, blog/apps.py, readinggroup/apps.py). The
``papers`` app sits below the others, so the registry lives here and knows no app.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.module_loading import import_string

from papers.content.base import newest_first_order

_REGISTRY = {}
_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def moment_of(values):
    """A kind's date from its one ``date_fields`` value (a datetime; none: oldest)."""
    (moment,) = values
    return moment or _OLDEST


@dataclass(frozen=True)
class Kind:
    key: str  # in URLs: ?type=papers; also the section name of its sitemap
    label: str  # "Papers"
    singular: str  # "paper"
    model: Any
    title_fields: tuple[str, ...]  # what search ranks as title
    year: Any  # an expression giving the year of a row
    date_fields: tuple[str, ...]  # values that date a row (``date_of`` reads them)
    # Dotted paths, imported when first used: the feed class of the kind's entries (tag
    # feeds), its sitemap class, and its API router (config/api.py mounts every router).
    feed: str
    sitemap: str
    api_router: str
    # Templates given ``obj``: a row's card in a mixed list (tag pages), and the line
    # above its title in search results (date, byline).
    item_template: str
    search_kicker_template: str
    # Many-to-many relations whose change rewrites a row's search document (besides
    # ``tags``, which every kind has): papers.content.reindex.
    reindexed_by: tuple[str, ...] = ()
    # A timezone-aware datetime from the ``date_fields`` values of one row, in the order
    # of the model's NEWEST_FIRST.
    date_of: Any = moment_of
    # Optional dotted path of ``render(request, rows) -> [html]``, the rows' cards kept
    # rendered (papers.cards.render_cards, or a ``papers.cards.Cards``): a tag page reads
    # the rows with ``card_rows(queryset)`` and prefetches nothing for the cards kept.
    cached_cards: str | None = None
    # Optional dotted path of a function giving ``(tag id, n)`` over the kind's published
    # rows, kept up to date elsewhere (the papers' kept counts, papers/counts.py); None:
    # counted from the rows at every change of the content (config/tags.py).
    tag_counts: str | None = None
    # Optional dotted path of ``tags_along(request, tags) -> (n, [(tag id, n)], version)``:
    # how many published rows carry every one of ``tags`` (exact) and every tag on them,
    # kept elsewhere (the papers': papers.facets.tags_along) and made again when
    # ``version`` moves; None: counted from the rows at every change (config/tags.py).
    tags_along: str | None = None
    # Registration order: on the same date, an earlier kind comes first in a mixed list.
    position: int = field(default=0, compare=False)

    def __reduce__(self):
        # Cached results hold Items; code compares kinds with ``is``, so an unpickled
        # Kind must be the registry's own object, not a copy.
        return (kind_by_key, (self.key,))

    @property
    def newest_first(self):
        """ORDER BY giving the order of ``date_of()`` (then pk), newest first."""
        return tuple(newest_first_order(self.model))

    def published(self) -> QuerySet:
        """The kind's one visibility rule."""
        return self.model.objects.published()

    def for_page(self, queryset):
        """What a card of this kind shows, prefetched for a whole page."""
        return queryset.for_list()

    def card_rows(self, queryset):
        """The rows ``cached_cards`` renders from (their relations only when not cached)."""
        return queryset.for_cards()

    def render_cards(self, request, rows, variant=None, **context):
        """The kept cards of ``rows`` (or another of their kept views, ``variant``:
        papers.cards.VARIANTS), given ``kind`` and ``context``."""
        return import_string(self.cached_cards)(request, rows, variant, kind=self, **context)

    def feed_writer(self):
        return import_string(self.feed)()

    def sitemap_class(self):
        return import_string(self.sitemap)

    def router(self):
        return import_string(self.api_router)


def register(**facts):
    """Register a content kind (from an ``AppConfig.ready()``); returns it."""
    from papers.content import reindex

    kind = Kind(position=len(_REGISTRY), **facts)
    if _REGISTRY.setdefault(kind.key, kind) is not kind:
        raise ValueError(f"A content kind {kind.key!r} is registered already.")
    reindex.connect(kind.model, ("tags", *kind.reindexed_by), kind.label.lower())
    return kind


def kinds():
    """Every registered kind, in registration order (papers, reports, sessions)."""
    return tuple(_REGISTRY.values())


def kind_by_key(key):
    return _REGISTRY[key]


def find_kind(key):
    """The kind of ``key`` (``?type=``), or ``None``."""
    return _REGISTRY.get(key)


def kind_choices():
    """``(key, label)`` of every kind, for a form's ``type`` field (a callable: the apps
    register their kinds after the forms' modules may have been imported)."""
    return [(kind.key, kind.label) for kind in kinds()]
