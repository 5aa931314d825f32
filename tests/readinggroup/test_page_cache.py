"""Session pages, the calendar and the feed come from the page cache until a save."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


def _urls(session):
    return [
        reverse("readinggroup:presentation_list"),
        session.get_absolute_url(),
        reverse("readinggroup:calendar"),
        reverse("readinggroup:presentation_ics", args=[session.number]),
        reverse("readinggroup:feed"),
    ]


def test_a_repeat_visit_costs_no_query_and_a_save_shows_at_once(client, django_assert_num_queries):
    session = PresentationFactory(title="Attention is all you need")
    for url in _urls(session):
        assert "Attention is all you need" in client.get(url).content.decode(), url
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
    session.title = "Attention once more"
    session.save()
    for url in _urls(session):
        assert "Attention once more" in client.get(url).content.decode(), url


def test_a_session_moves_to_the_past_when_it_ends_without_a_save(client):
    now = timezone.now()
    session = PresentationFactory(
        title="Ending soon", scheduled_at=now - datetime.timedelta(minutes=30)
    )
    url = reverse("readinggroup:presentation_list")
    assert client.get(url).context["next_session"] == session
    with time_machine.travel(session.ends_at + datetime.timedelta(seconds=1), tick=False):
        response = client.get(url)
        assert response.context is not None, "served the page stored before the session ended"
        assert response.context["next_session"] is None
        assert list(response.context["past_sessions"]) == [session]
