"""Wiki-link re-rendering and search-index rewrites as jobs (papers/refresh.py), run by a
real worker process; and the coalescing of changes that wait for the same job."""

import pytest
from django.urls import reverse

from papers.content.reindex import REINDEX
from papers.jobs.models import Job
from papers.models import Paper, Tag
from papers.refresh import WIKILINKS
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory, PresenterFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = reverse("search")


def _found(client, query):
    return [item.obj.title for item in client.get(SEARCH, {"q": query}).context["items"]]


def test_a_real_worker_re_renders_the_texts_that_wiki_link_a_renamed_paper(client, real_worker):
    paper = PaperFactory(title="Language Models are Few-Shot Learners", alias="GPT-3")
    report = ReportFactory(body="Then came [[Davinci]].")
    session = PresentationFactory(summary="We read [[Davinci]].", paper=None)
    reader = PaperFactory(notes="Compare with [[Davinci]].")
    run_queued_jobs()  # what the factories' saves queued
    assert "wikilink-missing" in report.body_html

    paper.alias = "Davinci"
    paper.save()
    [job] = Job.objects.filter(kind=WIKILINKS, state=Job.State.QUEUED)
    report.refresh_from_db()
    assert "wikilink-missing" in report.body_html  # the save only queued the work

    job = real_worker().wait_for(job)

    assert job.state == Job.State.DONE, job.message
    assert job.result == {"papers": 1, "batches": 1}
    report.refresh_from_db()
    session.refresh_from_db()
    reader.refresh_from_db()
    link = 'href="/papers/ref/Davinci/"'
    assert link in report.body_html and link in session.summary_html
    assert link in reader.notes_html
    assert list(report.mentions.all()) == [paper] == list(session.mentions.all())
    assert link in client.get(report.get_absolute_url()).content.decode()


def test_a_real_worker_reindexes_after_a_tag_rename_and_search_finds_the_new_name(
    client, real_worker
):
    paper = PaperFactory(title="Low-Rank Adaptation of Large Language Models", status="published")
    paper.tags.add("parameter-efficient")
    session = PresentationFactory(title="Adapters, session one", paper=None)
    session.tags.add("parameter-efficient")
    presenter = PresenterFactory(name="Edward Hu")
    session.presenters.add(presenter)
    run_queued_jobs()
    tag = Tag.objects.get(name="parameter-efficient")

    tag.name = "adapters everywhere"
    tag.save()
    presenter.name = "Edward Hufnagel"
    presenter.save()
    jobs = list(Job.objects.filter(kind=REINDEX, state=Job.State.QUEUED))
    # Papers, reports and sessions of the tag; sessions of the presenter.
    assert sorted(job.params["model"] for job in jobs) == [
        "blog.report", "papers.paper", "readinggroup.presentation",
        "readinggroup.presentation",
    ]  # fmt: skip
    # Not rewritten yet (the document, not the search page: the worker bumps the cache
    # version in its own process's memory cache, so the test asks new questions after).
    assert "adapters everywhere" not in Paper.objects.get(pk=paper.pk).search_text

    worker = real_worker()
    done = [worker.wait_for(job) for job in jobs]

    assert all(job.state == Job.State.DONE for job in done), [job.message for job in done]
    assert {job.params["model"]: job.result["rewritten"] for job in done} == {
        "papers.paper": 1,
        "blog.report": 0,
        "readinggroup.presentation": 1,
    }
    found = _found(client, "adapters everywhere")
    assert paper.title in found and session.title in found
    assert session.title in _found(client, "Hufnagel")


def test_saves_of_one_paper_waiting_for_their_job_share_it_with_all_the_names():
    paper = PaperFactory(alias="GPT-3")
    run_queued_jobs()
    paper.alias = "Davinci"
    paper.save()
    paper.alias = "text-davinci"
    paper.save()

    [job] = Job.objects.filter(kind=WIKILINKS, state=Job.State.QUEUED)
    assert job.params["papers"] == [paper.pk]
    assert {"GPT-3", "Davinci", "text-davinci"} <= set(job.params["names"])


def test_a_change_while_its_job_runs_queues_another_for_the_new_rows():
    paper = PaperFactory(alias="GPT-3")
    run_queued_jobs()
    paper.alias = "Davinci"
    paper.save()
    running = Job.objects.get(kind=WIKILINKS, state=Job.State.QUEUED)
    Job.objects.filter(pk=running.pk).update(state=Job.State.RUNNING)  # a worker took it

    paper.alias = "text-davinci"
    paper.save()

    waiting = Job.objects.get(kind=WIKILINKS, state=Job.State.QUEUED)
    assert waiting.pk != running.pk
    assert "text-davinci" in waiting.params["names"]
    assert Paper.objects.get(pk=paper.pk).alias == "text-davinci"


def test_a_tag_or_author_saved_with_its_name_unchanged_queues_no_reindex():
    paper = PaperFactory(tags=["optimisation"], authors=[AuthorFactory(name="Diederik Kingma")])
    run_queued_jobs()
    tag = Tag.objects.get(name="optimisation")
    tag.description = "Gradient methods and friends."
    tag.save()
    author = paper.authors.get()
    author.affiliation = "Somewhere"
    author.save()
    assert not Job.objects.filter(kind=REINDEX, state=Job.State.QUEUED).exists()

    author.name = "D. P. Kingma"
    author.save()
    tag.name = "optimization"
    tag.save()
    queued = list(Job.objects.filter(kind=REINDEX, state=Job.State.QUEUED))
    paper_jobs = [job.params["field"] for job in queued if job.params["model"] == "papers.paper"]
    assert sorted(paper_jobs) == ["authors", "tags"]
    # Saved again without a change: nothing more.
    tag.save()
    author.save()
    assert Job.objects.filter(kind=REINDEX, state=Job.State.QUEUED).count() == len(queued)
