"""The organiser schedules a suggestion in one step with the rotation helper; the presenter
gets the .ics and adds slides and recording to their own session only (issue 19, 4-5)."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from papers.models import Status
from readinggroup import queue
from readinggroup.members import GroupSettings, SuggestionState, Volunteer
from readinggroup.models import Presentation, SlidesState
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import client_for, make_member, suggestion
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

# A Monday; the group meets on Thursdays at 18:00 (the defaults).
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def schedule_url(s):
    return reverse("admin:readinggroup_suggestion_schedule", args=[s.pk])


def test_next_free_slot_is_the_next_weekly_slot_without_a_session(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(MONDAY, tick=False):
        first = queue.next_free_slot()
        assert (first.weekday(), first.hour, first.date()) == (3, 18, dt.date(2026, 3, 5))
        PresentationFactory(scheduled_at=first)
        assert queue.next_free_slot().date() == dt.date(2026, 3, 12)
        GroupSettings(weekday=0, start_time=dt.time(8, 0)).save()
        # Monday 08:00 has passed at 09:00: next Monday.
        assert queue.next_free_slot().date() == dt.date(2026, 3, 9)


def test_rotation_puts_volunteers_first_then_who_presented_longest_ago():
    never, recent, long_ago, scheduled = (
        make_member(n) for n in ("Never Presented", "Recent One", "Long Ago", "Next Week")
    )
    now = timezone.now()
    PresentationFactory(
        scheduled_at=now - dt.timedelta(days=7), presenters=[recent.ensure_presenter()]
    )
    # A draft session (not published yet) still counts as their turn.
    PresentationFactory(
        scheduled_at=now - dt.timedelta(days=300),
        presenters=[long_ago.ensure_presenter()],
        draft=True,
    )
    PresentationFactory(upcoming=True, presenters=[scheduled.ensure_presenter()])
    queued = suggestion(PaperFactory())
    Volunteer.objects.create(suggestion=queued, member=recent)
    order = [row.member.name for row in queue.rotation(queued)]
    assert order == ["Recent One", "Never Presented", "Long Ago"]


def test_the_organiser_schedules_a_suggestion_in_one_step_and_the_presenter_gets_the_ics(
    admin_client,
):
    presenter = make_member("Ivy Presenter", email="ivy@example.org")
    queued = suggestion(PaperFactory(title="A Paper to Present", alias="APP"))
    Volunteer.objects.create(suggestion=queued, member=presenter)
    form = admin_client.get(schedule_url(queued))
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert initial["presenter"] == presenter.pk
    slot = queue.next_free_slot()
    assert initial["scheduled_at"] == timezone.localtime(slot).replace(tzinfo=None)
    response = admin_client.post(
        schedule_url(queued),
        {
            "presenter": presenter.pk,
            "scheduled_at": timezone.localtime(slot).strftime("%Y-%m-%d %H:%M"),
            "title": "",
            "status": Status.PUBLISHED,
        },
    )
    assert response.status_code == 302
    session = Presentation.objects.get()
    assert session.title == "APP" and session.paper == queued.paper
    assert [p.name for p in session.presenters.all()] == ["Ivy Presenter"]
    queued.refresh_from_db()
    assert queued.state == SuggestionState.SCHEDULED and queued.presentation == session
    # The presenter's mail carries the calendar file, read back by icalendar.
    (message,) = mail.outbox
    assert message.to == ["ivy@example.org"]
    name, content, mimetype = message.attachments[0]
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert mimetype == "text/calendar" and event.decoded("dtstart") == slot.astimezone(dt.UTC)
    # Public page and calendar show it as today.
    assert Client().get(session.get_absolute_url()).status_code == 200
    assert b"APP" in Client().get(reverse("readinggroup:calendar")).content


def test_scheduling_needs_the_permission_to_add_sessions(staff_client):
    queued = suggestion(PaperFactory())
    assert staff_client.get(schedule_url(queued)).status_code == 403
    assert client_for(make_member()).get(schedule_url(queued)).status_code == 302


def test_a_suggestion_scheduled_already_cannot_be_scheduled_twice(admin_client):
    queued = suggestion(PaperFactory())
    queue.schedule(queued.pk, presenter_member=None, scheduled_at=timezone.now())
    response = admin_client.get(schedule_url(queued))
    assert response.status_code == 302 and Presentation.objects.count() == 1


# --- the presenter's materials --------------------------------------------------------------
@pytest.fixture
def presented():
    member = make_member("Jo Presenter")
    session = PresentationFactory(presenters=[member.ensure_presenter()])
    return member, session


def materials_url(session):
    return reverse("readinggroup:materials", args=[session.number])


def test_the_presenter_uploads_slides_and_recording_and_the_cover_is_made(presented):
    member, session = presented
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(member).post(
        materials_url(session),
        {
            "slides": SimpleUploadedFile("talk.pdf", pdf_bytes(2), "application/pdf"),
            "recording_url": "https://youtu.be/caP30Kq-_ME",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.slides_state == SlidesState.PENDING
    assert session.recording_url == "https://www.youtube.com/watch?v=caP30Kq-_ME"
    run_queued_jobs()
    session.refresh_from_db()
    assert session.slides_state == SlidesState.READY and session.cover_is_generated
    page = Client().get(session.get_absolute_url()).content.decode()
    assert reverse("readinggroup:slides", args=[session.number]) in page


def test_a_hostile_upload_or_link_is_a_form_error_and_nothing_changes(presented):
    member, session = presented
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(member).post(
        materials_url(session),
        {
            "slides": SimpleUploadedFile("x.pdf", b"<html><script>", "application/pdf"),
            "recording_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors.keys() == {
        "slides",
        "recording_url",
    }
    session.refresh_from_db()
    assert not session.slides and not session.recording_url


def test_only_the_sessions_presenter_may_open_its_materials(presented, staff_client):
    _, session = presented
    other = client_for(make_member())
    assert other.get(materials_url(session)).status_code == 403
    assert other.post(materials_url(session), {"recording_url": ""}).status_code == 403
    assert staff_client.get(materials_url(session)).status_code == 403
    assert Client().get(materials_url(session)).status_code == 302
