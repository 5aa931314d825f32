"""Item 7 of issue 15: the session form fights the organiser less — the title comes from
the paper, slides survive a form error, times are typed in the group's time zone, and a
clash is a warning."""

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from papers import pending
from papers.identity import SiteSettings
from readinggroup.models import Presentation
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.pdfs import pdf_bytes
from tests.readinggroup.test_slides import _form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:readinggroup_presentation_add")
UTC = datetime.UTC


def slides_upload(data=None):
    return SimpleUploadedFile("talk.pdf", data or pdf_bytes(2), content_type="application/pdf")


def errors_of(response):
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def kept_token(response):
    match = re.search(r'name="pending_slides" value="([^"]+)"', response.content.decode())
    assert match, "the form carries no kept upload"
    return match.group(1)


def pending_files(media_root):
    folder = media_root / "pending"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_blank_title_is_taken_from_the_chosen_paper(admin_client):
    paper = PaperFactory(title="One-Shot Machine Unlearning with Mnemonic Code")
    response = admin_client.post(ADD, _form_data(title="", paper=str(paper.pk)))
    assert response.status_code == 302
    assert Presentation.objects.get().title == "One-Shot Machine Unlearning with Mnemonic Code"


def test_no_title_and_no_paper_is_a_form_error(admin_client):
    assert "title" in errors_of(admin_client.post(ADD, _form_data(title="", paper="")))


def test_slides_uploaded_with_a_form_error_are_kept_and_saved_by_the_corrected_form(
    admin_client, _media_root, django_capture_on_commit_callbacks
):
    data = pdf_bytes(3)
    response = admin_client.post(
        ADD, _form_data(recording_url="ftp://nope", slides=slides_upload(data))
    )
    assert "recording_url" in errors_of(response)
    assert "The PDF you uploaded is kept" in response.content.decode()
    assert len(pending_files(_media_root)) == 1
    token = kept_token(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, _form_data(pending_slides=token))
    assert response.status_code == 302
    session = Presentation.objects.get()
    assert session.slides.name.startswith("readinggroup/slides/")
    with session.slides.open("rb") as stored:
        assert stored.read() == data
    run_queued_jobs()  # the slides' check (readinggroup/slides.py)
    session.refresh_from_db()
    assert session.cover  # page 1 became the cover, as for a direct upload
    assert pending_files(_media_root) == []  # the kept copy is gone


def test_a_second_form_error_keeps_the_same_upload(admin_client, _media_root):
    response = admin_client.post(ADD, _form_data(recording_url="ftp://x", slides=slides_upload()))
    token = kept_token(response)
    again = admin_client.post(ADD, _form_data(recording_url="ftp://y", pending_slides=token))
    assert "recording_url" in errors_of(again)
    assert kept_token(again) == token
    assert len(pending_files(_media_root)) == 1


def test_a_new_file_replaces_the_kept_one(admin_client, _media_root):
    response = admin_client.post(ADD, _form_data(recording_url="ftp://x", slides=slides_upload()))
    newer = pdf_bytes(1, color=(10, 200, 10))
    admin_client.post(
        ADD, _form_data(pending_slides=kept_token(response), slides=slides_upload(newer))
    )
    with Presentation.objects.get().slides.open("rb") as stored:
        assert stored.read() == newer


def test_bad_slides_with_a_form_error_are_not_kept(admin_client, _media_root):
    bad = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = admin_client.post(ADD, _form_data(recording_url="ftp://x", slides=bad))
    assert "slides" in errors_of(response)
    assert 'name="pending_slides" value="' not in response.content.decode()
    assert pending_files(_media_root) == []


@pytest.mark.parametrize(
    "token",
    [
        "pending/0123456789abcdef0123456789abcdef.pdf",  # unsigned
        "pending/0123456789abcdef0123456789abcdef.pdf:1tAbCd:forgedsignature",
        "../../config/settings.py:1tAbCd:forged",
        "\x00",
        "x" * 300,
    ],
)
def test_a_forged_pending_token_is_a_form_error_and_reads_nothing(admin_client, token):
    response = admin_client.post(ADD, _form_data(pending_slides=token))
    assert "slides" in errors_of(response) or "pending_slides" in errors_of(response)
    assert not Presentation.objects.exists()


def test_a_token_we_signed_for_another_name_is_refused(admin_client, settings, tmp_path):
    # Even with a valid signature, only pending/<random>.pdf can ever be read.
    (settings.MEDIA_ROOT / "secret.pdf").write_bytes(pdf_bytes())
    token = signing.TimestampSigner(salt=pending._SALT).sign("secret.pdf")
    assert "slides" in errors_of(admin_client.post(ADD, _form_data(pending_slides=token)))


def test_an_expired_pending_token_is_a_form_error(admin_client):
    response = admin_client.post(ADD, _form_data(recording_url="ftp://x", slides=slides_upload()))
    token = kept_token(response)
    later = datetime.datetime.now(UTC) + datetime.timedelta(seconds=pending.MAX_AGE + 60)
    with time_machine.travel(later):
        errors = errors_of(admin_client.post(ADD, _form_data(pending_slides=token)))
    assert "expired" in str(errors["slides"])


def test_a_token_whose_file_is_gone_is_a_form_error(admin_client, _media_root):
    response = admin_client.post(ADD, _form_data(recording_url="ftp://x", slides=slides_upload()))
    for name in pending_files(_media_root):
        default_storage.delete(f"pending/{name}")
    errors = errors_of(admin_client.post(ADD, _form_data(pending_slides=kept_token(response))))
    assert "gone" in str(errors["slides"])


def test_times_are_typed_in_the_groups_time_zone_and_stored_in_utc(admin_client):
    SiteSettings(time_zone="Europe/Berlin").save()
    form = admin_client.get(ADD).content.decode()
    assert "in Europe/Berlin time" in form
    response = admin_client.post(
        ADD, _form_data(scheduled_at_0="2025-04-10", scheduled_at_1="17:00:00")
    )
    assert response.status_code == 302
    session = Presentation.objects.get()
    assert session.scheduled_at == datetime.datetime(2025, 4, 10, 15, 0, tzinfo=UTC)  # CEST
    change = admin_client.get(
        reverse("admin:readinggroup_presentation_change", args=[session.pk])
    ).content.decode()
    assert 'value="17:00:00"' in change


def test_an_unknown_stored_time_zone_falls_back_to_the_server_zone(admin_client):
    SiteSettings().save()
    SiteSettings.objects.update(time_zone="Mars/Olympus_Mons")  # a script, not the form
    response = admin_client.post(ADD, _form_data(scheduled_at_1="17:00:00"))
    assert response.status_code == 302
    assert Presentation.objects.get().scheduled_at.astimezone(UTC).hour == 17  # TIME_ZONE=UTC


def test_a_session_at_the_same_hour_is_saved_with_a_warning_naming_the_other(admin_client):
    other = PresentationFactory(
        number=7, scheduled_at=datetime.datetime(2025, 4, 10, 17, 0, tzinfo=UTC)
    )
    response = admin_client.post(
        ADD, _form_data(number="8", scheduled_at_1="17:30:00"), follow=True
    )
    assert Presentation.objects.count() == 2
    warnings = [str(m) for m in response.context["messages"] if "overlaps" in str(m)]
    assert len(warnings) == 1 and "session 7" in warnings[0]
    assert reverse("admin:readinggroup_presentation_change", args=[other.pk]) in warnings[0]


def test_back_to_back_sessions_are_no_clash(admin_client):
    PresentationFactory(number=7, scheduled_at=datetime.datetime(2025, 4, 10, 16, 0, tzinfo=UTC))
    response = admin_client.post(
        ADD, _form_data(number="8", scheduled_at_1="17:00:00"), follow=True
    )
    assert not [m for m in response.context["messages"] if "overlaps" in str(m)]


def test_public_pages_show_session_times_in_the_groups_time_zone(client):
    SiteSettings(time_zone="Europe/Berlin").save()
    session = PresentationFactory(scheduled_at=datetime.datetime(2025, 4, 10, 15, 0, tzinfo=UTC))
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Thursday 10 April 2025, 17:00 CEST" in html
    assert 'data-tz="Europe/Berlin"' in html
