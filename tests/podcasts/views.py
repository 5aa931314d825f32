from django.shortcuts import get_object_or_404, render

from papers.site.cache import public_page
from tests.podcasts.models import Episode


@public_page
def episode_list(request):
    episodes = Episode.objects.published().for_list().newest_first()
    return render(request, "podcasts/episode_list.html", {"episodes": episodes})


@public_page
def episode_detail(request, slug):
    episode = get_object_or_404(Episode.objects.published().for_list(), slug=slug)
    return render(request, "podcasts/episode_detail.html", {"episode": episode})
