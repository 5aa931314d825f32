"""iCalendar (RFC 5545) for sessions: a subscribable calendar and one file per session.

The ``icalendar`` package writes the text, so line folding at 75 octets, CRLF line
ends and the escaping of ``,``, ``;``, ``\\`` and newlines follow the RFC; this module
only decides what each event says. Times are written in UTC (``…Z``), which every
calendar application reads without a VTIMEZONE block.
"""

import datetime
import html
import re
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Field, Func
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from papers.content.base import Status
from papers.identity import site_name
from papers.site.addresses import absolute_url, path_format, site_host
from papers.site.cache import kept_values, public_page, rows_digest
from papers.site.feeds import feed_text
from readinggroup.models import Presentation, TaggedPresentation

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


class _Stamp(Func):
    """A timestamp column as the database has it, not loaded as a ``datetime``: the
    microseconds since the epoch on PostgreSQL (exact: ``EXTRACT`` gives a numeric), the
    stored text elsewhere (SQLite: UTC, as Django writes it). Django's loader of PostgreSQL
    timestamps is psycopg's Python one (its C loader is bypassed by Django's subclass):
    the 1,924 timestamps of 481 sessions were 5–9 ms of CPU, more than the rest of a
    calendar read from the cache. ``_moment()`` makes the ``datetime``, when an event is
    written."""

    # A CAST: the column itself has a declared type that sqlite3 converts (detect_types).
    template = "CAST(%(expressions)s AS text)"
    output_field = Field()  # no converter of Django's

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _moment(stamp):
    """The aware ``datetime`` (UTC) of a ``_Stamp``."""
    if isinstance(stamp, int):
        return _EPOCH + datetime.timedelta(microseconds=stamp)
    moment = parse_datetime(stamp)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, connection.timezone)
    return moment.astimezone(datetime.UTC)


# The moments an event shows, read as ``_Stamp``s.
_MOMENTS = ("updated_at", "created_at", "scheduled_at", "ends_at")
# A session's other columns an event shows, and its paper's title and status, in this order.
_ROW_VALUES = (
    "pk", "number", "edit_version", "cancelled", "title", "summary_html", "meeting_url",
    "location", "paper__title", "paper__status", *(f"{name}_stamp" for name in _MOMENTS),
)  # fmt: skip


def _rows(sessions):
    """What the events of ``sessions`` (a queryset, in the calendar's order) show, as plain
    rows: the sessions' (with their papers'), then (session, name) of their presenters and
    of their tags, each in a stable order. Three queries and no model instance: loading
    481 sessions with their papers, presenters and tags was ~2,000 model instances, most
    of the calendar's CPU once its events were kept."""
    keys = sessions.order_by().values("pk")
    stamps = {f"{name}_stamp": _Stamp(name) for name in _MOMENTS}
    return (
        list(sessions.annotate(**stamps).values_list(*_ROW_VALUES)),
        list(
            Presentation.presenters.through.objects.filter(presentation__in=keys)
            .order_by("presentation_id", "presenter__name")
            .values_list("presentation_id", "presenter__name")
        ),
        list(
            TaggedPresentation.objects.filter(content_object__in=keys)
            .order_by("content_object_id", "tag__name")
            .values_list("content_object_id", "tag__name")
        ),
    )


def _by_session(pairs):
    names = defaultdict(list)
    for session, name in pairs:
        names[session].append(name)
    return names


def _facts(rows, presenters, tags, path, host):
    """The ``_EventFacts`` of each row of ``_rows()``; ``path``: number → path; ``host``:
    the site's."""
    presenters, tags = _by_session(presenters), _by_session(tags)
    facts = []
    for row in rows:
        (pk, number, edit_version, cancelled, title, summary_html, meeting_url, location,
         paper_title, paper_status, *stamps) = row  # fmt: skip
        updated_at, created_at, scheduled_at, ends_at = (_moment(stamp) for stamp in stamps)
        facts.append(
            _EventFacts(
                pk=pk,
                number=number,
                # The UID and URL come from SITE_URL: a calendar application matches
                # updates by UID, so it must never change with the Host header of whoever
                # fetched the file.
                url=absolute_url(path(number)),
                host=host,
                edit_version=edit_version,
                cancelled=cancelled,
                updated_at=updated_at,
                created_at=created_at,
                scheduled_at=scheduled_at,
                ends_at=ends_at,
                title=title,
                summary_html=summary_html,
                # By name (Presenter's order).
                presenters=tuple(presenters[pk]),
                # None: no paper, or one not published (the paper's one visibility rule).
                paper_title=paper_title if paper_status == Status.PUBLISHED else None,
                meeting_url=meeting_url,
                location=location,
                # By name, case aside: an order that moved would be another key (and
                # another file) for the same event.
                tags=tuple(sorted(tags[pk], key=str.casefold)),
            )
        )
    return facts


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


def _events_ical(facts):
    """The ``VEVENT`` text (bytes) of each of ``facts``, in order, each kept under its facts.

    Writing an event (line folding, escaping, the summary as plain text) was 339 ms of
    CPU for the 481 sessions of the synthetic group; a calendar made again after a change
    writes only the events whose facts changed.
    """
    return kept_values("vevent", facts, lambda one: _event(one).to_ical())


_END = b"END:VCALENDAR\r\n"


def calendar_bytes(sessions, name=None):
    """The ``VCALENDAR`` text (bytes) with one ``VEVENT`` per session of ``sessions`` (a
    queryset, in order); the same bytes as ``icalendar`` writes for the whole calendar,
    whose last line closes it after the events.

    The whole text is kept under what it is made from: the rows ``_rows()`` reads, the
    site's name and ``SITE_URL`` (the code is in every kept key). So whatever an event
    shows changes the key (a presenter or tag renamed, a paper's title or publication, a
    summary rewritten without a save), and a calendar asked again after a save elsewhere
    is three queries and one cache read, not 481 events joined.
    """
    path, host = path_format("readinggroup:presentation_detail"), site_host()
    calname = feed_text(name or f"{site_name()} reading group")
    prodid = f"-//{site_name()}//Reading group//EN"
    rows = _rows(sessions)

    def make(_):
        # icalendar is imported when a calendar is written: the members' admin imports this
        # module in every process, and icalendar (with dateutil's zones) costs ~0.1 s to load.
        from icalendar import Calendar

        calendar = Calendar()
        calendar.add("prodid", prodid)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", calname)
        head = calendar.to_ical().removesuffix(_END)
        return b"".join([head, *_events_ical(_facts(*rows, path, host)), _END])

    facts = (prodid, calname, settings.SITE_URL, host, rows_digest(rows))
    [content] = kept_values("calendar", [facts], make)
    return content


def _response(content, filename=None):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Calendar applications poll; a few minutes of caching spares the database.
    patch_cache_control(response, public=True, max_age=600)
    return response


def _published():
    return Presentation.objects.published()


@require_safe
@public_page
def calendar_feed(request):
    """Every published session, past and upcoming: the URL people subscribe to."""
    return _response(calendar_bytes(_published().order_by("scheduled_at", "number")))


@require_safe
@public_page
def presentation_ics(request, number):
    """One session as a file to add to a calendar."""
    number = int(number)
    session = _published().filter(number=number)
    if not session.exists():
        raise Http404("No published session has this number.")
    name = f"{site_name()} reading group {number}"
    return _response(calendar_bytes(session, name=name), filename=f"reading-group-{number}.ics")
