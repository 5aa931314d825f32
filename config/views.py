"""Site-wide pages that span the apps: the home page, the health check."""

import logging
from contextlib import nullcontext

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from blog.cards import REPORT_CARDS
from blog.models import Report
from papers.cards import render_cards
from papers.facets import top_tags_overall
from papers.models import Paper
from papers.site.cache import cached_value, public_page
from readinggroup.models import Presentation

HOME_PAPERS = 8
HOME_TOPICS = 30
HOME_REPORTS = 4


logger = logging.getLogger(__name__)


@require_safe
@public_page
def home(request):
    # The rows shown, kept until the content changes (a scheduled report's publication and
    # a session's end move the content version too): a page made again reads none of them
    # (4 queries, most of a miss's ORM work on PostgreSQL).
    papers, next_session, reports = cached_value(request, "home-rows", [], _home_rows)
    context = {
        "papers": papers,
        "cards": render_cards(request, papers),
        "topics": top_tags_overall(request, limit=HOME_TOPICS),
        # Kept per report as on the report list (blog/cards.py): series and tags are read
        # for the cards not kept only.
        "reports": reports,
        "report_cards": REPORT_CARDS.render(request, reports),
        "next_session": next_session,
    }
    return render(request, "home.html", context)


def _home_rows():
    papers = list(Paper.objects.published().for_cards().order_by("-added_at", "-pk")[:HOME_PAPERS])
    next_session = (
        Presentation.objects.published()
        .going_ahead()
        .upcoming()
        .select_related("paper")
        .prefetch_related("presenters")
        .first()
    )
    reports = list(Report.objects.published().for_cards().newest_first()[:HOME_REPORTS])
    return papers, next_session, reports


@require_safe
@public_page
def about(request):
    """The about page: the editor's text and the author or group profile (site settings)."""
    return render(request, "about.html")


# A database that needs longer than this for "SELECT 1" is reported as unavailable.
HEALTHZ_DATABASE_SECONDS = 1.0


def _database_answers():
    # PostgreSQL (config/postgresql) can bound the wait; SQLite never hangs on a network.
    answer_within = getattr(connection, "answer_within", None)
    limit = answer_within(HEALTHZ_DATABASE_SECONDS) if answer_within else nullcontext()
    try:
        with limit, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database is not answering")
        return False
    return True


def _cache_answers():
    # Only the Redis backend can be away; the in-process caches always answer.
    is_available = getattr(cache, "is_available", None)
    return is_available is None or is_available()


@never_cache
@require_safe
def healthz(request):
    """Whether this app server can serve, for load balancers and monitoring.

    200 while the database answers, 503 when it does not. The cache only speeds pages up,
    so a cache that is down makes the server "degraded", still 200. One line per part;
    the body never says why something failed: the reason goes to the log.
    """
    database, cache_ok = _database_answers(), _cache_answers()
    status = "ok" if database and cache_ok else "degraded" if database else "unavailable"
    lines = [
        f"status: {status}",
        f"database: {'ok' if database else 'unavailable'}",
        f"cache: {'ok' if cache_ok else 'unavailable'}",
    ]
    return HttpResponse(
        "".join(f"{line}\n" for line in lines),
        status=200 if database else 503,
        content_type="text/plain",
    )
