"""The JSON API: one NinjaAPI, each app contributes a router. Read-only, published only."""

from ninja import NinjaAPI

from papers.api import router as papers_router

api = NinjaAPI(
    title="Papershelf API",
    version="1",
    description="Read-only access to the published papers, reports and reading-group sessions.",
    urls_namespace="api",
)
api.add_router("/", papers_router)
