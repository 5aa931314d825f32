"""The .ics calendar: every published session, valid RFC 5545 read back by a real parser."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.readinggroup.factories import (
    PresentationFactory,
    PresenterFactory,
    session_with_everything,
)

pytestmark = pytest.mark.django_db


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, calendar.walk("VEVENT")


def test_calendar_lists_every_published_session_past_and_upcoming(client):
    past = PresentationFactory(title="Past session")
    upcoming = PresentationFactory(upcoming=True, title="Next session")
    PresentationFactory(draft=True, title="Draft session")
    calendar, events = _events(client.get(reverse("readinggroup:calendar")))
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    summaries = [str(event["SUMMARY"]) for event in events]
    assert summaries == [
        f"Reading group {past.number}: Past session",
        f"Reading group {upcoming.number}: Next session",
    ]
    assert "Draft session" not in response_text(client)


def response_text(client):
    """The whole calendar as text."""
    return client.get(reverse("readinggroup:calendar")).content.decode()


def test_event_has_the_required_properties_in_utc(client):
    start = datetime.datetime(2025, 4, 10, 17, 0, tzinfo=datetime.UTC)
    presentation = PresentationFactory(scheduled_at=start, duration_minutes=75)
    _, [event] = _events(client.get(reverse("readinggroup:calendar")))
    assert str(event["UID"]) == f"presentation-{presentation.pk}@testserver"
    assert event["DTSTART"].dt == start
    assert event["DTEND"].dt == start + datetime.timedelta(minutes=75)
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert str(event["URL"]) == f"http://testserver{presentation.get_absolute_url()}"
    assert "Details, slides and recording" in str(event["DESCRIPTION"])
    raw = response_text(client)
    assert "DTSTART:20250410T170000Z\r\n" in raw
    assert "DTEND:20250410T181500Z\r\n" in raw
    assert "\nDTSTAMP:" in raw


def test_times_in_another_zone_are_written_in_utc(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    from zoneinfo import ZoneInfo

    start = datetime.datetime(2025, 7, 1, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    PresentationFactory(scheduled_at=start)
    raw = response_text(client)
    assert "DTSTART:20250701T170000Z\r\n" in raw


def test_text_is_escaped_and_long_lines_are_folded(client):
    title = "Commas, semicolons; and back\\slashes " + "long " * 30
    presentation = PresentationFactory(
        number=1,
        title=title.strip(),
        summary="Line one\n\nLine two, with a comma; and a semicolon",
        location="Room 1, Building B; floor 2",
        presenters=[PresenterFactory(name="Doe, Jane")],
    )
    raw = client.get(reverse("readinggroup:presentation_ics", args=[presentation.number]))
    text = raw.content.decode()
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Reading group 1: Commas\\, semicolons\\; and back\\\\slashes long" in unfolded
    assert "LOCATION:Room 1\\, Building B\\; floor 2" in unfolded
    _, [event] = _events(raw)
    assert str(event["SUMMARY"]).startswith("Reading group ")
    assert title.strip() in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "Room 1, Building B; floor 2"
    description = str(event["DESCRIPTION"])
    assert "Line one\n\nLine two, with a comma; and a semicolon" in description
    assert "Presented by Doe, Jane." in description


def test_description_is_plain_text_from_the_sanitised_summary(client):
    presentation = PresentationFactory(summary="**Bold** & <script>alert(1)</script> done")
    _, [event] = _events(
        client.get(reverse("readinggroup:presentation_ics", args=[presentation.number]))
    )
    description = str(event["DESCRIPTION"])
    assert description.startswith("Bold & ")
    assert "<" not in description


def test_single_session_file_is_an_attachment(client):
    presentation = PresentationFactory(upcoming=True)
    response = client.get(reverse("readinggroup:presentation_ics", args=[presentation.number]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="reading-group-{presentation.number}.ics"'
    )
    _, [event] = _events(response)
    assert str(event["LOCATION"]) == presentation.location


def test_draft_or_unknown_session_has_no_ics(client):
    draft = PresentationFactory(draft=True)
    assert client.get(f"/reading-group/{draft.number}.ics").status_code == 404
    assert client.get("/reading-group/12345.ics").status_code == 404


def test_empty_calendar_is_still_valid(client):
    calendar, events = _events(client.get(reverse("readinggroup:calendar")))
    assert events == []
    assert calendar["VERSION"] == "2.0"


@pytest.mark.parametrize("n", [1, 10])
def test_calendar_query_count_does_not_grow(client, django_assert_max_num_queries, n):
    for _ in range(n):
        session_with_everything()
    # sessions (with their paper), presenters, tags; the site's name (site settings)
    with django_assert_max_num_queries(4):
        _, events = _events(client.get(reverse("readinggroup:calendar")))
    assert len(events) == n


# --- events kept per session (readinggroup/ical.py, ``kept_values``) ----------------------


def _calendar(client):
    return client.get(reverse("readinggroup:calendar")).content


def _whole_calendar_through_icalendar(presentations):
    """The calendar as ``icalendar`` writes it in one piece: the events added to it."""
    from readinggroup import ical

    calendar = Calendar()
    calendar.add("prodid", f"-//{ical.site_name()}//Reading group//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{ical.site_name()} reading group")
    path = ical.path_format("readinggroup:presentation_detail")
    for presentation in presentations:
        calendar.add_component(ical._event(_facts_of_instance(presentation, path)))
    return calendar.to_ical()


def _facts_of_instance(presentation, path):
    """An event's facts read from the model instances, not from the rows the view reads."""
    from papers.site.addresses import absolute_url
    from readinggroup import ical

    paper = presentation.paper
    return ical._EventFacts(
        pk=presentation.pk,
        number=presentation.number,
        url=absolute_url(path(presentation.number)),
        host="testserver",
        edit_version=presentation.edit_version,
        cancelled=presentation.cancelled,
        updated_at=presentation.updated_at,
        created_at=presentation.created_at,
        scheduled_at=presentation.scheduled_at,
        ends_at=presentation.ends_at,
        title=presentation.title,
        summary_html=presentation.summary_html,
        presenters=tuple(presenter.name for presenter in presentation.presenters.all()),
        paper_title=paper.title if paper is not None and paper.is_published else None,
        meeting_url=presentation.meeting_url,
        location=presentation.location,
        tags=tuple(sorted((tag.name for tag in presentation.tags.all()), key=str.casefold)),
    )


def test_joined_events_are_the_bytes_icalendar_writes_for_the_whole_calendar(client):
    sessions = [
        session_with_everything(title="Commas, semicolons; and a long title " + "word " * 20),
        PresentationFactory(upcoming=True, cancelled=True),
        PresentationFactory(paper=None, summary=""),
    ]
    for _ in range(2):  # made, then joined from the kept events
        assert _calendar(client) == _whole_calendar_through_icalendar(
            sorted(sessions, key=lambda s: (s.scheduled_at, s.number))
        )
        from papers.site.cache import bump_content_version

        bump_content_version()


def test_calendar_after_a_save_elsewhere_writes_no_event_again(client, monkeypatch):
    import icalendar
    from icalendar import Event

    from papers.site.cache import bump_content_version

    for _ in range(3):
        session_with_everything()
    made = []

    class CountedEvent(Event):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    # readinggroup/ical.py imports icalendar's Event when it writes an event.
    monkeypatch.setattr(icalendar, "Event", CountedEvent)
    first = _calendar(client)
    assert len(made) == 3
    bump_content_version()  # any save: the page is made again, its events are kept
    assert _calendar(client) == first
    assert len(made) == 3
    PresentationFactory(title="A new session")
    assert b"A new session" in _calendar(client)
    assert len(made) == 4  # only the new one written


def _description_of(client, presentation):
    _, events = _events(client.get(reverse("readinggroup:calendar")))
    [event] = [e for e in events if str(e["UID"]).startswith(f"presentation-{presentation.pk}@")]
    return str(event["DESCRIPTION"]), event


def test_kept_events_show_every_change_at_the_next_request(client):
    """What an event shows beyond its session's row: presenters, tags, the paper, and the
    summary's wiki-links written again without a save of the session."""
    presenter = PresenterFactory(name="Ada Lovelace")
    presentation = PresentationFactory(presenters=[presenter], tags=["graphs"])
    description, event = _description_of(client, presentation)
    assert "Presented by Ada Lovelace." in description
    assert f"Paper: {presentation.paper.title}" in description
    assert [str(c) for c in event["CATEGORIES"].cats] == ["graphs"]

    presenter.name = "Ada King"
    presenter.save()
    description, _ = _description_of(client, presentation)
    assert "Presented by Ada King." in description

    tag = presentation.tags.get()
    tag.name = "graph learning"
    tag.save()
    _, event = _description_of(client, presentation)
    assert [str(c) for c in event["CATEGORIES"].cats] == ["graph learning"]

    paper = presentation.paper
    paper.title = "A renamed paper"
    paper.save()
    description, _ = _description_of(client, presentation)
    assert "Paper: A renamed paper" in description
    paper.status = "draft"
    paper.save()
    description, _ = _description_of(client, presentation)
    assert "Paper:" not in description

    presentation.refresh_from_db()
    presentation.cancelled = True
    presentation.save()
    description, event = _description_of(client, presentation)
    assert description.startswith("This session is cancelled.")
    assert str(event["STATUS"]) == "CANCELLED"

    # The summary rewritten by a queryset update (as wiki-links are), no save, no new
    # updated_at: the event still follows, the page version being moved as they do.
    from papers.site.cache import bump_content_version
    from readinggroup.models import Presentation

    Presentation.objects.filter(pk=presentation.pk).update(summary_html="<p>Rewritten.</p>")
    bump_content_version()
    description, _ = _description_of(client, presentation)
    assert "Rewritten." in description


def test_event_addresses_follow_site_url(client, settings):
    presentation = PresentationFactory()
    _calendar(client)
    settings.SITE_URL = "https://papers.example.org"
    from papers.site.cache import bump_content_version

    bump_content_version()
    _, [event] = _events(client.get(reverse("readinggroup:calendar")))
    assert str(event["UID"]) == f"presentation-{presentation.pk}@papers.example.org"
    assert str(event["URL"]) == f"https://papers.example.org/reading-group/{presentation.number}/"


# --- the whole calendar kept under its rows (readinggroup/ical.py, ``calendar_bytes``) ----


def test_calendar_after_a_save_elsewhere_joins_no_event_and_loads_no_session(
    client, monkeypatch, django_assert_max_num_queries
):
    """Asked again after a save elsewhere, the calendar is its rows read as plain values
    and one cache read: no session loaded as a model instance, no event joined."""
    from papers.site.cache import bump_content_version
    from readinggroup import ical
    from readinggroup.models import Presentation

    for _ in range(3):
        session_with_everything()
    first = _calendar(client)

    def refuse(*args, **kwargs):
        raise AssertionError("the events were joined again")

    def no_instance(*args, **kwargs):
        raise AssertionError("a session was loaded as a model instance")

    monkeypatch.setattr(ical, "_events_ical", refuse)
    monkeypatch.setattr(Presentation, "from_db", no_instance)
    bump_content_version()
    # the sessions' rows, their presenters' and tags' names, the site's name
    with django_assert_max_num_queries(4):
        assert _calendar(client) == first


def _summaries(client):
    _, events = _events(client.get(reverse("readinggroup:calendar")))
    return {str(event["SUMMARY"]): event for event in events}


def test_the_kept_calendar_follows_links_publication_and_rows_written_without_a_save(
    client, settings
):
    """What the whole calendar is kept under changes with each of these, at the next
    request: a presenter or tag linked and unlinked, a session unpublished (a draft never
    shows), deleted or moved by a queryset update, the site's name."""
    from papers.models import SiteSettings
    from papers.site.cache import bump_content_version
    from readinggroup.models import Presentation

    session = PresentationFactory(number=7, title="Kept", tags=["graphs"])
    other = PresentationFactory(number=8, title="Other")
    event = _summaries(client)["Reading group 7: Kept"]
    assert "Presented by" not in str(event["DESCRIPTION"])

    session.presenters.add(PresenterFactory(name="Grace Hopper"))
    event = _summaries(client)["Reading group 7: Kept"]
    assert "Presented by Grace Hopper." in str(event["DESCRIPTION"])
    session.presenters.clear()
    event = _summaries(client)["Reading group 7: Kept"]
    assert "Presented by" not in str(event["DESCRIPTION"])

    session.tags.add("causality")
    event = _summaries(client)["Reading group 7: Kept"]
    assert sorted(str(c) for c in event["CATEGORIES"].cats) == ["causality", "graphs"]
    session.tags.remove("graphs", "causality")
    assert "CATEGORIES" not in _summaries(client)["Reading group 7: Kept"]

    later = session.scheduled_at.replace(microsecond=0) + datetime.timedelta(days=1)
    Presentation.objects.filter(pk=session.pk).update(
        scheduled_at=later, ends_at=later + datetime.timedelta(hours=1)
    )
    bump_content_version()  # what code writing rows without signals calls
    assert _summaries(client)["Reading group 7: Kept"]["DTSTART"].dt == later

    identity = SiteSettings.load()
    identity.site_name = "Renamed Shelf"
    identity.save()
    calendar, _ = _events(client.get(reverse("readinggroup:calendar")))
    assert str(calendar["X-WR-CALNAME"]) == "Renamed Shelf reading group"

    other.status = "draft"
    other.save()
    assert list(_summaries(client)) == ["Reading group 7: Kept"]
    assert b"Other" not in _calendar(client)
    session.delete()
    assert _summaries(client) == {}
