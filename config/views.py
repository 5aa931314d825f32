"""Site-wide pages that span the apps: the home page, the health check."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from blog.models import Report
from papers.cache import public_page
from papers.cards import render_cards
from papers.facets import top_tags_overall
from papers.models import Paper
from readinggroup.models import Presentation

HOME_PAPERS = 8
HOME_TOPICS = 30
HOME_REPORTS = 4


logger = logging.getLogger(__name__)


@require_safe
@public_page
def home(request):
    papers = list(Paper.objects.published().for_cards().order_by("-added_at", "-pk")[:HOME_PAPERS])
    next_session = (
        Presentation.objects.published()
        .upcoming()
        .select_related("paper")
        .prefetch_related("presenters")
        .first()
    )
    context = {
        "papers": papers,
        "cards": render_cards(request, papers),
        "topics": top_tags_overall(request, limit=HOME_TOPICS),
        "reports": Report.objects.published().for_list().newest_first()[:HOME_REPORTS],
        "next_session": next_session,
    }
    return render(request, "home.html", context)


@never_cache
@require_safe
def healthz(request):
    """200 when this app server can query its database, else 503 (for load balancers).

    The body never says why: the reason goes to the log, not to whoever asks.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database is not answering")
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
