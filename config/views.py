"""Site-wide pages that span the apps: the home page."""

from django.db.models import Count
from django.shortcuts import render

from papers.cache import cached_value, public_page
from papers.models import Paper, Tag

HOME_PAPERS = 8
HOME_TOPICS = 30


def _topics():
    """The most used tags on published papers, with their counts (one grouped query)."""
    return list(
        Tag.objects.filter(
            papers_taggedpaper_items__content_object__in=Paper.objects.published().values("pk")
        )
        .annotate(count=Count("papers_taggedpaper_items"))
        .order_by("-count", "name")[:HOME_TOPICS]
    )


@public_page
def home(request):
    papers = Paper.objects.published().for_list().order_by("-added_at", "-pk")[:HOME_PAPERS]
    topics = cached_value(request, "home-topics", [], _topics)
    return render(request, "home.html", {"papers": papers, "topics": topics})
