"""iCalendar (RFC 5545) for sessions: a subscribable calendar and one file per session.

The ``icalendar`` package writes the text, so line folding at 75 octets, CRLF line
ends and the escaping of ``,``, ``;``, ``\\`` and newlines follow the RFC; this module
only decides what each event says. Times are written in UTC (``…Z``), which every
calendar application reads without a VTIMEZONE block.
"""

import datetime
import html
import re

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from papers.identity import site_name
from papers.site.addresses import absolute_url, site_host
from papers.site.cache import public_page
from papers.site.feeds import feed_text
from readinggroup.models import Presentation

MAX_DESCRIPTION = 2000
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _utc(moment):
    return moment.astimezone(datetime.UTC)


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|pre|blockquote|div|tr|table|ul|ol)>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(fragment):
    """Readable text from sanitised HTML: blocks stay apart, tags and entities go."""
    text = html.unescape(strip_tags(_BLOCK_END.sub(lambda m: m.group(0) + "\n", fragment)))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _description(presentation, session_url):
    parts = ["This session is cancelled."] if presentation.cancelled else []
    summary = plain_text(presentation.summary_html)
    if summary:
        if len(summary) > MAX_DESCRIPTION:
            summary = summary[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + "…"
        parts.append(summary)
    presenters = ", ".join(presenter.name for presenter in presentation.presenters.all())
    if presenters:
        parts.append(f"Presented by {presenters}.")
    paper = presentation.paper
    if paper is not None and paper.is_published:
        parts.append(f"Paper: {paper.title}")
    if presentation.meeting_url:
        parts.append(f"Join online: {presentation.meeting_url}")
    parts.append(f"Details, slides and recording: {session_url}")
    return "\n\n".join(parts)


def _event(presentation):
    # The UID and URL come from SITE_URL: a calendar application matches updates by UID,
    # so it must never change with the Host header of whoever fetched the file.
    url = absolute_url(presentation.get_absolute_url())
    event = Event()
    event.add("uid", f"presentation-{presentation.pk}@{site_host()}")
    # Every save bumps edit_version: a calendar application takes the higher SEQUENCE as
    # the newer copy of the event, so a cancellation or a new time replaces what it had.
    event.add("sequence", presentation.edit_version)
    event.add("status", "CANCELLED" if presentation.cancelled else "CONFIRMED")
    event.add("dtstamp", _utc(presentation.updated_at))
    event.add("last-modified", _utc(presentation.updated_at))
    event.add("created", _utc(presentation.created_at))
    event.add("dtstart", _utc(presentation.scheduled_at))
    event.add("dtend", _utc(presentation.ends_at))
    # Every text value goes through the one sanitiser of feeds and calendars.
    title = feed_text(
        ("Cancelled: " if presentation.cancelled else "")
        + f"Reading group {presentation.number}: {presentation.title}"
    )
    event.add("summary", title)
    event.add("description", feed_text(_description(presentation, url)))
    event.add("url", url)
    location = feed_text(presentation.location or presentation.meeting_url)
    if location:
        event.add("location", location)
    tags = [feed_text(tag.name) for tag in presentation.tags.all()]
    if tags:
        event.add("categories", tags)
    return event


def calendar_bytes(presentations, name=None):
    """The ``VCALENDAR`` text (bytes) with one ``VEVENT`` per presentation."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{site_name()}//Reading group//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", feed_text(name or f"{site_name()} reading group"))
    for presentation in presentations:
        calendar.add_component(_event(presentation))
    return calendar.to_ical()


def _response(content, filename=None):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Calendar applications poll; a few minutes of caching spares the database.
    patch_cache_control(response, public=True, max_age=600)
    return response


@require_safe
@public_page
def calendar_feed(request):
    """Every published session, past and upcoming: the URL people subscribe to."""
    sessions = Presentation.objects.published().for_list().order_by("scheduled_at", "number")
    return _response(calendar_bytes(sessions))


@require_safe
@public_page
def presentation_ics(request, number):
    """One session as a file to add to a calendar."""
    presentation = get_object_or_404(
        Presentation.objects.published().for_list(), number=int(number)
    )
    name = f"{site_name()} reading group {presentation.number}"
    return _response(
        calendar_bytes([presentation], name=name),
        filename=f"reading-group-{presentation.number}.ics",
    )
