"""A tag's list keeps its tags, authors and venues facets across counts versions
(papers/facets.py, ``kept_facets``): after a change the old ones are served while one
background job counts them again, the page showing them is not stored as current, and
the next request after the job shows the change."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from papers import facets
from papers.jobs.models import Job
from papers.models import Authorship, Status
from papers.site.cache import bump_content_version
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.papers.test_facets import _sidebar

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")
TAG = {"tag": "vision"}


def make_tagged():
    ann, bob = AuthorFactory(name="Ann Archer"), AuthorFactory(name="Bob Baker")
    first = PaperFactory(title="First", year=2020, venue="CVPR 2020", tags=["vision"],
                         authors=[ann])  # fmt: skip
    PaperFactory(title="Second", year=2021, venue="NeurIPS 2021", tags=["vision", "language"],
                 authors=[ann])  # fmt: skip
    PaperFactory(title="Elsewhere", year=2021, tags=["language"], authors=[bob])
    return {"ann": ann, "bob": bob, "first": first}


_kept_rows, tagged = fixture_rows(make_tagged)


def _authors(response):
    return {a.name: a.count for a in response.context["author_facets"]}


def _rebuilds():
    return Job.objects.filter(kind=facets.REBUILD_JOB)


def test_a_new_byline_is_in_the_tag_list_facets_after_the_rebuild_job(client, tagged):
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2}
    Authorship.objects.create(paper=tagged["first"], author=tagged["bob"], position=1)

    stale = client.get(LIST, TAG)
    # The old facets, served while one job counts them again; the count is the kept one.
    assert _authors(stale) == {"Ann Archer": 2}
    assert stale.context["page_obj"].paginator.count == 2
    assert _rebuilds().filter(state=Job.State.QUEUED).count() == 1

    (job,) = run_queued_jobs(facets.REBUILD_JOB)
    assert job.state == Job.State.DONE, job.message
    fresh = client.get(LIST, TAG)
    # Rendered again (not the stale page stored), with the new author in the sidebar.
    assert fresh.context is not None
    assert _authors(fresh) == {"Ann Archer": 2, "Bob Baker": 1}
    assert "Bob Baker" in _sidebar(fresh)


def test_a_stale_tag_list_is_not_stored_as_the_current_page(client, tagged):
    client.get(LIST, TAG)
    PaperFactory(title="Third", year=2022, tags=["vision"], authors=[tagged["bob"]])
    stale = client.get(LIST, TAG)
    assert _authors(stale) == {"Ann Archer": 2}
    # The count and the years are the kept counts': current at once.
    assert stale.context["page_obj"].paginator.count == 3
    assert {item["year"]: item["count"] for item in stale.context["year_facets"]} == {
        2022: 1, 2021: 1, 2020: 1}  # fmt: skip
    # Rendered again rather than served from the page cache (response.context is set),
    # and no second job: one rebuild at a time.
    again = client.get(LIST, TAG)
    assert again.context is not None
    assert _rebuilds().count() == 1
    run_queued_jobs(facets.REBUILD_JOB)
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2, "Bob Baker": 1}
    # Current now: stored, the next visitor reads the stored page.
    assert client.get(LIST, TAG).context is None


def test_tag_and_year_lists_keep_their_own_facets(client, tagged):
    year = {**TAG, "year": 2020}
    assert _authors(client.get(LIST, year)) == {"Ann Archer": 1}
    PaperFactory(title="Third", year=2020, venue="", tags=["vision"], authors=[tagged["bob"]])
    client.get(LIST, year)
    run_queued_jobs(facets.REBUILD_JOB)
    response = client.get(LIST, year)
    assert _authors(response) == {"Ann Archer": 1, "Bob Baker": 1}
    assert {v.label for v in response.context["venue_facets"]} == {"CVPR"}
    # The tag's list without the year keeps its own: both years' authors.
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2, "Bob Baker": 1}


def test_drafts_are_never_in_the_kept_facets(client, tagged):
    client.get(LIST, TAG)
    draft = PaperFactory(title="Draft", year=2020, venue="Nature", tags=["vision", "secret"],
                         authors=[tagged["bob"]], status=Status.DRAFT)  # fmt: skip
    bump_content_version()
    client.get(LIST, TAG)
    run_queued_jobs(facets.REBUILD_JOB)
    response = client.get(LIST, TAG)
    assert _authors(response) == {"Ann Archer": 2}
    assert "secret" not in {t.slug for t in response.context["tag_facets"]}
    assert "Nature" not in {v.label for v in response.context["venue_facets"]}
    # Published: counted at the next rebuild; a draft again: gone at the next request.
    draft.status = Status.PUBLISHED
    draft.save()
    client.get(LIST, TAG)
    run_queued_jobs(facets.REBUILD_JOB)
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2, "Bob Baker": 1}
    draft.status = Status.DRAFT
    draft.save()
    # At once, not after a rebuild: facets are never served stale past a withdrawal.
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2}


def test_without_a_worker_a_request_counts_the_facets_once_the_rebuild_is_overdue(client, tagged):
    client.get(LIST, TAG)
    PaperFactory(title="Third", year=2022, tags=["vision"], authors=[tagged["bob"]])
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2}
    # No worker took the job within REBUILD_AFTER: the rebuild lock expires.
    key = facets._kept_key("tag-facets", ["vision", None])
    cache.delete(f"{key}:rebuild")
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2, "Bob Baker": 1}
    assert _rebuilds().count() == 1


def test_a_tag_list_builds_its_facets_in_the_request_the_first_time(client, tagged):
    assert _authors(client.get(LIST, TAG)) == {"Ann Archer": 2}
    tags = {t.slug: t.count for t in client.get(LIST, {**TAG, "sort": "title"}).context[
        "tag_facets"]}  # fmt: skip
    assert tags == {"vision": 2, "language": 1}
    assert not _rebuilds().exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_facets_rebuild(client, real_worker):
    PaperFactory(title="First", year=2020, tags=["vision"], authors=[AuthorFactory()])
    client.get(LIST, TAG)
    bump_content_version()
    client.get(LIST, TAG)
    job = real_worker().wait_for(_rebuilds().get())
    # The worker has its own cache in tests (local memory): what it counted is its result.
    assert job.state == Job.State.DONE, job.message
    assert job.result == {"name": "tag-facets", "parts": ["vision", None], "entries": 3}


def _tags(response):
    return {t.slug: t.count for t in response.context["tag_facets"]}


def test_an_author_page_shows_a_new_tag_after_the_rebuild_job_and_its_count_at_once(client, tagged):
    ann, first = tagged["ann"], tagged["first"]
    page = ann.get_absolute_url()
    assert _tags(client.get(page)) == {"vision": 2, "language": 1}
    PaperFactory(title="Third", year=2022, venue="", tags=["robots"], authors=[ann])

    stale = client.get(page)
    assert stale.context["page_obj"].paginator.count == 3  # the count: at once
    assert _tags(stale) == {"vision": 2, "language": 1}  # the tags: after the job
    assert client.get(page).context is not None  # not stored as the current page
    run_queued_jobs(facets.REBUILD_JOB)
    assert _tags(client.get(page)) == {"vision": 2, "language": 1, "robots": 1}

    # The same filter as a list query counts its own facets, at once: not the page's.
    first.tags.add("maps")
    assert "maps" in _tags(client.get(LIST, {"author": ann.slug}))
    assert "maps" not in _tags(client.get(page))
    run_queued_jobs(facets.REBUILD_JOB)
    assert "maps" in _tags(client.get(page))


def test_a_draft_leaves_no_tag_or_venue_in_an_author_pages_kept_facets(client, tagged):
    ann = tagged["ann"]
    page = ann.get_absolute_url()
    client.get(page)
    PaperFactory(title="Draft", year=2022, venue="Nature", tags=["secret"], authors=[ann],
                 status=Status.DRAFT)  # fmt: skip
    bump_content_version()
    client.get(page)
    run_queued_jobs(facets.REBUILD_JOB)
    response = client.get(page)
    assert "secret" not in _tags(response)
    assert "Nature" not in {v.label for v in response.context["venue_facets"]}
    assert response.context["page_obj"].paginator.count == 2


@pytest.mark.parametrize("withdraw", ["unpublish", "delete"])
def test_a_withdrawn_papers_author_and_venue_leave_the_facets_at_the_next_request(
    client, tagged, withdraw
):
    """Old facets are served while they are counted again, but never past a published
    paper's unpublishing or deletion: they would name what is no longer public."""
    bob = PaperFactory(title="Bob's", year=2021, venue="ICML 2021", tags=["vision"],
                       authors=[tagged["bob"]])  # fmt: skip
    before = client.get(LIST, TAG)
    assert _authors(before) == {"Ann Archer": 2, "Bob Baker": 1}
    if withdraw == "unpublish":
        bob.status = Status.DRAFT
        bob.save()
    else:
        bob.delete()

    response = client.get(LIST, TAG)

    assert _authors(response) == {"Ann Archer": 2}
    assert "ICML 2021" not in {v.label for v in response.context["venue_facets"]}
    assert not _rebuilds().exists()  # counted in the request, not served stale


def test_an_edit_that_withdraws_nothing_still_serves_the_old_facets_while_they_are_counted(
    client, tagged
):
    client.get(LIST, TAG)
    PaperFactory(title="Third", year=2022, tags=["vision"], authors=[tagged["bob"]])
    response = client.get(LIST, TAG)
    assert _authors(response) == {"Ann Archer": 2}  # the old facets, served stale
    assert _rebuilds().count() == 1


def test_a_venue_page_shows_a_new_author_after_the_rebuild_job_and_its_count_at_once(
    client, tagged
):
    page = reverse("papers:venue_detail", args=["cvpr"])
    assert _authors(client.get(page)) == {"Ann Archer": 1}
    PaperFactory(title="Third", year=2022, venue="CVPR 2022", tags=["robots"],
                 authors=[tagged["bob"]])  # fmt: skip

    stale = client.get(page)
    assert stale.context["page_obj"].paginator.count == 2  # the count: at once
    assert _authors(stale) == {"Ann Archer": 1}  # the authors and tags: after the job
    assert _tags(stale) == {"vision": 1}
    assert client.get(page).context is not None  # not stored as the current page
    run_queued_jobs(facets.REBUILD_JOB)
    fresh = client.get(page)
    assert _authors(fresh) == {"Ann Archer": 1, "Bob Baker": 1}
    assert _tags(fresh) == {"vision": 1, "robots": 1}
    # The same filter as a list query counts its own facets, at once: not the page's.
    tagged["first"].tags.add("maps")
    assert "maps" in _tags(client.get(LIST, {"venue": "cvpr"}))
    assert "maps" not in _tags(client.get(page))


def test_a_withdrawn_paper_leaves_a_venue_pages_kept_facets_at_the_next_request(client, tagged):
    page = reverse("papers:venue_detail", args=["cvpr"])
    bob = PaperFactory(title="Bob's", year=2021, venue="CVPR 2021", tags=["robots"],
                       authors=[tagged["bob"]])  # fmt: skip
    assert _authors(client.get(page)) == {"Ann Archer": 1, "Bob Baker": 1}
    bob.status = Status.DRAFT
    bob.save()
    response = client.get(page)
    assert _authors(response) == {"Ann Archer": 1}
    assert "robots" not in _tags(response)
    assert not _rebuilds().exists()  # counted in the request, not served stale
