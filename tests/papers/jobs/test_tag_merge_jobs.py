"""A large tag merge is a job (papers/merge_jobs.py): the admin's request queues it and
goes to its page; the job retags everything with progress and a result; bad input (a tag
gone meanwhile, a double submit) fails clearly or is shared, and a real worker runs it."""

import pytest
from django.urls import reverse

from papers import merge_jobs
from papers.jobs.models import Job
from papers.merge_jobs import MERGE_TAGS
from papers.models import Tag, TagRedirect
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:papers_tag_changelist")


def names(obj):
    return sorted(tag.name for tag in type(obj).objects.get(pk=obj.pk).tags.all())


@pytest.fixture
def big(monkeypatch):
    """Five papers and a report tagged "seq models": past a lowered in-request limit."""
    monkeypatch.setattr(merge_jobs, "IN_REQUEST", 3)
    papers = [PaperFactory(tags=["seq models"]) for _ in range(4)]
    both = PaperFactory(tags=["seq models", "sequence modeling"])
    report = ReportFactory(tags=["seq models"])
    run_queued_jobs()  # what the factories' saves queued
    return {
        "papers": [*papers, both],
        "report": report,
        "source": Tag.objects.get(name="seq models"),
        "target": Tag.objects.get(name="sequence modeling"),
    }


def merge_action(admin_client, source, target):
    data = {"action": "merge_action", "_selected_action": [source.pk, target.pk]}
    return admin_client.post(CHANGELIST, {**data, "target": target.pk})


def test_a_large_merge_action_queues_a_job_whose_page_shows_the_result(admin_client, big):
    source, target = big["source"], big["target"]
    response = merge_action(admin_client, source, target)

    job = Job.objects.get(kind=MERGE_TAGS)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    # Nothing moved in the request.
    assert Tag.objects.filter(pk=source.pk).exists()
    assert names(big["report"]) == ["seq models"]

    (job,) = run_queued_jobs(MERGE_TAGS)
    assert job.state == Job.State.DONE, job.message
    assert job.result == {"into": "sequence modeling", "merged": ["seq models"],
                          "retagged": 6, "already_gone": []}  # fmt: skip
    assert (job.done, job.total) == (6, 6)
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert all(names(paper) == ["sequence modeling"] for paper in big["papers"])
    assert names(big["report"]) == ["sequence modeling"]
    assert TagRedirect.objects.get(old_slug=source.slug).tag == target
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "6 of 6" in page


def test_a_small_merge_is_done_in_the_request(admin_client, big, monkeypatch):
    monkeypatch.setattr(merge_jobs, "IN_REQUEST", 500)
    response = merge_action(admin_client, big["source"], big["target"])
    assert response["Location"] == reverse("admin:papers_tag_change", args=[big["target"].pk])
    assert not Job.objects.filter(kind=MERGE_TAGS).exists()
    assert names(big["report"]) == ["sequence modeling"]


def test_renaming_onto_an_existing_tag_queues_a_large_merge(admin_client, big):
    url = reverse("admin:papers_tag_change", args=[big["source"].pk])
    response = admin_client.post(
        url, {"name": "Sequence Modeling", "description": "", "merge_into_existing": "on"}
    )
    job = Job.objects.get(kind=MERGE_TAGS)
    assert response["Location"] == job.get_absolute_url()
    assert Tag.objects.get(pk=big["source"].pk).name == "seq models"  # not renamed meanwhile
    (job,) = run_queued_jobs(MERGE_TAGS)
    assert job.state == Job.State.DONE, job.message
    assert names(big["report"]) == ["sequence modeling"]


def test_the_same_merge_submitted_twice_is_one_job(admin_client, big):
    merge_action(admin_client, big["source"], big["target"])
    merge_action(admin_client, big["source"], big["target"])
    assert Job.objects.filter(kind=MERGE_TAGS).count() == 1


def test_a_merge_whose_target_was_deleted_meanwhile_fails_and_moves_nothing(admin_client, big):
    merge_action(admin_client, big["source"], big["target"])
    big["target"].delete()
    (job,) = run_queued_jobs(MERGE_TAGS)
    assert job.state == Job.State.FAILED
    assert "no longer exists" in job.message
    assert names(big["report"]) == ["seq models"]


def test_a_merge_whose_source_was_deleted_meanwhile_says_so(admin_client, big):
    merge_action(admin_client, big["source"], big["target"])
    source_pk = big["source"].pk
    big["source"].delete()
    (job,) = run_queued_jobs(MERGE_TAGS)
    assert job.state == Job.State.DONE, job.message
    assert job.result["merged"] == [] and job.result["already_gone"] == [source_pk]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_tag_merge(admin_client, big, real_worker):
    merge_action(admin_client, big["source"], big["target"])
    job = real_worker().wait_for(Job.objects.get(kind=MERGE_TAGS))
    assert job.state == Job.State.DONE, job.message
    assert names(big["report"]) == ["sequence modeling"]
