"""The organiser's admin: list, filters, the add form's checks, autocomplete, cover preview."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from papers.jobs.models import Job
from papers.models import Paper
from readinggroup.models import Presentation, SlidesState
from tests.factories import PaperFactory, png_bytes
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import (
    PresentationFactory,
    PresenterFactory,
    session_with_everything,
)
from tests.readinggroup.pdfs import pdf_bytes
from tests.readinggroup.test_slides import _form_data

pytestmark = pytest.mark.django_db

ADD = "admin:readinggroup_presentation_add"
CHANGELIST = "admin:readinggroup_presentation_changelist"


def _post(client, **overrides):
    return client.post(reverse(ADD), _form_data(**overrides))


def _errors(response):
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_changelist_shows_the_columns_the_organiser_needs(admin_client):
    session_with_everything(title="With everything")
    PresentationFactory(title="Bare session")
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    for header in ["Number", "Date and time", "Title", "Paper", "Presenter", "Slides", "Recording"]:
        assert f">{header}</a>" in html or f">{header}</span>" in html, header
    assert "With everything" in html and "Bare session" in html
    assert html.count('alt="True"') >= 2  # slides and recording of the first session


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"has_slides": "yes"}, ["slides"]),
        ({"has_slides": "no"}, ["recording", "bare", "soon", "last year"]),
        ({"has_recording": "yes"}, ["recording"]),
        ({"when": "upcoming"}, ["soon"]),
        ({"when": "past"}, ["slides", "recording", "bare", "last year"]),
        ({"year": "2024"}, ["last year"]),
        ({"year": "junk"}, ["slides", "recording", "bare", "soon", "last year"]),
    ],
)
def test_changelist_filters(admin_client, params, expected):
    PresentationFactory(title="slides", with_slides=True)
    PresentationFactory(title="recording", with_recording=True)
    PresentationFactory(title="bare")
    PresentationFactory(title="soon", upcoming=True)
    PresentationFactory(
        title="last year", scheduled_at=datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    )
    response = admin_client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    shown = {p.title for p in response.context["cl"].result_list}
    assert shown == set(expected)


@pytest.mark.parametrize("n", [2, 12])
def test_changelist_query_count_does_not_grow(admin_client, django_assert_max_num_queries, n):
    for _ in range(n):
        session_with_everything()
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == n


def test_add_form_proposes_the_next_number(admin_client):
    PresentationFactory(number=41)
    response = admin_client.get(reverse(ADD))
    assert response.context["adminform"].form.initial["number"] == 42


def test_adding_a_session_with_slides_queues_their_check_then_shows_the_cover(admin_client):
    paper = PaperFactory()
    presenter = PresenterFactory(name="Grace Hopper")
    slides = SimpleUploadedFile("deck.pdf", pdf_bytes(3), content_type="application/pdf")
    response = _post(
        admin_client,
        paper=str(paper.pk),
        presenters=[str(presenter.pk)],
        slides=slides,
        tags="unlearning, Privacy",
        recording_url="https://youtu.be/caP30Kq-_ME?t=1m5s",
        summary="We *read* it.",
    )
    assert response.status_code == 302
    presentation = Presentation.objects.get()
    assert presentation.paper == paper
    assert list(presentation.presenters.all()) == [presenter]
    assert sorted(tag.name for tag in presentation.tags.all()) == ["Privacy", "unlearning"]
    assert presentation.recording_url == "https://www.youtube.com/watch?v=caP30Kq-_ME&t=65s"
    assert presentation.summary_html == "<p>We <em>read</em> it.</p>"
    # The request stored the slides and queued their check; the job renders the cover.
    assert presentation.slides_state == SlidesState.PENDING and not presentation.cover
    job = presentation.slides_job
    assert job.kind == "readinggroup.slides" and job.created_by.is_superuser
    followed = admin_client.get(response.url).content.decode()
    assert "Slides queued for checking; the cover appears when done" in followed
    assert f'href="{job.get_absolute_url()}"' in followed
    [job] = run_queued_jobs("readinggroup.slides")
    assert job.state == Job.State.DONE, job.message
    presentation.refresh_from_db()
    assert presentation.slides_state == SlidesState.READY and presentation.cover_is_generated
    change = admin_client.get(
        reverse("admin:readinggroup_presentation_change", args=[presentation.pk])
    )
    html = change.content.decode()
    assert f'src="{presentation.cover.url}"' in html
    assert "rendered from page 1 of the slides" in html
    assert "Checked: shown on the site." in html


def test_an_uploaded_cover_is_re_encoded_and_wins(admin_client):
    cover = SimpleUploadedFile("cover.png", png_bytes((64, 36)), content_type="image/png")
    slides = SimpleUploadedFile("deck.pdf", pdf_bytes(1), content_type="application/pdf")
    assert _post(admin_client, cover=cover, slides=slides).status_code == 302
    [job] = run_queued_jobs("readinggroup.slides")
    assert job.state == Job.State.DONE, job.message
    presentation = Presentation.objects.get()
    assert not presentation.cover_is_generated
    assert presentation.cover.name.startswith("readinggroup/covers/")
    assert "cover.png" not in presentation.cover.name
    assert (presentation.cover_width, presentation.cover_height) == (64, 36)


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<html><script>alert(1)</script></html>",
        b"",
    ],
)
def test_a_cover_that_is_not_an_image_is_a_form_error(admin_client, _media_root, content):
    cover = SimpleUploadedFile("cover.png", content, content_type="image/png")
    errors = _errors(_post(admin_client, cover=cover))
    assert "cover" in errors
    assert not Presentation.objects.exists()
    assert not any(p.is_file() for p in _media_root.rglob("*"))


def test_a_duplicate_number_is_a_form_error(admin_client):
    PresentationFactory(number=3)
    errors = _errors(_post(admin_client, number="3"))
    assert errors["number"] == ["There is already a session with this number."]
    assert Presentation.objects.count() == 1


@pytest.mark.parametrize("number", ["0", "-1", "100000", "abc", "1e3"])
def test_numbers_out_of_range_are_form_errors(admin_client, number):
    assert "number" in _errors(_post(admin_client, number=number))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Only https:// links are accepted"),
        ("data:text/html;base64,PHNjcmlwdD4=", "Only https:// links are accepted"),
        ("http://example.org/recording", "must use https://"),
        ("https://evil.example/embed/x", "looks like a video player on evil.example"),
        ("https://www.youtube.com/watch?v=short", "not a YouTube video id"),
        ("https://youtu.be/caP30Kq-_MEtoolong", "not a YouTube video id"),
    ],
)
def test_bad_recording_links_are_clear_form_errors(admin_client, url, message):
    errors = _errors(_post(admin_client, recording_url=url))
    [error] = errors["recording_url"]
    assert message in error
    assert not Presentation.objects.exists()


def test_a_recording_without_scheme_is_read_as_https(admin_client):
    assert _post(admin_client, recording_url="youtu.be/caP30Kq-_ME").status_code == 302
    assert Presentation.objects.get().recording_url == (
        "https://www.youtube.com/watch?v=caP30Kq-_ME"
    )


def test_meeting_link_must_be_https(admin_client):
    errors = _errors(_post(admin_client, meeting_url="http://meet.example.org/x"))
    assert errors["meeting_url"] == ["Use an https:// link."]


@pytest.mark.parametrize("tags", ["!!!, ???", "x" * 101])
def test_bad_tags_are_form_errors(admin_client, tags):
    assert "tags" in _errors(_post(admin_client, tags=tags))


def test_oversized_summary_is_a_form_error(admin_client):
    assert "summary" in _errors(_post(admin_client, summary="[" * 20_000))


def test_nul_bytes_in_the_title_are_a_form_error(admin_client):
    assert "title" in _errors(_post(admin_client, title="bad\x00title"))


def test_paper_autocomplete_finds_papers(admin_client):
    PaperFactory(title="One-Shot Machine Unlearning with Mnemonic Code")
    PaperFactory(title="Segment Anything")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "readinggroup",
            "model_name": "presentation",
            "field_name": "paper",
            "term": "unlearning",
        },
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == [
        "One-Shot Machine Unlearning with Mnemonic Code"
    ]


def test_deleting_a_paper_used_by_a_session_is_refused_in_the_admin(admin_client):
    presentation = PresentationFactory()
    paper = presentation.paper
    url = reverse("admin:papers_paper_delete", args=[paper.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in (
        page.content.decode()
    )
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Paper.objects.filter(pk=paper.pk).exists()
    presentation.refresh_from_db()
    assert presentation.paper_id == paper.pk


def test_bulk_deleting_papers_used_by_sessions_is_refused(admin_client):
    presentation = PresentationFactory()
    response = admin_client.post(
        reverse("admin:papers_paper_changelist"),
        {"action": "delete_selected", "_selected_action": [presentation.paper.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert Paper.objects.filter(pk=presentation.paper.pk).exists()


def test_changing_the_date_in_the_admin_updates_upcoming(admin_client):
    presentation = PresentationFactory()
    future = timezone.localtime() + datetime.timedelta(days=3)
    data = _form_data(
        number=str(presentation.number),
        title=presentation.title,
        scheduled_at_0=future.strftime("%Y-%m-%d"),
        scheduled_at_1=future.strftime("%H:%M:%S"),
        slug=presentation.slug,
    )
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_change", args=[presentation.pk]), data
    )
    assert response.status_code == 302
    assert list(Presentation.objects.upcoming()) == [presentation]
