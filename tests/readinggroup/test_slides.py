"""Slides: only real, readable PDFs are stored (under a random name), and they are served
with headers that stop a browser from treating them as anything but a PDF."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

import readinggroup.pdf
from papers.jobs.models import Job
from readinggroup.models import Presentation, SlidesState
from readinggroup.pdf import render_cover, validate_slides
from tests.factories import png_bytes
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.pdfs import encrypted_pdf, image_bomb_pdf, pdf_bytes, text_pdf

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

BAD_SLIDES = {
    "html renamed .pdf": (HTML, "not a PDF (it looks like an HTML page)"),
    "svg renamed .pdf": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not a PDF"),
    "png renamed .pdf": (None, "not a PDF"),
    "empty file": (b"", "empty"),
    "truncated pdf": (None, "incomplete"),
    "pdf header and nothing else": (b"%PDF-1.7\n%%EOF\n", "damaged"),
    "garbage after a pdf header": (b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"%%EOF", "damaged"),
    "encrypted pdf (no password to open)": (None, "encrypted"),
    "encrypted pdf (password to open)": (None, "password-protected"),
    "image bomb pdf": (None, "12000 × 12000 pixel image"),
}


def _bad_slides(name):
    data, message = BAD_SLIDES[name]
    if data is None:
        data = {
            "png renamed .pdf": png_bytes,
            "truncated pdf": lambda: pdf_bytes(2)[:-300],
            "encrypted pdf (no password to open)": encrypted_pdf,
            "encrypted pdf (password to open)": lambda: encrypted_pdf(user_password=b"s3cret"),
            "image bomb pdf": image_bomb_pdf,
        }[name]()
    return data, message


def _form_data(**overrides):
    data = {
        "number": "1",
        "title": "Unlearning in one shot",
        "status": "published",
        "paper": "",
        "scheduled_at_0": "2025-04-10",
        "scheduled_at_1": "17:00:00",
        "duration_minutes": "60",
        "location": "",
        "meeting_url": "",
        "summary": "",
        "recording_url": "",
        "tags": "",
        "slug": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def _files_in(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", list(BAD_SLIDES))
def test_validator_refuses_bad_slides_with_a_reason(name):
    data, message = _bad_slides(name)
    with pytest.raises(readinggroup.pdf.SlidesError) as caught:
        validate_slides(ContentFile(data, name="slides.pdf"))
    assert message in caught.value.messages[0]
    # Nothing that fails the check is ever rendered either.
    assert render_cover(data) is None


@pytest.mark.parametrize("data", [pdf_bytes(1), pdf_bytes(12), text_pdf()])
def test_validator_accepts_real_pdfs(data):
    validate_slides(ContentFile(data, name="whatever.bin"))


# What the request itself refuses (size, header, end marker: nothing is parsed there);
# the rest is refused by the slides check's job (readinggroup/slides.py).
REFUSED_IN_THE_REQUEST = [
    "html renamed .pdf", "svg renamed .pdf", "png renamed .pdf", "empty file", "truncated pdf",
]  # fmt: skip
REFUSED_BY_THE_JOB = [name for name in BAD_SLIDES if name not in REFUSED_IN_THE_REQUEST]


def upload_then_check(client, data, **fields):
    """Upload slides through the admin (a new session), then run the queued check here;
    returns the upload's response and the check's job."""
    upload = SimpleUploadedFile("deck.pdf", data, content_type="application/pdf")
    response = client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload, **fields)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Presentation.objects.get().slides_state == SlidesState.PENDING
    with TestCase.captureOnCommitCallbacks(execute=True):  # the refused file's deletion
        [job] = run_queued_jobs("readinggroup.slides")
    return response, job


@pytest.mark.parametrize("name", REFUSED_BY_THE_JOB)
def test_bad_slides_are_refused_by_their_check_with_the_reason_and_deleted(
    admin_client, _media_root, name
):
    data, message = _bad_slides(name)
    _, job = upload_then_check(admin_client, data)
    assert job.state == Job.State.FAILED
    assert message in job.message
    presentation = Presentation.objects.get()
    assert presentation.slides_state == SlidesState.REFUSED and not presentation.slides
    assert message in presentation.slides_message
    assert _files_in(_media_root) == []
    change = admin_client.get(
        reverse("admin:readinggroup_presentation_change", args=[presentation.pk])
    )
    assert "were refused and deleted" in change.content.decode()


@pytest.mark.parametrize("name", REFUSED_IN_THE_REQUEST)
def test_admin_upload_of_bad_slides_is_a_form_error_and_stores_nothing(
    admin_client, _media_root, name
):
    data, message = _bad_slides(name)
    upload = SimpleUploadedFile("slides.pdf", data, content_type="application/pdf")
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors["slides"]), errors
    assert not Presentation.objects.exists()
    assert _files_in(_media_root) == []


def test_slides_over_the_size_limit_are_refused(admin_client, _media_root):
    limit = readinggroup.pdf.MAX_SLIDES_BYTES
    data = pdf_bytes(1)
    oversized = data[:9] + b"%" + b"0" * (limit - len(data)) + b"\n" + data[9:]
    assert len(oversized) > limit
    upload = SimpleUploadedFile("big.pdf", oversized, content_type="application/pdf")
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload)
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["slides"]
    assert error == "The file is 30.0\xa0MB, over the 30.0\xa0MB limit for slides."
    assert _files_in(_media_root) == []


def test_size_limit_applies_to_real_pdfs_too(admin_client, monkeypatch, _media_root):
    data = pdf_bytes(6)
    monkeypatch.setattr(readinggroup.pdf, "MAX_SLIDES_BYTES", len(data) - 1)
    upload = SimpleUploadedFile("deck.pdf", data, content_type="application/pdf")
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload)
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["slides"]
    assert error.startswith("The file is ")
    assert "limit for slides" in error
    assert _files_in(_media_root) == []


def _multipart(fields, file_field, filename, content):
    """A multipart body written by hand, so the file name reaches Django unaltered."""
    boundary = "----papershelf-boundary"
    body = io.BytesIO()
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        body.write(f"{head}{value}\r\n".encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
    )
    body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "filename",
    ["../../x.pdf", "..\\..\\x.pdf", "/etc/x.pdf", "....//....//x.pdf", "%2e%2e%2fx.pdf"],
)
def test_path_traversal_names_never_leave_media_root(admin_client, _media_root, filename):
    body, content_type = _multipart(_form_data(), "slides", filename, pdf_bytes(1))
    response = admin_client.generic(
        "POST", reverse("admin:readinggroup_presentation_add"), body, content_type=content_type
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    presentation = Presentation.objects.get()
    # The name the browser sent is thrown away: a random one inside MEDIA_ROOT is used.
    assert presentation.slides.name.startswith("readinggroup/slides/")
    assert "x.pdf" not in presentation.slides.name
    assert all(name.startswith("readinggroup/") for name in _files_in(_media_root))
    assert not list(_media_root.parent.rglob("x.pdf"))
    assert not list(_media_root.parent.parent.glob("x.pdf"))


def test_path_traversal_name_with_html_content_is_a_form_error(admin_client, _media_root):
    body, content_type = _multipart(_form_data(), "slides", "../../x.pdf", HTML)
    response = admin_client.generic(
        "POST", reverse("admin:readinggroup_presentation_add"), body, content_type=content_type
    )
    assert response.status_code == 200
    assert "not a PDF" in str(response.context["adminform"].form.errors["slides"])
    assert _files_in(_media_root) == []
    assert not list(_media_root.parent.rglob("x.pdf"))


def test_a_name_that_is_only_dots_is_not_an_upload(admin_client, _media_root):
    body, content_type = _multipart(_form_data(), "slides", "../..", pdf_bytes(1))
    response = admin_client.generic(
        "POST", reverse("admin:readinggroup_presentation_add"), body, content_type=content_type
    )
    # Django drops a file whose name has nothing left once the path is removed.
    assert response.status_code == 302
    assert not Presentation.objects.get().slides
    assert _files_in(_media_root) == []


def test_slides_are_served_as_pdf_with_nosniff(client):
    presentation = PresentationFactory(with_slides=True)
    response = client.get(reverse("readinggroup:slides", args=[presentation.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert f"reading-group-{presentation.number}-" in response["Content-Disposition"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # embeddable by the session page only
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert body == presentation.slides.open("rb").read()


def test_slides_download_is_an_attachment(client):
    presentation = PresentationFactory(with_slides=True)
    response = client.get(reverse("readinggroup:slides_download", args=[presentation.number]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


def test_unchanged_slides_answer_304(client):
    presentation = PresentationFactory(with_slides=True)
    url = reverse("readinggroup:slides", args=[presentation.number])
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


@pytest.mark.parametrize(
    "kind", ["draft", "no slides", "missing file", "unknown number", "huge number"]
)
def test_slides_that_cannot_be_shown_are_404(client, kind):
    if kind == "draft":
        number = PresentationFactory(with_slides=True, draft=True).number
    elif kind == "no slides":
        number = PresentationFactory().number
    elif kind == "missing file":
        presentation = PresentationFactory(with_slides=True)
        presentation.slides.storage.delete(presentation.slides.name)
        number = presentation.number
    elif kind == "unknown number":
        number = 404
    else:
        number = 999_999_999
    assert client.get(f"/reading-group/{number}/slides.pdf").status_code == 404


def test_slides_refuse_post(client):
    presentation = PresentationFactory(with_slides=True)
    response = client.post(reverse("readinggroup:slides", args=[presentation.number]))
    assert response.status_code == 405
