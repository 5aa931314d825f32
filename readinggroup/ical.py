"""iCalendar (RFC 5545) for sessions: a subscribable calendar and one file per session.

The ``icalendar`` package writes the text, so line folding at 75 octets, CRLF line
ends and the escaping of ``,``, ``;``, ``\\`` and newlines follow the RFC; this module
only decides what each event says. Times are written in UTC (``…Z``), which every
calendar application reads without a VTIMEZONE block.
"""

import datetime
import html
import re
from typing import NamedTuple

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from papers.identity import site_name
from papers.site.addresses import absolute_url, path_format, site_host
from papers.site.cache import kept_values, public_page
from papers.site.feeds import feed_text
from papers.site.prefetch import as_lists, listed
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


class _EventFacts(NamedTuple):
    """Everything one ``VEVENT`` says, read from a session and what it links to.

    The event is made from these alone, and kept under their digest: whatever changes
    (the session's row, a presenter's or tag's name, the paper's title or publication,
    the summary's wiki-links written again without a save, ``SITE_URL``) gives another
    key, so a kept event can never be out of date, and no receiver has to drop it.
    """

    pk: int
    number: int
    url: str
    host: str
    edit_version: int
    cancelled: bool
    updated_at: datetime.datetime
    created_at: datetime.datetime
    scheduled_at: datetime.datetime
    ends_at: datetime.datetime
    title: str
    summary_html: str
    presenters: tuple[str, ...]
    paper_title: str | None  # None: no paper, or one not published
    meeting_url: str
    location: str
    tags: tuple[str, ...]


def _names(presentation, relation):
    return tuple(row.name for row in listed(presentation, relation))


def _facts(presentation, path, host):
    """The facts of ``presentation``; ``path``: number → path; ``host``: the site's."""
    paper = presentation.paper
    return _EventFacts(
        pk=presentation.pk,
        number=presentation.number,
        # The UID and URL come from SITE_URL: a calendar application matches updates by
        # UID, so it must never change with the Host header of whoever fetched the file.
        url=absolute_url(path(presentation.number)),
        host=host,
        edit_version=presentation.edit_version,
        cancelled=presentation.cancelled,
        updated_at=presentation.updated_at,
        created_at=presentation.created_at,
        scheduled_at=presentation.scheduled_at,
        ends_at=presentation.ends_at,
        title=presentation.title,
        summary_html=presentation.summary_html,
        presenters=_names(presentation, "presenters"),
        paper_title=paper.title if paper is not None and paper.is_published else None,
        meeting_url=presentation.meeting_url,
        location=presentation.location,
        # By name: the tags' prefetch gives no stable order on PostgreSQL, and an order
        # that moves would be another key (and another file) for the same event.
        tags=tuple(sorted(_names(presentation, "tags"), key=str.casefold)),
    )


def _description(facts):
    parts = ["This session is cancelled."] if facts.cancelled else []
    summary = plain_text(facts.summary_html)
    if summary:
        if len(summary) > MAX_DESCRIPTION:
            summary = summary[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + "…"
        parts.append(summary)
    presenters = ", ".join(facts.presenters)
    if presenters:
        parts.append(f"Presented by {presenters}.")
    if facts.paper_title is not None:
        parts.append(f"Paper: {facts.paper_title}")
    if facts.meeting_url:
        parts.append(f"Join online: {facts.meeting_url}")
    parts.append(f"Details, slides and recording: {facts.url}")
    return "\n\n".join(parts)


def _event(facts):
    from icalendar import Event  # see calendar_bytes()

    event = Event()
    event.add("uid", f"presentation-{facts.pk}@{facts.host}")
    # Every save bumps edit_version: a calendar application takes the higher SEQUENCE as
    # the newer copy of the event, so a cancellation or a new time replaces what it had.
    event.add("sequence", facts.edit_version)
    event.add("status", "CANCELLED" if facts.cancelled else "CONFIRMED")
    event.add("dtstamp", _utc(facts.updated_at))
    event.add("last-modified", _utc(facts.updated_at))
    event.add("created", _utc(facts.created_at))
    event.add("dtstart", _utc(facts.scheduled_at))
    event.add("dtend", _utc(facts.ends_at))
    # Every text value goes through the one sanitiser of feeds and calendars.
    title = feed_text(
        ("Cancelled: " if facts.cancelled else "") + f"Reading group {facts.number}: {facts.title}"
    )
    event.add("summary", title)
    event.add("description", feed_text(_description(facts)))
    event.add("url", facts.url)
    location = feed_text(facts.location or facts.meeting_url)
    if location:
        event.add("location", location)
    tags = [feed_text(tag) for tag in facts.tags]
    if tags:
        event.add("categories", tags)
    return event


def _events_ical(presentations):
    """The ``VEVENT`` text (bytes) of each presentation, in order, each kept under its facts.

    Writing an event (line folding, escaping, the summary as plain text) was 339 ms of
    CPU for the 481 sessions of the synthetic group; a calendar made again after a save
    now writes only the events whose facts changed.
    """
    path, host = path_format("readinggroup:presentation_detail"), site_host()
    facts = [_facts(presentation, path, host) for presentation in presentations]
    return kept_values("vevent", facts, lambda one: _event(one).to_ical())


_END = b"END:VCALENDAR\r\n"


def calendar_bytes(presentations, name=None):
    """The ``VCALENDAR`` text (bytes) with one ``VEVENT`` per presentation
    (``_calendar_rows()``); the same bytes as ``icalendar`` writes for the whole calendar,
    whose last line closes it after the events."""
    # icalendar is imported when a calendar is written: the members' admin imports this
    # module in every process, and icalendar (with dateutil's zones) costs ~0.1 s to load.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", f"-//{site_name()}//Reading group//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", feed_text(name or f"{site_name()} reading group"))
    head = calendar.to_ical().removesuffix(_END)
    return b"".join([head, *_events_ical(presentations), _END])


# The session's own columns ``_facts()`` reads.
_ROW_FIELDS = (
    "number", "edit_version", "cancelled", "updated_at", "created_at", "scheduled_at",
    "ends_at", "title", "summary_html", "meeting_url", "location", "paper",
)  # fmt: skip


def _calendar_rows():
    """Published sessions with what an event shows, and none of the long columns it does not
    (the search document, the Markdown source, the paper's abstract and notes)."""
    return (
        Presentation.objects.published()
        .select_related("paper")
        .only(*_ROW_FIELDS, "paper__title", "paper__status")
        .prefetch_related(*as_lists("presenters", "tags"))
    )


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
    sessions = _calendar_rows().order_by("scheduled_at", "number")
    return _response(calendar_bytes(sessions))


@require_safe
@public_page
def presentation_ics(request, number):
    """One session as a file to add to a calendar."""
    presentation = get_object_or_404(_calendar_rows(), number=int(number))
    name = f"{site_name()} reading group {presentation.number}"
    return _response(
        calendar_bytes([presentation], name=name),
        filename=f"reading-group-{presentation.number}.ics",
    )
