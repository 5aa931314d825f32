"""Related papers: computed from the library's content, stored, read in one query, kept
current by a background job after saves."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers import related
from papers.jobs.models import Job
from papers.models import Paper, Status
from papers.related import RelatedIndex, RelatedPaper, related_to
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db


def _library():
    papers = {
        "ddpm": PaperFactory(
            title="Denoising diffusion probabilistic models",
            abstract="Image synthesis with a diffusion process that removes noise step by step.",
            tags=["diffusion", "generative"],
        ),
        "ldm": PaperFactory(
            title="High-resolution image synthesis with latent diffusion models",
            abstract="Diffusion in the latent space of an autoencoder for image synthesis.",
            tags=["diffusion", "generative"],
        ),
        "gan": PaperFactory(
            title="Generative adversarial networks",
            abstract="A generator and a discriminator trained against each other.",
            tags=["generative", "gan"],
        ),
        "bert": PaperFactory(
            title="BERT: pre-training of deep bidirectional transformers",
            abstract="Masked language model pre-training for language understanding.",
            tags=["nlp", "transformer"],
        ),
        "gpt": PaperFactory(
            title="Language models are few-shot learners",
            abstract="A large transformer language model learns tasks from a few examples.",
            tags=["nlp", "transformer"],
        ),
    }
    return papers


def test_rebuild_ranks_papers_on_the_same_subject_first():
    papers = _library()
    related.rebuild()
    assert [p.pk for p in related_to(papers["ddpm"])][:1] == [papers["ldm"].pk]
    assert [p.pk for p in related_to(papers["bert"])][:1] == [papers["gpt"].pk]
    assert papers["bert"].pk not in [p.pk for p in related_to(papers["ddpm"])[:2]]


def test_drafts_are_never_listed_nor_given_neighbours():
    papers = _library()
    draft = PaperFactory(
        title="Denoising diffusion probabilistic models, draft notes",
        abstract="Image synthesis with a diffusion process.",
        status=Status.DRAFT,
    )
    related.rebuild()
    assert draft.pk not in [p.pk for p in related_to(papers["ddpm"])]
    assert not RelatedPaper.objects.filter(paper=draft).exists()
    # A paper unpublished after the rebuild disappears from lists at once (read-time filter).
    Paper.objects.filter(pk=papers["ldm"].pk).update(status=Status.DRAFT)
    assert papers["ldm"].pk not in [p.pk for p in related_to(papers["ddpm"])]


def test_related_list_is_read_in_one_query():
    papers = _library()
    related.rebuild()
    with CaptureQueriesContext(connection) as queries:
        found = related_to(papers["ddpm"])
        [p.get_absolute_url() for p in found]
        [str(p) for p in found]
    assert len(queries) == 1


@pytest.mark.parametrize("count", [0, 1, 2])
def test_tiny_libraries_rebuild_without_error(count):
    for n in range(count):
        PaperFactory(title=f"Paper number {n}")
    assert related.rebuild()["papers"] == count
    assert RelatedPaper.objects.count() <= count * (count - 1)


def test_papers_with_no_text_or_identical_titles_rebuild():
    for _ in range(6):
        PaperFactory(title="The same title", abstract="")
    PaperFactory(title="the", abstract="")  # only a stop word
    figures = related.rebuild()
    assert figures["papers"] == 7
    # Identical titles say nothing (the words are in over half the library): no fake scores.
    assert all(row.score < 1.5 for row in RelatedPaper.objects.all())


def test_one_megabyte_of_notes_is_read_up_to_the_cap():
    papers = _library()
    papers["gan"].notes = "discriminator " * 80_000  # ~1.1 MB
    papers["gan"].save()
    figures = related.rebuild()
    assert figures["papers"] == 5


def test_previous_work_link_raises_the_score_of_the_linked_paper():
    papers = _library()
    related.rebuild()
    before = {p.pk: p.related_score for p in related_to(papers["gan"])}
    papers["gan"].related.add(papers["bert"])
    related.rebuild()
    after = {p.pk: p.related_score for p in related_to(papers["gan"])}
    assert after[papers["bert"].pk] > before.get(papers["bert"].pk, 0)


def _newcomer():
    return PaperFactory(
        title="Diffusion models beat GANs on image synthesis",
        abstract="Guided diffusion improves image synthesis quality over adversarial networks.",
        tags=["diffusion", "generative"],
    )


def test_save_queues_one_coalesced_job_and_the_job_updates_the_lists():
    papers = _library()
    related.rebuild()
    Job.objects.all().delete()
    newcomer = _newcomer()
    newcomer.title = newcomer.title + "."
    newcomer.save()
    jobs = Job.objects.filter(kind=related.UPDATE)
    assert jobs.count() == 1
    assert newcomer.pk in jobs.get().params["papers"]
    (job,) = run_queued_jobs(related.UPDATE)
    assert job.state == Job.State.DONE
    assert newcomer.pk in [p.pk for p in related_to(papers["ddpm"])]
    assert papers["ddpm"].pk in [p.pk for p in related_to(newcomer)][:3]


def _lists():
    return sorted(RelatedPaper.objects.values_list("paper", "other", "rank"))


def test_incremental_update_matches_recomputing_every_list_with_the_stored_model():
    papers = _library()
    related.rebuild()
    papers["bert"].abstract = "Diffusion image synthesis with a denoising generator."
    papers["bert"].save()
    related.update([papers["bert"].pk])
    incremental = _lists()
    assert papers["ddpm"].pk in [p.pk for p in related_to(papers["bert"])][:2]
    related.rebuild(refit=False)
    assert incremental == _lists()


def test_the_update_job_reads_the_text_of_the_changed_paper_only():
    """No refit per save: the stored vocabulary vectorises the one saved paper."""
    papers = _library()
    related.rebuild()
    Paper.objects.filter(pk=papers["gan"].pk).update(abstract="Adversarial image synthesis.")
    with CaptureQueriesContext(connection) as queries:
        related.update([papers["gan"].pk])
    texts = [q["sql"] for q in queries if '"abstract"' in q["sql"]]
    assert len(texts) == 1
    assert f"IN ({papers['gan'].pk})" in texts[0]


def test_a_word_first_used_after_the_fit_counts_from_the_next_rebuild():
    papers = _library()
    related.rebuild()
    for key in ("gan", "gpt"):
        Paper.objects.filter(pk=papers[key].pk).update(abstract="Zygomorphic zygomorphic.")
    related.update([papers["gan"].pk, papers["gpt"].pk])
    before = {p.pk: p.related_score for p in related_to(papers["gan"])}
    related.rebuild()
    after = {p.pk: p.related_score for p in related_to(papers["gan"])}
    assert after[papers["gpt"].pk] > before.get(papers["gpt"].pk, 0)


def test_without_a_stored_model_the_update_rebuilds(settings, tmp_path):
    papers = _library()
    related.rebuild()
    settings.RELATED_MODEL_DIR = tmp_path  # another box, or the folder was wiped
    related.update([papers["bert"].pk])
    refitted = RelatedIndex.objects.get()
    assert refitted.changed_since_fit == 0
    assert (tmp_path / "related" / "model.npz").exists()
    related.update([papers["bert"].pk])  # now from the stored model: no refit
    state = RelatedIndex.objects.get()
    assert (state.fitted_at, state.changed_since_fit) == (refitted.fitted_at, 1)
    assert state.token != refitted.token


def test_an_unreadable_stored_model_makes_the_update_rebuild(settings, tmp_path):
    papers = _library()
    settings.RELATED_MODEL_DIR = tmp_path
    related.rebuild()
    path = tmp_path / "related" / "model.npz"
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    related.update([papers["bert"].pk])
    assert RelatedIndex.objects.get().changed_since_fit == 0  # refitted
    assert related.related_to(papers["ddpm"])
    assert related.update([papers["bert"].pk]) >= 1
    assert RelatedIndex.objects.get().changed_since_fit == 1  # the new model was read


def test_deleting_a_paper_refills_the_lists_that_held_it():
    papers = _library()
    related.rebuild()
    holders = set(RelatedPaper.objects.filter(other=papers["ldm"]).values_list("paper", flat=True))
    assert holders
    papers["ldm"].delete()
    run_queued_jobs(related.UPDATE)
    after = _lists()
    assert not [row for row in after if papers["ldm"].pk in row[:2]]
    related.rebuild(refit=False)
    assert after == _lists()


def test_paper_page_shows_similar_papers(client):
    papers = _library()
    related.rebuild()
    response = client.get(papers["ddpm"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Similar in this library" in html
    assert papers["ldm"].get_absolute_url() in html
    assert f"/search/?like={papers['ddpm'].slug}" in html


def test_api_related_lists_similar_papers_with_scores(client):
    papers = _library()
    related.rebuild()
    response = client.get(f"/api/papers/{papers['ddpm'].slug}/related")
    assert response.status_code == 200
    body = response.json()
    assert body[0]["slug"] == papers["ldm"].slug
    assert body[0]["score"] >= body[-1]["score"]
    assert body[0]["html_url"].endswith(papers["ldm"].get_absolute_url())


def test_api_related_of_unknown_or_draft_paper_is_404(client):
    draft = PaperFactory(status=Status.DRAFT)
    assert client.get("/api/papers/no-such-paper/related").status_code == 404
    assert client.get(f"/api/papers/{draft.slug}/related").status_code == 404


@pytest.mark.parametrize("slug", ["arxiv", "doi"])
def test_api_related_of_a_paper_slugged_like_a_lookup_is_its_list_not_a_bad_id(client, slug):
    """``/api/papers/arxiv/related`` is the related list of the paper "arxiv" (a title
    such as "arXiv"), not the arXiv lookup of the id "related" (422)."""
    assert client.get(f"/api/papers/{slug}/related").status_code == 404  # no such paper
    paper = PaperFactory(title=slug, slug=slug)
    response = client.get(f"/api/papers/{slug}/related")
    assert response.status_code == 200 and response.json() == []
    assert client.get(f"/api/papers/{slug}").json()["slug"] == paper.slug


def test_a_save_only_queues_the_job_and_computes_nothing_in_the_request():
    """The neighbours are computed in the worker: the save's queries never touch the
    stored lists (a wall-clock bound would measure the shared machine's load instead)."""
    for n in range(50):
        PaperFactory(title=f"Filler paper about topic {n % 17}", abstract=f"words {n}")
    related.rebuild()
    paper = PaperFactory(title="A paper to edit")
    Job.objects.all().delete()
    paper.title = "A paper edited"
    with CaptureQueriesContext(connection) as queries:
        paper.save()
    assert not [q for q in queries if "relatedpaper" in q["sql"].lower()]
    assert Job.objects.filter(kind=related.UPDATE, state=Job.State.QUEUED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_updates_the_lists_from_the_stored_model(real_worker):
    """The worker process reads the model this process stored (same media folder), so
    the job vectorises the saved paper only: no refit, and the lists are the ones a
    recomputation with that model gives."""
    papers = _library()
    related.rebuild()
    fitted = RelatedIndex.objects.get()
    Job.objects.all().delete()
    papers["gpt"].abstract = "Latent diffusion for image synthesis, a denoising generator."
    papers["gpt"].save()
    job = real_worker().wait_for(Job.objects.get(kind=related.UPDATE))
    assert job.state == Job.State.DONE, job.message
    assert "rebuilt" not in job.result
    state = RelatedIndex.objects.get()
    assert (state.fitted_at, state.changed_since_fit) == (fitted.fitted_at, 1)
    assert papers["ldm"].pk in [p.pk for p in related_to(papers["gpt"])][:2]
    from_worker = _lists()
    related.rebuild(refit=False)
    assert from_worker == _lists()


def test_best_columns_by_group_maxima_are_the_best_of_a_full_sort():
    """``_top`` searches only the best groups of columns; it must find the scores that
    sorting every column finds, padding and ties included, and the same columns where the
    twelfth score is not tied."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = 5_003  # not a whole number of groups: the last group is padded
    groups, width = related._groups(n)
    block = np.full((60, groups * width), -np.inf, dtype=np.float32)
    block[:20, :n] = rng.random((20, n), dtype=np.float32)  # distinct scores
    block[20:50, :n] = rng.random((30, n), dtype=np.float32).round(3)  # many ties
    block[50:, :n] = 0.5  # a library of identical papers
    others, scores = related._top(block.copy(), n, 12)
    for row in range(60):
        expected = np.lexsort((np.arange(n), -block[row, :n]))[:12]
        assert scores[row].tolist() == block[row, expected].tolist()
        assert block[row, others[row]].tolist() == scores[row].tolist()
        assert len(set(others[row].tolist())) == 12
        if row < 20:
            assert others[row].tolist() == expected.tolist()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_related_papers_job(real_worker):
    papers = _library()
    related.rebuild()
    Job.objects.all().delete()
    newcomer = _newcomer()
    job = Job.objects.get(kind=related.UPDATE, state=Job.State.QUEUED)

    job = real_worker().wait_for(job)

    assert job.state == Job.State.DONE, job.message
    assert newcomer.pk in [p.pk for p in related_to(papers["ddpm"])]


def test_a_django_process_that_builds_no_vectors_imports_no_numpy_scipy_sklearn_or_idle_parsers():
    """numpy, scipy and scikit-learn take up to seconds to import; a process that loads every
    app and URL (a job worker, a command, a gunicorn worker) imports them only to build
    vectors. Likewise the libraries only an upload, a lookup, a calendar or a citation not yet
    cached uses: httpx, the notes parsers (markdown-it, orgparse, YAML), icalendar, citeproc,
    the BibTeX and LaTeX parsers (bibtexparser, pylatexenc) and the formula renderer
    (latex2mathml)."""
    idle = (
        *("numpy", "scipy", "sklearn", "httpx", "markdown_it", "orgparse", "yaml"),
        *("icalendar", "citeproc", "bibtexparser", "pylatexenc", "latex2mathml"),
    )
    code = (
        "import sys, django; django.setup(); import config.urls, papers.related, papers.views; "
        f"print(','.join(sorted(m for m in {idle!r} if m in sys.modules)) or '-')"
    )
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert run.stdout.split()[-1] == "-", run.stdout + run.stderr
    related.related_model.Model.fit([])  # and building vectors still finds them
