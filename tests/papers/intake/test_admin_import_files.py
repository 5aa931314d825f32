"""The admin's import page with notes files and .zip repositories: preview, then import."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from blog.models import Report
from papers.jobs.models import Job
from papers.models import Paper
from readinggroup.models import Presentation
from tests.papers.intake.helpers import IMPORT, import_preview, upload, upload_and_preview
from tests.papers.intake.test_notes_repository import REPORTS, build_repository, zip_of

pytestmark = pytest.mark.django_db
NOTES = b"""# Papers I read

## Vision

- [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385) (2015)
  Shortcut connections make depth cheap.
"""


@pytest.fixture(scope="module")
def repo_zip(tmp_path_factory):
    return zip_of(build_repository(tmp_path_factory.mktemp("admin-repo") / "notes"))


def media_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_notes_file_previews_with_its_lines_then_imports(admin_client):
    body = upload_and_preview(admin_client, NOTES, "reading.md").content.decode()
    assert "Preview: nothing is saved yet" in body and "Would create (1)" in body
    assert re.search(r'intake-where">line \d+', body)
    assert Paper.objects.count() == 0
    import_preview(admin_client, body)
    assert Paper.objects.get().arxiv_id == "1512.03385"


def test_a_zip_repository_previews_everything_saves_nothing_then_imports(
    admin_client, repo_zip, _media_root
):
    body = upload_and_preview(admin_client, repo_zip, "notes.zip").content.decode()
    assert "Preview: nothing is saved yet" in body
    assert "README.md line 14</span> Session: 4: Deep Residual Learning" in body
    assert "Report: Segment Anything" in body and "Report: A Note on Counting Lentils" in body
    assert "the index gives no date" in body  # the notes are shown too
    assert Report.objects.count() == Presentation.objects.count() == Paper.objects.count() == 0
    assert media_files(_media_root) == []  # the dry run's covers and slides were removed

    import_preview(admin_client, body)
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    assert sorted(Presentation.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_reports_and_sessions_need_their_own_add_permission(editor_client, repo_zip):
    body = upload_and_preview(editor_client, repo_zip, "notes.zip").content.decode()
    assert "you may not add a report" in body and "you may not add a session" in body
    import_preview(editor_client, body)
    assert Paper.objects.exists()
    assert not Report.objects.exists() and not Presentation.objects.exists()


def bad_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.md", "# x\n[read more](a.md)\n")
        archive.writestr("../../escape.md", "# escape")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.zip", b"not a zip at all", "This is not a .zip file"),
        ("notes.txt", b"# hi", "Upload a library (BibTeX .bib, RIS .ris, CSL-JSON .json), notes ("),
    ],
    ids=["not-zip", "wrong-kind"],
)
def test_uploads_refused_by_cheap_checks_are_form_errors_and_queue_nothing(
    admin_client, name, content, message
):
    response = upload(admin_client, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.zip", bad_zip(), "a path that leaves its folder (../../escape.md)"),
        ("notes.md", b"\x00\x01\x02", "This is a binary file"),
        # Listed as skipped, or refused whole: either way nothing is offered for import.
        ("notes.md", b"# A heading\n\n[Not a paper](https://example.org)\n", "Nothing to|No entry"),
    ],
    ids=["dotdot", "binary-notes", "no-papers"],
)
def test_bad_files_are_told_on_the_job_page_and_save_nothing(
    admin_client, _media_root, name, content, message
):
    response = upload_and_preview(admin_client, content, name)
    assert response.status_code == 200
    assert re.search(re.escape(message).replace(r"\|", "|"), response.content.decode())
    assert 'name="preview"' not in response.content.decode()
    assert Paper.objects.count() == Report.objects.count() == 0
    assert media_files(_media_root) == []


def test_staff_without_add_permission_cannot_upload(staff_client, repo_zip):
    assert upload(staff_client, repo_zip, "notes.zip").status_code == 403
    assert Report.objects.count() == 0


REPOSITORY_PDFS = (Path(__file__).parent / "notes_shapes" / "repository_pdfs.md").read_bytes()


def test_the_import_form_has_the_repository_pdfs_checkbox_unticked(admin_client):
    body = admin_client.get(IMPORT).content.decode()
    assert re.search(r'<input type="checkbox" name="repository_pdfs"[^>]*>', body)
    assert not re.search(r'name="repository_pdfs"[^>]*checked', body)
    assert "PDFs stored in a code repository are papers" in body


def test_unticked_pdfs_stored_on_github_are_previewed_as_skipped_with_the_reason(admin_client):
    body = upload_and_preview(admin_client, REPOSITORY_PDFS, "papers.md").content.decode()
    assert "Would create" not in body
    assert body.count("a PDF stored in a code repository (github.com/example/rank-papers)") == 3
    assert Job.objects.get().params["repository_pdfs"] is False


def test_ticked_the_preview_and_the_import_take_pdfs_stored_on_github_as_papers(admin_client):
    body = upload_and_preview(
        admin_client, REPOSITORY_PDFS, "papers.md", repository_pdfs="on"
    ).content.decode()
    assert "Would create (3)" in body and "a PDF stored in a code repository" not in body
    assert Paper.objects.count() == 0
    import_preview(admin_client, body)
    imported = Job.objects.get(kind="intake.import_file")
    assert imported.params["repository_pdfs"] is True
    assert Paper.objects.filter(title="Deep Cross Features for Click Estimates").exists()
    assert Paper.objects.count() == 3


def test_the_same_upload_with_and_without_repository_pdfs_is_two_previews(admin_client):
    upload(admin_client, REPOSITORY_PDFS, "papers.md")
    upload(admin_client, REPOSITORY_PDFS, "papers.md", repository_pdfs="on")
    upload(admin_client, REPOSITORY_PDFS, "papers.md", repository_pdfs="on")
    previews = Job.objects.filter(kind="intake.preview_file")
    assert sorted(job.params["repository_pdfs"] for job in previews) == [False, True]
