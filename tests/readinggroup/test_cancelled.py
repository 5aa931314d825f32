"""A cancelled session (issue 19, 4): still on the public pages, marked; removed from
calendars (STATUS:CANCELLED, read back by a real parser); its day free again; and the
presenter's turn used in the rotation."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from readinggroup import queue
from readinggroup.models import Presentation
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import make_member, suggestion

pytestmark = pytest.mark.django_db


def _event(client, url):
    response = client.get(url)
    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    return event


def _cancel(session):
    session.cancelled = True
    session.save()
    return session


def test_a_cancelled_session_leaves_calendars_with_a_higher_sequence(client):
    session = PresentationFactory(upcoming=True, title="Called Off")
    url = reverse("readinggroup:presentation_ics", args=[session.number])
    before = _event(client, url)
    assert str(before["STATUS"]) == "CONFIRMED"
    _cancel(session)
    after = _event(client, url)
    assert str(after["STATUS"]) == "CANCELLED"
    # Same event (UID), newer copy (SEQUENCE): calendar applications replace it.
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["SUMMARY"]).startswith("Cancelled: ")
    assert "This session is cancelled." in str(after["DESCRIPTION"])
    calendar = Calendar.from_ical(client.get(reverse("readinggroup:calendar")).content)
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]


def test_the_session_page_says_cancelled_and_offers_no_calendar_or_call(client):
    session = _cancel(PresentationFactory(upcoming=True))
    response = client.get(session.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "This session is cancelled." in body
    assert "Add to calendar" not in body and "Join online" not in body
    (jsonld,) = [
        json.loads(block)
        for block in body.split('<script type="application/ld+json">')[1:]
        for block in [block.split("</script>")[0]]
    ]
    assert jsonld["eventStatus"] == "https://schema.org/EventCancelled"


def test_the_next_session_is_the_next_one_going_ahead(client):
    now = timezone.now()
    called_off = _cancel(PresentationFactory(scheduled_at=now + dt.timedelta(days=2)))
    going = PresentationFactory(scheduled_at=now + dt.timedelta(days=9), title="Going Ahead")
    listing = client.get(reverse("readinggroup:presentation_list"))
    assert listing.context["next_session"] == going
    assert listing.context["later_sessions"] == [called_off]
    assert "Cancelled</strong>" in listing.content.decode()
    assert client.get(reverse("home")).context["next_session"] == going


def test_a_past_cancelled_session_is_marked_in_the_archive_and_the_feed(client):
    _cancel(PresentationFactory(title="Snowed In"))
    listing = client.get(reverse("readinggroup:presentation_list")).content.decode()
    assert "badge-cancelled" in listing
    feed = client.get(reverse("readinggroup:feed")).content.decode()
    assert "Cancelled: Session" in feed


def test_a_cancelled_session_frees_its_slot_and_clashes_with_nothing(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        slot = queue.next_free_slot()
        session = PresentationFactory(scheduled_at=slot)
        assert queue.next_free_slot() > slot
        _cancel(session)
        assert queue.next_free_slot() == slot
        other = Presentation(scheduled_at=slot, ends_at=slot + dt.timedelta(hours=1))
        assert not other.clashes().exists()


def test_the_paper_of_a_cancelled_session_can_be_suggested_again():
    member = make_member()
    session = PresentationFactory(upcoming=True)
    with pytest.raises(queue.QueueError, match="already presented"):
        queue.suggest(member, session.paper, "Again, please.")
    _cancel(session)
    again = queue.suggest(member, session.paper, "It was called off: again, please.")
    assert again.is_open and again.paper == session.paper


def test_the_rotation_counts_a_cancelled_session_as_a_turn():
    now = timezone.now()
    presented, cancelled_late, cancelled_ahead = (
        make_member(name) for name in ("Presented Long Ago", "Cancelled Last Month", "Cancelled")
    )
    PresentationFactory(
        scheduled_at=now - dt.timedelta(days=200), presenters=[presented.ensure_presenter()]
    )
    _cancel(
        PresentationFactory(
            scheduled_at=now - dt.timedelta(days=30), presenters=[cancelled_late.ensure_presenter()]
        )
    )
    # Called off for next week: not "already scheduled" any more, but their turn is used.
    _cancel(PresentationFactory(upcoming=True, presenters=[cancelled_ahead.ensure_presenter()]))
    rows = queue.rotation(suggestion(PaperFactory()))
    assert [row.member.name for row in rows] == [
        "Presented Long Ago",
        "Cancelled Last Month",
        "Cancelled",
    ]
    assert [(row.sessions, row.cancelled) for row in rows] == [(1, 0), (1, 1), (1, 1)]
