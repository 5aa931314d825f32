"""What every app's API router uses (config/api.py mounts them): pagination with its
limits, the error answers, the parameter types whose limits the schema states, and the
schemas every kind of content shares."""

import json
from functools import wraps
from typing import Annotated, Any

from django.core.cache import cache
from django.http import HttpResponse
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import StringConstraints

from papers.site.addresses import absolute_url, page_path
from papers.site.cache import TIMEOUT, cards_version, row_key
from papers.site.prefetch import listed
from papers.tagging import MAX_TAG_FILTERS

MAX_PAGE_SIZE = 100
# Far beyond any real list, and small enough for every database's integers.
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """``limit`` is capped at ``MAX_PAGE_SIZE``; an absurd ``offset`` is a 422, not a 500."""

    class Input(Schema):
        limit: int = Field(MAX_PAGE_SIZE, ge=1, description=f"At most {MAX_PAGE_SIZE} are sent.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class _KeptPage(dict):
    """A page whose rows are JSON already (``KeptRows``): sent as it is, not validated."""


class KeptRows(Pagination):
    """``Pagination`` for a list whose rows are each kept as JSON, per object and
    ``updated_at``, as the paper cards are (``papers/cards.py``).

    A page not cached reads its rows' ids and ``stamp`` columns (``updated_at``, and what
    a row shows that changes without a save of its object: a session's paper), not the
    rows and their relations, their kept JSON with one ``get_many``, and builds through
    ``schema`` only the rows that are missing or made under other stamp values. What a
    row shows beside those is covered by ``versions(request)`` (a string in each key: the
    cards version, moved by a tag or author renamed) and by the cards' receivers, which
    drop the keys (``row_key``) of the rows concerned (``papers.cards.Cards(rows=…)``).
    Building every row through the schema was most of a 100-row list's CPU: ~1,300 model
    instances, a ``DjangoGetter`` read per field and row, the JSON encoding.
    """

    def __init__(self, *, name, schema, versions, stamp, **kwargs):
        self.name, self.schema, self.versions, self.stamp = name, schema, versions, stamp
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset = pagination.offset
        end = offset + min(pagination.limit, self.max_limit)
        count = self._items_count(queryset)
        rows = queryset.prefetch_related(None).values_list("pk", *self.stamp)[offset:end]
        # The stamp read before the rows are built: a row built from a newer row than its
        # stamp is built again next time, never kept as current when it is not.
        page = [(pk, tuple(values)) for pk, *values in rows]
        versions = self.versions(request)
        keys = {pk: row_key(self.name, versions, pk) for pk, _ in page}
        stored = cache.get_many(list(keys.values())) if keys else {}
        stamps = dict(page)
        rows = {}
        for pk, stamp in page:
            entry = stored.get(keys[pk])
            if entry is not None and entry[0] == stamp:
                rows[pk] = entry[1]
        missing = [pk for pk, _ in page if pk not in rows]
        if missing:
            made = {obj.pk: obj for obj in queryset.filter(pk__in=missing).order_by()}
            # As the operation validates and dumps a response (ninja's Operation), one
            # row at a time; the same encoder and separators as its JSON renderer.
            context = {"request": request, "response_status": 200}
            made = {
                pk: (
                    stamps[pk],
                    json.dumps(
                        self.schema.model_validate(obj, context=context).model_dump(
                            context=context
                        ),
                        cls=NinjaJSONEncoder,
                    ),
                )
                for pk, obj in made.items()
            }
            cache.set_many({keys[pk]: entry for pk, entry in made.items()}, TIMEOUT)
            rows.update({pk: entry[1] for pk, entry in made.items()})
        return _KeptPage(items=[rows[pk] for pk, _ in page if pk in rows], count=count)


CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


def paginate_kept(name, schema, versions=cards_version, stamp=("updated_at",)):
    """``@paginate(Pagination)`` for a list of ``schema`` rows kept as JSON (``KeptRows``):
    the page is joined from its rows' JSON, byte for byte what ninja's renderer writes
    for ``{"items": [...], "count": n}``, and sent without validating it again."""

    def decorator(func):
        view = paginate(
            KeptRows,
            max_limit=MAX_PAGE_SIZE,
            name=name,
            schema=schema,
            versions=versions,
            stamp=stamp,
        )(func)

        @wraps(view)
        def kept_view(request, **kwargs):
            result = view(request, **kwargs)
            if not isinstance(result, _KeptPage):
                return result
            items = ", ".join(result["items"])
            content = f'{{"items": [{items}], "count": {int(result["count"])}}}'
            return HttpResponse(content, content_type=CONTENT_TYPE)

        return kept_view

    return decorator


class TagOut(Schema):
    name: str
    slug: str


class OnSiteOut(Schema):
    """Anything with a page on this site: ``html_url`` is that page's address."""

    html_url: str

    @staticmethod
    def resolve_html_url(obj, context=None):
        # A model naming its page (``PAGE_URL``) is addressed with one reverse() per
        # response and URL name, not one per row (100 per page: 11–35 ms of a list).
        if not hasattr(obj, "PAGE_URL"):
            return absolute_url(obj.get_absolute_url())
        return absolute_url(page_path(obj, (context or {}).get("request")))


class ContentOut(OnSiteOut):
    """A row of a content kind (paper, report, session): its page and its tags."""

    tags: list[TagOut]

    @staticmethod
    def resolve_tags(obj):
        return list(listed(obj, "tags"))


class ErrorOut(Schema):
    """Why a request failed: a message, or the validation errors of its parameters."""

    detail: str | list[dict[str, Any]]


# Every read can answer 422 (a parameter it cannot use); lookups can also answer 404.
# 400: a NUL byte anywhere in the address (config/middleware.py).
LIST_ERRORS = {400: ErrorOut, 422: ErrorOut}
LOOKUP_ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# The API's parameters state the same limits as the filters, so the schema tells the truth.
Year = Annotated[int, Field(ge=1000, le=3000)]
# config/middleware.py answers 400 to a NUL byte anywhere in the address; the schema says so.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
TagSlug = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
TAGS = Field(
    [], max_length=MAX_TAG_FILTERS, description="Tag slug; repeat to require several (AND)."
)
