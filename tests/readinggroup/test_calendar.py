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
