"""The unfiltered list's author facet is counted off the request after a save: the first
request shows the last figures without the grouped count over every byline, queues one
job, and once the job has run every list shows the new figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.author_facet import AUTHOR_FACET
from papers.jobs.models import Job
from tests.factories import AuthorFactory, PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def author_counts(client):
    response = client.get(LIST)
    assert response.status_code == 200
    return {author.name: author.count for author in response.context["author_facets"]}


def grouped_byline_counts(queries):
    """The queries that count bylines per author (the grouped count moved to the job)."""
    return [
        q["sql"]
        for q in queries
        if "papers_authorship" in q["sql"] and "COUNT(" in q["sql"] and "GROUP BY" in q["sql"]
    ]


@pytest.fixture
def ann_and_bob():
    ann, bob = AuthorFactory(name="Ann Archer"), AuthorFactory(name="Bob Baker")
    PaperFactory(title="One", year=2020, authors=[ann])
    PaperFactory(title="Two", year=2021, authors=[ann, bob])
    return ann, bob


def test_a_new_site_counts_the_author_facet_in_the_request(client, ann_and_bob):
    assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 1}
    assert not Job.objects.filter(kind=AUTHOR_FACET).exists()


def test_after_a_save_the_list_does_not_count_bylines_and_a_job_brings_the_new_figures(
    client, ann_and_bob
):
    ann, bob = ann_and_bob
    assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 1}
    PaperFactory(title="Three", year=2022, authors=[bob])
    PaperFactory(title="Four", year=2022, authors=[bob])

    with CaptureQueriesContext(connection) as queries:
        stale = author_counts(client)
    # The last figures, not the grouped count, in the request; the count is a job.
    assert stale == {"Ann Archer": 2, "Bob Baker": 1}
    assert grouped_byline_counts(queries) == []
    assert Job.objects.filter(kind=AUTHOR_FACET, state=Job.State.QUEUED).count() == 1

    (job,) = run_queued_jobs(AUTHOR_FACET)
    assert job.state == Job.State.DONE, job.message
    assert job.result == {"authors": 2, "current": True}
    # The job started a new content version: the page cached with the old figures is gone.
    assert author_counts(client) == {"Bob Baker": 3, "Ann Archer": 2}
    assert not Job.objects.filter(kind=AUTHOR_FACET, state=Job.State.QUEUED).exists()


def test_many_requests_after_a_save_queue_one_recount(client, ann_and_bob):
    author_counts(client)
    PaperFactory(title="Three", year=2022, authors=[ann_and_bob[1]])
    for page in range(1, 4):
        # Other pages and orders of the list: each a page-cache miss.
        assert client.get(LIST, {"sort": "title", "page": page}).status_code in (200, 404)
    author_counts(client)
    assert Job.objects.filter(kind=AUTHOR_FACET).count() == 1


def test_a_save_while_the_job_counts_leaves_the_figures_marked_stale(
    client, ann_and_bob, monkeypatch
):
    from papers import author_facet

    ann, bob = ann_and_bob
    author_counts(client)
    PaperFactory(title="Three", year=2022, authors=[bob])
    author_counts(client)  # queues the recount
    counted = author_facet.count_top_authors

    def count_then_save(*args, **kwargs):
        rows = counted(*args, **kwargs)
        PaperFactory(title="Saved meanwhile", year=2023, authors=[bob])
        return rows

    monkeypatch.setattr(author_facet, "count_top_authors", count_then_save)
    (job,) = run_queued_jobs(AUTHOR_FACET)
    assert job.result == {"authors": 2, "current": False}
    monkeypatch.setattr(author_facet, "count_top_authors", counted)
    # Still stale: the next request queues another count, which brings the save in.
    author_counts(client)
    run_queued_jobs(AUTHOR_FACET)
    assert author_counts(client) == {"Bob Baker": 3, "Ann Archer": 2}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_the_author_facet(client, ann_and_bob, real_worker):
    author_counts(client)
    PaperFactory(title="Three", year=2022, authors=[ann_and_bob[1]])
    author_counts(client)
    job = Job.objects.get(kind=AUTHOR_FACET, state=Job.State.QUEUED)

    job = real_worker().wait_for(job)

    # The worker's process has its own (in-memory) cache in tests: nothing was saved there
    # while it counted, so its figures are current.
    assert job.state == Job.State.DONE, job.message
    assert job.result == {"authors": 2, "current": True}
