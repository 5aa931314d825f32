"""``manage.py synth`` adds weekly sessions in proportion to the papers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from readinggroup.models import Presentation
from tests.demo_state import fixture_rows
from tests.factories import run_synth

pytestmark = pytest.mark.django_db


def make_synth():
    return run_synth(2000, 5)


_kept_rows, synth = fixture_rows(make_synth)


def test_weekly_sessions_past_and_upcoming(synth):
    assert "readinggroup: 10 sessions" in synth
    sessions = list(Presentation.objects.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 11))
    gaps = {b.scheduled_at - a.scheduled_at for a, b in zip(sessions, sessions[1:], strict=False)}
    assert gaps == {timezone.timedelta(weeks=1)}
    now = timezone.now()
    assert sum(s.scheduled_at > now for s in sessions) == 3
    assert all(s.ends_at == s.scheduled_at + timezone.timedelta(minutes=60) for s in sessions)
    assert all(s.presenters.exists() for s in sessions)
    # Recordings only after the fact, and every stored link is one the site can embed.
    recorded = [s for s in sessions if s.recording_url]
    assert recorded and all(s.scheduled_at < now and s.recording for s in recorded)


def test_session_pages_work_on_synthetic_content(client, synth):
    session = Presentation.objects.published().filter(recording_url__gt="").first()
    for url in [
        reverse("readinggroup:presentation_list"),
        session.get_absolute_url(),
        reverse("readinggroup:calendar"),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(session.get_absolute_url()).content.decode()
    assert "youtube-nocookie.com/embed/" in page
