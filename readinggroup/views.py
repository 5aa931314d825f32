"""Public pages of the reading group: the session list, a session, its slides."""

import hashlib

from csp.constants import SELF
from csp.decorators import csp_replace
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from papers import identity, related
from papers.cards import render_cards
from papers.models import LONG_TEXT_FIELDS, SEARCH_FIELDS, Paper
from papers.site.cache import cached_value, public_page
from papers.site.media import signed_pdf_url
from readinggroup.cards import SESSION_CARDS
from readinggroup.metadata import event_jsonld
from readinggroup.models import Presentation

PAGE_SIZE = 12
READ_NEXT_SESSIONS = 5
MAX_UPCOMING = 20
SESSION_TEXTS = ("summary", "summary_html", *SEARCH_FIELDS)
PAPER_TEXTS = (*LONG_TEXT_FIELDS, *SEARCH_FIELDS)


@require_safe
@public_page
def presentation_list(request):
    """Next session, the others coming up, and past sessions newest first (paginated)."""
    now = timezone.now()
    sessions = Presentation.objects.published().for_cards().past(now)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "past_sessions": page.object_list,
        # Kept per session (readinggroup/cards.py): presenters and tags read only for the
        # cards not kept.
        "past_cards": SESSION_CARDS.render(request, page.object_list),
        # Upcoming sessions belong to the first page only; later pages are the archive.
        **(_coming_up(request, now) if page.number == 1 else {"next_session": None}),
    }
    return render(request, "readinggroup/presentation_list.html", context)


def _coming_up(request, now):
    """The first page's "Coming up" and "Read next" sections: the sessions, and their HTML.

    Kept until the content changes (``cached_value``): a save, or a session ending (the
    moments of ``cache.schedule``), which is when a session leaves "Coming up". Five
    queries, the ranking of ``_read_next`` and most of the page's template otherwise.
    """

    def make():
        # What "Coming up" shows: each session's presenters and its paper's title and
        # address, not their long texts (a paper's search document is most of its row).
        upcoming = list(
            Presentation.objects.published()
            .select_related("paper")
            .defer(*SESSION_TEXTS, *(f"paper__{name}" for name in PAPER_TEXTS))
            .prefetch_related("presenters")
            .upcoming(now)[:MAX_UPCOMING]
        )
        # The next session is one going ahead; a cancelled one stays listed, marked, under it.
        next_session = next((session for session in upcoming if not session.cancelled), None)
        sections = {
            "next_session": next_session,
            "later_sessions": [session for session in upcoming if session is not next_session],
            "read_next": _read_next(),
        }
        # A plain context (the site settings given, as their context processor would).
        html = render_to_string(
            "readinggroup/_coming_up.html", {**sections, "site": identity.current(request)}
        )
        return {**sections, "coming_up": html}

    return cached_value(request, "reading-group-coming-up", [], make)


def _read_next():
    """Papers not presented yet, near the last sessions' (papers/related.py ranks them).

    One query for the sessions (each one's paper, and whether it is a past public one),
    then the ranking's three.
    """
    past = Presentation.objects.published().past(timezone.now())
    sessions = list(
        Presentation.objects.exclude(paper=None)
        .annotate(shown=ExpressionWrapper(Q(pk__in=past.values("pk")), BooleanField()))
        .newest_first()
        .values_list("number", "paper_id", "shown")
    )
    recent = [(f"session {number}", paper) for number, paper, shown in sessions if shown]
    presented = {paper for _, paper, _ in sessions}
    return related.read_next(recent[:READ_NEXT_SESSIONS], exclude=presented)


def _around(request, presentation, paper):
    """The previous and next sessions and the papers like the session's paper: kept until
    the content changes (three queries of a page made again after it left the page
    cache; any save that changes them, a scheduled moment and the related papers' job
    move the content version)."""

    def compute():
        neighbours = Presentation.objects.published().only("number", "title")
        number = presentation.number
        return (
            neighbours.filter(number__lt=number).order_by("-number").first(),
            neighbours.filter(number__gt=number).order_by("number").first(),
            related.related_to(paper) if paper else [],
        )

    parts = [presentation.number, paper.pk if paper else None]
    return cached_value(request, "session-around", parts, compute)


@require_safe
@public_page
def presentation_detail(request, number):
    presentation = get_object_or_404(
        Presentation.objects.published().for_list(), number=int(number)
    )
    paper = None
    if presentation.paper_id:
        # Only a published paper gets a card, the kept one (papers/cards.py): its byline
        # and tags are read when the card is not kept only.
        paper = Paper.objects.published().for_cards().filter(pk=presentation.paper_id).first()
    previous_session, next_in_line, similar = _around(request, presentation, paper)
    context = {
        "presentation": presentation,
        "paper": paper,
        "paper_card": render_cards(request, [paper])[0] if paper else None,
        "jsonld": event_jsonld(presentation, paper),
        "previous_session": previous_session,
        "next_in_line": next_in_line,
        "similar": similar,
    }
    return render(request, "readinggroup/presentation_detail.html", context)


@require_safe
@xframe_options_sameorigin  # the session page embeds the PDF in an <iframe>
@csp_replace({"frame-ancestors": [SELF]})  # …which the site-wide frame-ancestors 'none' forbids
def presentation_slides(request, number, download=False):
    """The slides PDF, served with headers that keep a browser from guessing its type."""
    presentation = get_object_or_404(
        Presentation.objects.published().only("number", "slug", "slides", "slides_state", "status"),
        number=int(number),
    )
    if not presentation.slides_public:  # none, or not checked yet (readinggroup/slides.py)
        raise Http404("This session has no slides.")
    # Object storage (MEDIA_STORAGE=s3): the browser fetches the private object itself
    # through a short-lived signed URL; the CSP's frame-src allows the storage's origin.
    signed = signed_pdf_url(
        presentation.slides, filename=presentation.slides_filename, download=download
    )
    if signed:
        response = HttpResponseRedirect(signed)
        patch_cache_control(response, private=True, max_age=600)  # well within the expiry
        return response
    # The stored name is random and changes with every upload: a stable, cheap ETag.
    etag = '"' + hashlib.sha256(presentation.slides.name.encode()).hexdigest()[:32] + '"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        handle = presentation.slides.storage.open(presentation.slides.name, "rb")
    except OSError:
        raise Http404("The slides file is missing.") from None
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=download,
        filename=presentation.slides_filename,
    )
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=300)
    return response
