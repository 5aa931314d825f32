"""Exports of many papers run as jobs: the admin's export page and actions answer a small
export in the request, queue a large one (POST, CSRF) and offer its file when done."""

import json

import pybtex.database
import pytest
import rispy
from django.test import Client
from django.urls import reverse

from papers import exports
from papers.jobs.models import Job
from papers.models import Paper
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT_BIBTEX = reverse("admin:papers_paper_export_bibtex")
CHANGELIST = reverse("admin:papers_paper_changelist")


def make_six_papers():
    author = AuthorFactory(name="Émile Bórel")
    return [
        PaperFactory(title=f"Paper {n} on “quotes” & 50% of $x^2$", year=2010 + n, authors=[author])
        for n in range(6)
    ]


_kept_rows, six_paper_rows = fixture_rows(make_six_papers)


@pytest.fixture
def six_papers(monkeypatch, six_paper_rows):
    """Six papers (their rows made once per process), and an in-request limit of three
    (the real one is 500)."""
    monkeypatch.setattr(exports, "IN_REQUEST", 3)
    monkeypatch.setattr(exports, "BATCH", 4)  # two batches in the job
    return six_paper_rows


def _export_jobs():
    return Job.objects.filter(kind=exports.EXPORT)


def _file(client, job):
    response = client.get(reverse("admin:papers_job_file", args=[job.pk]))
    assert response.status_code == 200
    return response


def test_an_export_within_the_limit_is_downloaded_in_the_request(six_papers, admin_client):
    response = admin_client.get(EXPORT_BIBTEX + "?year__exact=2011")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(pybtex.database.parse_string(response.content.decode(), "bibtex").entries) == 1
    assert not _export_jobs().exists()


def test_a_get_past_the_limit_shows_a_form_and_starts_no_job(six_papers, admin_client):
    response = admin_client.get(EXPORT_BIBTEX)

    assert response.status_code == 200
    assert b'method="post"' in response.content and b"csrfmiddlewaretoken" in response.content
    assert b"6 papers" in response.content
    assert not _export_jobs().exists()


def test_the_export_post_without_its_csrf_token_is_refused(six_papers, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    assert client.post(EXPORT_BIBTEX).status_code == 403
    assert not _export_jobs().exists()


def test_the_form_posted_twice_queues_one_export_job(six_papers, admin_client):
    first = admin_client.post(EXPORT_BIBTEX)
    second = admin_client.post(EXPORT_BIBTEX)

    job = _export_jobs().get()
    assert job.kind == exports.EXPORT and job.state == Job.State.QUEUED
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == job.get_absolute_url()
    # Newest first, as the in-request export orders them.
    assert job.params["papers"] == [paper.pk for paper in reversed(six_papers)]


def test_the_export_keeps_the_changelist_filter(six_papers, admin_client):
    admin_client.post(EXPORT_BIBTEX + "?year__gte=2012")

    assert len(_export_jobs().get().params["papers"]) == 4


@pytest.mark.parametrize("action", ["export_ris_action", "export_csljson_action"])
def test_the_export_action_on_many_selected_papers_queues_a_job(six_papers, admin_client, action):
    response = admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [paper.pk for paper in six_papers]},
    )

    job = _export_jobs().get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.params["format"] == action.removeprefix("export_").removesuffix("_action")


def test_a_real_worker_writes_the_export_and_its_page_offers_the_download(
    admin_client, six_papers, real_worker
):
    admin_client.post(reverse("admin:papers_paper_export_csljson"))
    job = real_worker().wait_for(_export_jobs().get())

    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total) == (6, 6)
    page = admin_client.get(job.get_absolute_url())
    assert reverse("admin:papers_job_file", args=[job.pk]).encode() in page.content
    response = _file(admin_client, job)
    assert response["Content-Disposition"] == 'attachment; filename="papers.csl.json"'
    items = json.loads(response.content)
    assert [item["title"] for item in items] == [paper.title for paper in reversed(six_papers)]


@pytest.mark.parametrize(
    ("format", "count"),
    [
        ("bibtex", lambda text: len(pybtex.database.parse_string(text, "bibtex").entries)),
        ("biblatex", lambda text: len(pybtex.database.parse_string(text, "bibtex").entries)),
        ("ris", lambda text: len(rispy.loads(text))),
    ],
)
def test_each_format_exported_by_a_job_reads_back_whole(six_papers, admin_client, format, count):
    admin_client.post(reverse(f"admin:papers_paper_export_{format}"))
    [job] = run_queued_jobs(exports.EXPORT)

    assert job.state == Job.State.DONE, job.message
    assert count(_file(admin_client, job).content.decode()) == 6


def test_a_paper_deleted_before_the_export_runs_is_left_out(six_papers, admin_client):
    admin_client.post(EXPORT_BIBTEX)
    six_papers[0].delete()
    [job] = run_queued_jobs(exports.EXPORT)

    assert job.state == Job.State.DONE
    assert (job.result["papers"], job.result["left_out"]) == (5, 1)
    text = _file(admin_client, job).content.decode()
    assert len(pybtex.database.parse_string(text, "bibtex").entries) == 5


def test_a_job_with_no_file_answers_404(six_papers, admin_client):
    admin_client.post(EXPORT_BIBTEX)
    job = _export_jobs().get()

    assert admin_client.get(reverse("admin:papers_job_file", args=[job.pk])).status_code == 404
    assert admin_client.get(reverse("admin:papers_job_file", args=[job.pk + 99])).status_code == 404


def test_another_editors_export_file_is_refused(six_papers, editor_user, superuser):
    boss = Client()
    boss.force_login(superuser)
    boss.post(EXPORT_BIBTEX)
    [job] = run_queued_jobs(exports.EXPORT)
    editor = Client()
    editor.force_login(editor_user)

    response = editor.get(reverse("admin:papers_job_file", args=[job.pk]))

    assert response.status_code in (403, 404)
    assert Paper.objects.count() == 6


def test_queueing_a_large_export_reads_the_ids_and_no_paper_text(six_papers, admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(EXPORT_BIBTEX)
    assert response.status_code == 302
    paper_reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"papers_paper"' in q["sql"]
    ]
    # The notes and abstracts (the bulk of a paper row) are the job's to read.
    assert paper_reads and not any('"notes"' in sql or '"abstract"' in sql for sql in paper_reads)
    assert _export_jobs().get().params["papers"] == [p.pk for p in reversed(six_papers)]
