"""Site-wide pages that span the apps: the home page."""

from django.shortcuts import render

from papers.cache import public_page
from papers.cards import render_cards
from papers.facets import top_tags_overall
from papers.models import Paper

HOME_PAPERS = 8
HOME_TOPICS = 30


@public_page
def home(request):
    papers = list(Paper.objects.published().for_cards().order_by("-added_at", "-pk")[:HOME_PAPERS])
    context = {
        "papers": papers,
        "cards": render_cards(request, papers),
        "topics": top_tags_overall(request, limit=HOME_TOPICS),
    }
    return render(request, "home.html", context)
