"""What every app's API router uses (config/api.py mounts them): pagination with its
limits, the error answers, the parameter types whose limits the schema states, and the
schemas every kind of content shares."""

from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import StringConstraints

from papers.site.addresses import absolute_url, page_path
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
