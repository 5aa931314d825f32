"""Site-wide pages that span the apps: the home page."""

from django.db.models import Count
from django.shortcuts import render

from blog.models import Report
from papers.models import Paper, Tag
from readinggroup.models import Presentation

HOME_PAPERS = 8
HOME_TOPICS = 30
HOME_REPORTS = 4


def home(request):
    papers = Paper.objects.published().for_list().order_by("-added_at", "-pk")[:HOME_PAPERS]
    topics = (
        Tag.objects.filter(papers_taggedpaper_items__content_object__status="published")
        .annotate(count=Count("papers_taggedpaper_items"))
        .order_by("-count", "name")[:HOME_TOPICS]
    )
    reports = Report.objects.published().for_list().newest_first()[:HOME_REPORTS]
    next_session = (
        Presentation.objects.published()
        .upcoming()
        .select_related("paper")
        .prefetch_related("presenters")
        .first()
    )
    context = {"papers": papers, "topics": topics, "reports": reports, "next_session": next_session}
    return render(request, "home.html", context)
