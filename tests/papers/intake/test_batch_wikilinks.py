"""A batch import queues the re-rendering of the texts that wiki-link its papers once, at
the end: one job (papers/refresh.py), which sends the announcements in chunks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.jobs.models import Job
from papers.refresh import references_announced_at_end
from papers.signals import paper_references_changed
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


def _entries(n, first=0):
    return "\n".join(
        f"@misc{{k{i}, title={{Batch paper {i}}}, year={{2020}}, shorthand={{BP{i}}}, "
        f"eprint={{2001.{i:05d}}}, archivePrefix={{arXiv}}}}"
        for i in range(first, first + n)
    )


def _import(tmp_path, text):
    path = tmp_path / "batch.bib"
    path.write_text(text)
    with CaptureQueriesContext(connection) as queries:
        call_command("import_bibtex", str(path), "--publish", stdout=StringIO())
    return len(queries)


def test_imported_papers_turn_dead_wikilinks_live(tmp_path):
    report = ReportFactory(body="Compare [[BP1]] with [[arXiv:2001.00002]].")
    session = PresentationFactory(summary="We read [[BP2]].")
    assert report.body_html.count("wikilink-missing") == 2
    run_queued_jobs()  # those the factories' papers queued
    _import(tmp_path, _entries(3))
    [job] = run_queued_jobs("papers.wikilinks")  # one for the whole import
    [related] = run_queued_jobs("papers.related")  # and one for the neighbours
    assert sorted(related.params["papers"]) == sorted(job.params["papers"])
    assert job.state == Job.State.DONE and len(job.params["papers"]) == 3, job.message
    report.refresh_from_db()
    session.refresh_from_db()
    assert "wikilink-missing" not in report.body_html
    assert 'href="/papers/ref/BP1/"' in report.body_html
    assert sorted(report.mentions.values_list("alias", flat=True)) == ["BP1", "BP2"]
    assert list(session.mentions.values_list("alias", flat=True)) == ["BP2"]


def test_import_queries_do_not_grow_by_the_wikilink_receivers(tmp_path):
    ReportFactory(body="Waiting for [[BP999]].")
    small = _import(tmp_path, _entries(5))
    large = _import(tmp_path, _entries(55, first=100))
    # A new paper costs its INSERT, its duplicate check and its search document (about
    # five queries); the wiki-link receivers, five more per paper when they ran after
    # each save, now run once per 25 papers.
    assert (large - small) / 50 <= 6, (small, large)


def test_nothing_is_announced_when_the_batch_fails():
    sent = []

    def receiver(sender, papers, names, **kwargs):
        sent.append((list(papers), set(names)))

    paper_references_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError), references_announced_at_end():
            PaperFactory(alias="Lost")
            raise RuntimeError
        assert not Job.objects.exists()
        with references_announced_at_end():
            papers = [PaperFactory(alias=f"P{i}") for i in range(30)]
            papers[0].alias = "Renamed"
            papers[0].save()
            assert not Job.objects.exists()
        # One job for the batch, sent in chunks when it runs (and one for the neighbours).
        [job] = Job.objects.filter(kind="papers.wikilinks")
        assert Job.objects.filter(kind="papers.related").count() == 1
        assert {"P0", "Renamed"} <= set(job.params["names"])
        assert sent == []
        run_queued_jobs()
        assert [len(chunk) for chunk, _ in sent] == [25, 5]
        assert sent[0][0][0].alias == "Renamed"
        PaperFactory(alias="Alone")
        run_queued_jobs()
        assert [paper.alias for paper in sent[-1][0]] == ["Alone"]
    finally:
        paper_references_changed.disconnect(receiver)


def test_imported_papers_turn_dead_wikilinks_in_paper_notes_live(tmp_path):
    # The receiver asks once per batch whether any notes hold a wiki-link at all; the
    # answer must not hide the one paper whose notes do.
    reader = PaperFactory(notes="Builds on [[BP40]].", status="published")
    assert "wikilink-missing" in reader.notes_html
    run_queued_jobs()
    _import(tmp_path, _entries(60))
    [job] = run_queued_jobs("papers.wikilinks")  # three announcements of 25, 25 and 10 papers
    assert job.result == {"papers": 60, "batches": 3}
    reader.refresh_from_db()
    assert 'href="/papers/ref/BP40/"' in reader.notes_html
    assert "wikilink-missing" not in reader.notes_html


def test_the_names_pattern_is_built_once_per_announcement_not_per_chunk(tmp_path, monkeypatch):
    # Every chunk carries every name of the import; building the pattern per chunk and
    # field made the job quadratic (5,000 papers: minutes), and a preview queued behind it.
    from papers import wikilinks

    built = []
    real = wikilinks._pattern
    monkeypatch.setattr(wikilinks, "_pattern", lambda names: built.append(1) or real(names))
    report = ReportFactory(body="Waiting for [[BP70]].")
    run_queued_jobs()
    built.clear()
    _import(tmp_path, _entries(80))
    [job] = run_queued_jobs("papers.wikilinks")
    assert job.result["batches"] == 4  # 80 papers in chunks of 25
    assert len(built) == 1
    report.refresh_from_db()
    assert 'href="/papers/ref/BP70/"' in report.body_html
