"""Imports and lookups as background jobs, run by real worker processes.

The request that starts one only checks the upload's name and size and queues a job; a
``manage.py db_worker`` process (tests/jobs_worker.py) reads, parses and writes.
"""

import datetime
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Report
from papers.jobs import queue
from papers.jobs.models import Job
from papers.models import Paper
from readinggroup.models import Presentation
from tests.papers.intake.helpers import IMPORT, preview_of, upload
from tests.papers.intake.test_notes_repository import REPORTS, build_repository, zip_of

pytestmark = pytest.mark.django_db(transaction=True)

ADD = reverse("admin:papers_paper_add_by_identifier")
TRANSPORT = {"PAPERSHELF_TEST_INTAKE_TRANSPORT": "tests.papers.intake.conftest.worker_transport"}


def bibtex(n, bad=0, prefix="Entry"):
    """``n`` valid entries (distinct titles), then ``bad`` entries without a valid year."""
    valid = [
        f"@article{{k{i}, title={{{prefix} number {i} about sparse attention}}, "
        f"author={{Writer, Ann and Reader, Bob}}, journal={{JMLR}}, year={{2020}}}}\n"
        for i in range(n)
    ]
    invalid = [f"@misc{{bad{i}, title={{Broken {i}}}, year={{20xx}}}}\n" for i in range(bad)]
    return "".join(valid + invalid).encode()


def job_page(client, job):
    return client.get(job.get_absolute_url()).content.decode()


def status(client, job):
    return client.get(reverse("admin:papers_job_status", args=[job.pk])).json()


def test_a_bib_is_previewed_then_imported_by_a_real_worker(admin_client, real_worker):
    response = upload(admin_client, bibtex(30, bad=2))
    preview = Job.objects.get()
    assert response["Location"] == preview.get_absolute_url()
    worker = real_worker()

    preview = worker.wait_for(preview)
    assert preview.state == Job.State.DONE, preview.message
    assert preview.progress_text() == "32 of 32, 2 refused"
    body = job_page(admin_client, preview)
    assert "Would create (30)" in body and "the year “20xx” is not a year" in body
    assert Paper.objects.count() == 0

    response = admin_client.post(IMPORT, {"preview": preview_of(body)})
    imported = Job.objects.get(kind="intake.import_file")
    assert response["Location"] == imported.get_absolute_url()
    imported = worker.wait_for(imported)

    assert imported.state == Job.State.DONE, imported.message
    assert Paper.objects.count() == 30
    body = job_page(admin_client, imported)
    assert "Created (30)" in body and "2 with errors" in body
    paper = Paper.objects.get(title="Entry number 7 about sparse attention")
    assert reverse("admin:papers_paper_change", args=[paper.pk]) in body
    # Neither job keeps the upload once it was imported.
    assert not Job.objects.filter(payload__isnull=False).exists()
    assert status(admin_client, imported)["state"] == "done"


def test_a_zip_repository_is_previewed_and_imported_by_a_real_worker(
    admin_client, real_worker, tmp_path
):
    upload(admin_client, zip_of(build_repository(tmp_path / "notes")), "notes.zip")
    worker = real_worker()
    preview = worker.wait_for(Job.objects.get())
    body = job_page(admin_client, preview)
    assert "Report: Segment Anything" in body and preview.state == Job.State.DONE
    assert Report.objects.count() == Presentation.objects.count() == 0

    admin_client.post(IMPORT, {"preview": preview_of(body)})
    imported = worker.wait_for(Job.objects.get(kind="intake.import_file"))

    assert imported.state == Job.State.DONE, imported.message
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    assert sorted(Presentation.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_repository_pdfs_ticked_reaches_the_real_workers_preview_and_import(
    admin_client, real_worker
):
    shapes = Path(__file__).parent / "notes_shapes"
    notes = (shapes / "repository_pdfs.md").read_bytes()
    upload(admin_client, notes, "papers.md", repository_pdfs="on")
    worker = real_worker()
    preview = worker.wait_for(Job.objects.get())
    assert preview.state == Job.State.DONE, preview.message
    body = job_page(admin_client, preview)
    assert "Would create (3)" in body

    admin_client.post(IMPORT, {"preview": preview_of(body)})
    imported = worker.wait_for(Job.objects.get(kind="intake.import_file"))

    assert imported.state == Job.State.DONE, imported.message
    assert sorted(Paper.objects.values_list("title", flat=True)) == [
        "Deep Cross Features for Click Estimates",
        "Retrieval with Twin Encoders at Scale",
        "Sparse Feedback in Implicit Ranking",
    ]


def test_identifiers_are_looked_up_by_a_real_worker_then_reviewed(admin_client, real_worker):
    response = admin_client.post(ADD, {"identifiers": "2103.00020 10.1038/s41586-024-08328-6"})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()

    job = real_worker(env=TRANSPORT).wait_for(job)

    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total, job.refused) == (2, 2, 0)
    review = admin_client.get(ADD, {"job": job.pk}).content.decode()
    assert "Learning Transferable Visual Models" in review
    assert "Accurate predictions on small data" in review
    assert Paper.objects.count() == 0  # nothing is saved before the editor says so


def test_the_same_upload_submitted_twice_at_once_is_one_job(admin_user):
    clients = [logged_in(admin_user), logged_in(admin_user)]
    barrier = threading.Barrier(2)
    answers = []

    def submit(client):
        barrier.wait()
        answers.append(upload(client, bibtex(3))["Location"])

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    job = Job.objects.get()
    assert answers == [job.get_absolute_url()] * 2


def test_two_clicks_on_import_start_one_import(admin_client, real_worker):
    upload(admin_client, bibtex(3))
    preview = real_worker(batch=True)
    preview.wait_exit()
    preview = Job.objects.get()
    first = admin_client.post(IMPORT, {"preview": preview.pk})["Location"]
    second = admin_client.post(IMPORT, {"preview": preview.pk})["Location"]

    assert first == second == Job.objects.get(kind="intake.import_file").get_absolute_url()


def test_with_no_worker_the_job_page_says_so_and_the_job_runs_when_one_starts(
    admin_client, real_worker
):
    upload(admin_client, bibtex(2))
    job = Job.objects.get()
    # Queued for a while and nothing running: no worker is taking jobs.
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))

    assert "is the worker running?" in job_page(admin_client, job)
    assert status(admin_client, job)["worker_down"] is True

    job = real_worker().wait_for(job)
    assert job.state == Job.State.DONE
    assert status(admin_client, job)["worker_down"] is False


def test_a_bad_file_fails_its_job_with_the_reason_and_a_retry_button(admin_client, real_worker):
    upload(admin_client, b"this is no bibliography")
    job = real_worker().wait_for(Job.objects.get())

    assert job.state == Job.State.FAILED
    body = job_page(admin_client, job)
    assert "No BibTeX entries were found in this file." in body
    assert reverse("admin:papers_job_retry", args=[job.pk]) in body

    admin_client.post(reverse("admin:papers_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED  # the upload was kept for the retry
    assert Job.objects.filter(pk=job.pk, payload__isnull=False).exists()


def test_a_job_whose_editor_was_deleted_fails_and_imports_nothing(client, real_worker):
    editor = get_user_model().objects.create_superuser("leaving", "l@example.org", "pw")
    client.force_login(editor)
    upload(client, bibtex(2))
    editor.delete()

    job = real_worker().wait_for(Job.objects.get())

    assert job.state == Job.State.FAILED
    assert "account that started this job no longer exists" in job.message
    assert Paper.objects.count() == 0


def test_an_import_whose_preview_was_deleted_is_refused(admin_client):
    upload(admin_client, bibtex(2))
    preview = Job.objects.get()
    pk = preview.pk
    preview.delete()

    response = admin_client.post(IMPORT, {"preview": pk}, follow=True)

    assert "That preview does not exist" in response.content.decode()
    assert not Job.objects.exists()


def test_the_request_that_starts_an_import_reads_no_entry(admin_client, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("the request parsed the upload")

    for name in ("import_file", "parse_bibtex", "read_bibtex_bytes", "import_repository"):
        monkeypatch.setattr(f"papers.intake.files.{name}", refuse, raising=False)
    monkeypatch.setattr("papers.intake.jobs.import_file", refuse)
    archive = zip_of(build_repository(tmp_path / "notes"))

    for name, content in [("a.bib", bibtex(500)), ("a.md", b"# x\n"), ("a.zip", archive)]:
        started = time.monotonic()
        response = upload(admin_client, content, name)
        assert response.status_code == 302, name
        assert time.monotonic() - started < 5  # generous: the benchmark measures it

    assert Job.objects.filter(state=Job.State.QUEUED).count() == 3
    assert Paper.objects.count() == 0


def test_a_killed_import_showed_its_progress_saves_nothing_and_its_retry_imports_once(
    admin_client, real_worker
):
    upload(admin_client, bibtex(1500))
    # Every figure written: on an idle machine the import can end within one progress
    # interval (0.5 s), and then no figure partway through is ever written.
    worker = real_worker(env={"PAPERSHELF_TEST_JOB_PROGRESS_EVERY": "0"})
    preview = worker.wait_for(Job.objects.get(), timeout=300)
    admin_client.post(IMPORT, {"preview": preview.pk})
    imported = Job.objects.get(kind="intake.import_file")

    def partway():
        # The import is one transaction; its figures still reach the page (PostgreSQL: a
        # second connection; SQLite: a file beside the database).
        figures = status(admin_client, imported)
        return figures["state"] == "running" and 0 < figures["done"] < 1500

    worker.wait_until(partway, timeout=300, what="an import partway through")
    worker.kill()

    assert Paper.objects.count() == 0
    assert queue.reap_stale(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    imported.refresh_from_db()
    assert imported.state == Job.State.FAILED and "worker stopped" in imported.message
    assert queue.retry(imported)
    imported = real_worker().wait_for(imported, timeout=300)
    assert imported.state == Job.State.DONE, imported.message
    assert Paper.objects.count() == 1500


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_job_pages_are_for_staff_only(client, admin_user):
    upload(logged_in(admin_user), bibtex(1))
    job = Job.objects.get()
    for url in (job.get_absolute_url(), reverse("admin:papers_job_status", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_editor_follows_their_own_jobs_but_not_others(editor_client, admin_user):
    upload(logged_in(admin_user), bibtex(1))
    theirs = Job.objects.get()
    upload(editor_client, bibtex(1, prefix="Mine"))
    mine = Job.objects.exclude(pk=theirs.pk).get()

    assert editor_client.get(mine.get_absolute_url()).status_code == 200
    assert status(editor_client, mine)["state"] == "queued"
    assert editor_client.get(theirs.get_absolute_url()).status_code in (302, 403, 404)
    response = editor_client.get(reverse("admin:papers_job_status", args=[theirs.pk]))
    assert response.status_code in (403, 404)
