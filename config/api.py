"""The JSON API: one NinjaAPI, each app contributes a router. Read-only, published only."""

from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.pagination import paginate
from pydantic import create_model

from config.api_docs import SiteDocs
from config.tags import tags_with_counts
from papers.content.kinds import kinds
from papers.site.api import LIST_ERRORS, MAX_PAGE_SIZE, OnSiteOut, Pagination
from papers.site.cache import public_page

api = NinjaAPI(
    title="Papershelf API",
    version="1",
    description="Read-only access to the published papers, reports and reading-group sessions.",
    urls_namespace="api",
    docs=SiteDocs(),
)
# Every operation is a read of published content: a public page like the HTML ones (page
# cache and ETag for anonymous callers; errors are never stored). As a view decorator it
# runs before validation, so a cached answer skips that too.
api.add_decorator(public_page, mode="view")
for kind in kinds():  # each content kind's app contributes its router
    api.add_router("/", kind.router())


def not_found(request, rest=""):
    """Any other address under /api/: a JSON 404 like the API's own, not the HTML page."""
    return JsonResponse({"detail": "Not Found"}, status=404)


# A tag with its number of published rows of each kind ("papers", "reports", …): one
# field per registered kind, so a new kind is counted without editing this schema.
TagCountOut = create_model(
    "TagCountOut",
    __base__=OnSiteOut,
    name=(str, ...),
    slug=(str, ...),
    **{kind.key: (int, ...) for kind in kinds()},
)


@api.get(
    "/tags",
    response={200: list[TagCountOut], **LIST_ERRORS},
    summary="Tags with their counts",
    tags=["tags"],
)
@paginate(Pagination, max_limit=MAX_PAGE_SIZE)
def list_tags(request):
    """Tags used by published content, most used first, with counts per type."""
    return sorted(tags_with_counts(request), key=lambda tag: (-tag.total, tag.name.casefold()))
