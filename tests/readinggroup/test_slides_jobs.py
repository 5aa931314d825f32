"""Slides checked by a real worker process (``manage.py db_worker``): the upload answers
at once, the worker checks the PDF in its bounded child process and renders the cover,
refuses hostile or too costly files with the reason, and copes with a deleted session."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from papers.jobs.models import Job
from readinggroup.models import Presentation, SlidesState
from tests.readinggroup.pdfs import inflating_stream_pdf, pdf_bytes
from tests.readinggroup.test_slides import _files_in, _form_data
from tests.readinggroup.test_slides_hostile import _hostile

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSING = "The slides are being processed"


def _upload(admin_client, data):
    upload = SimpleUploadedFile("deck.pdf", data, content_type="application/pdf")
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    presentation = Presentation.objects.get()
    assert presentation.slides_state == SlidesState.PENDING
    return presentation


def test_a_real_worker_checks_uploaded_slides_and_renders_their_cover(
    admin_client, client, real_worker, _media_root
):
    presentation = _upload(admin_client, pdf_bytes(3))
    page = reverse("readinggroup:presentation_detail", args=[presentation.number])
    slides = reverse("readinggroup:slides", args=[presentation.number])
    # Before the check: the page says so (seen by staff, whose pages are not cached) and
    # the PDF is not served.
    assert PROCESSING in admin_client.get(page).content.decode()
    assert client.get(slides).status_code == 404

    job = real_worker().wait_for(presentation.slides_job)

    assert job.state == Job.State.DONE, job.message
    assert job.result == {"session": 1, "slides": "checked", "cover": "rendered"}
    presentation.refresh_from_db()
    assert presentation.slides_state == SlidesState.READY and presentation.cover_is_generated
    assert (presentation.cover_width, presentation.cover_height) == (1200, 675)
    html = client.get(page).content.decode()
    assert PROCESSING not in html
    assert f'src="{presentation.cover.url}"' in html
    served = client.get(slides)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"


def test_a_real_worker_refuses_slides_with_javascript_and_they_are_never_served(
    admin_client, client, real_worker, _media_root
):
    data = _hostile("hex-escaped javascript names, in an object stream")[0]
    presentation = _upload(admin_client, data)

    job = real_worker().wait_for(presentation.slides_job)

    assert job.state == Job.State.FAILED
    assert job.message.startswith("Slides of session 1 refused: This PDF contains JavaScript")
    presentation.refresh_from_db()
    assert presentation.slides_state == SlidesState.REFUSED and not presentation.slides
    assert client.get(reverse("readinggroup:slides", args=[1])).status_code == 404
    assert _files_in(_media_root) == []  # the refused file is deleted, not kept aside
    change = admin_client.get(
        reverse("admin:readinggroup_presentation_change", args=[presentation.pk])
    ).content.decode()
    assert "were refused and deleted: This PDF contains JavaScript" in change
    assert f'href="{job.get_absolute_url()}"' in change


def test_a_real_worker_fails_the_check_of_a_pdf_beyond_the_cpu_and_memory_limits(
    admin_client, real_worker, _media_root
):
    presentation = _upload(admin_client, inflating_stream_pdf(decoded=600_000_000))

    job = real_worker().wait_for(presentation.slides_job, timeout=120)

    assert job.state == Job.State.FAILED
    assert "takes too long or too much memory to check" in job.message
    presentation.refresh_from_db()
    assert presentation.slides_state == SlidesState.REFUSED
    assert "too long or too much memory" in presentation.slides_message


def test_a_real_worker_ends_the_check_of_a_deleted_session_with_a_clear_message(
    admin_client, real_worker, _media_root
):
    presentation = _upload(admin_client, pdf_bytes(1))
    job = presentation.slides_job
    presentation.delete()

    job = real_worker().wait_for(job)

    assert job.state == Job.State.FAILED
    assert job.message == (
        "The session was deleted before its slides were checked: nothing to check."
    )
    assert _files_in(_media_root) == []
