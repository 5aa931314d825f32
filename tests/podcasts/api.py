from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.pagination import paginate

from papers.site.api import LIST_ERRORS, LOOKUP_ERRORS, MAX_PAGE_SIZE, ContentOut, Pagination, Text
from tests.podcasts.models import Episode

router = Router(tags=["episodes"])


class EpisodeOut(ContentOut):
    slug: str
    title: str
    aired_at: datetime


@router.get("/episodes", response={200: list[EpisodeOut], **LIST_ERRORS}, summary="List episodes")
@paginate(Pagination, max_limit=MAX_PAGE_SIZE)
def list_episodes(request):
    return Episode.objects.published().for_list().newest_first()


@router.get(
    "/episodes/{slug}", response={200: EpisodeOut, **LOOKUP_ERRORS}, summary="An episode by slug"
)
def episode_by_slug(request, slug: Path[Text]):
    return get_object_or_404(Episode.objects.published().for_list(), slug=slug)
