"""``manage.py add_paper``: drafts from arXiv/Crossref, duplicates found, failures atomic."""

from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command

from papers.models import Author, Paper, Status
from tests.factories import PaperFactory

from .conftest import ARXIV_CLIP, ARXIV_PAIR, CROSSREF_TABPFN

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("add_paper", *args, stdout=out)
    return out.getvalue()


def test_adds_a_draft_with_ordered_authors_and_suggested_tag(serve):
    serve(ARXIV_CLIP)
    out = run("https://arxiv.org/abs/2103.00020v1")
    paper = Paper.objects.get()
    assert paper.status == Status.DRAFT
    assert paper.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert [a.name for a in paper.ordered_authors()][:2] == ["Alec Radford", "Jong Wook Kim"]
    assert (paper.year, paper.month, paper.arxiv_id) == (2021, 2, "2103.00020")
    assert paper.pdf_url == "https://arxiv.org/pdf/2103.00020"
    assert [tag.name for tag in paper.tags.all()] == ["cs.CV"]
    assert "Created (1):" in out and "1 created, 0 updated, 0 skipped." in out
    paper.full_clean()


def test_arxiv_and_doi_together(serve):
    serve({**ARXIV_PAIR, **CROSSREF_TABPFN})
    run("2010.11929", "hep-th/9711200", "https://doi.org/10.1038/s41586-024-08328-6")
    titles = set(Paper.objects.values_list("title", flat=True))
    assert "Accurate predictions on small data with a tabular foundation model" in titles
    assert "The Large N Limit of Superconformal Field Theories and Supergravity" in titles
    tabpfn = Paper.objects.get(doi="10.1038/s41586-024-08328-6")
    assert tabpfn.venue == "Nature" and tabpfn.year == 2025
    assert tabpfn.url == "https://www.nature.com/articles/s41586-024-08328-6"


def test_same_arxiv_id_any_version_finds_the_existing_paper(serve):
    serve(ARXIV_CLIP)
    existing = PaperFactory(title="CLIP, typed by hand", arxiv_id="2103.00020", year=2021)
    out = run("arXiv:2103.00020v2")
    assert Paper.objects.count() == 1
    assert f"already in the database as “CLIP, typed by hand” (#{existing.pk}" in out
    assert "--existing=overwrite" in out
    existing.refresh_from_db()
    assert existing.title == "CLIP, typed by hand"


def test_existing_paper_is_updated_when_asked(serve):
    serve(ARXIV_CLIP)
    existing = PaperFactory(title="CLIP, typed by hand", arxiv_id="2103.00020", year=2021)
    out = run("2103.00020", "--existing=overwrite")
    existing.refresh_from_db()
    assert existing.title.startswith("Learning Transferable Visual Models")
    assert existing.authors.count() == 12
    assert existing.notes == "Some *notes*."  # the owner's notes are never replaced by nothing
    assert "Updated (1):" in out


def test_same_doi_or_same_title_and_year_is_a_duplicate(serve):
    serve({**CROSSREF_TABPFN, **ARXIV_CLIP})
    PaperFactory(title="X", doi="10.1038/S41586-024-08328-6", year=2025)
    PaperFactory(title="Learning transferable visual models from natural-language supervision!",
                 year=2021)  # fmt: skip
    out = run("10.1038/s41586-024-08328-6", "2103.00020")
    assert Paper.objects.count() == 2
    assert "the same DOI" in out and "the same title and year" in out


def test_one_failure_saves_nothing_unless_skip_invalid(serve):
    serve(
        {
            **ARXIV_CLIP,
            "api.crossref.org": lambda request: httpx.Response(500, text="oops"),
        }
    )
    with pytest.raises(CommandError, match="Nothing was saved"):
        run("2103.00020", "10.1038/s41586-024-08328-6")
    assert Paper.objects.count() == 0 and Author.objects.count() == 0
    out = run("2103.00020", "10.1038/s41586-024-08328-6", "--skip-invalid")
    assert Paper.objects.count() == 1
    assert "Crossref answered with an error (HTTP 500)" in out


def test_dry_run_saves_nothing(serve):
    serve(ARXIV_CLIP)
    out = run("2103.00020", "--dry-run")
    assert "Would create (1):" in out and "Dry run: nothing was saved." in out
    assert "1 to create, 0 to update, 0 to skip." in out
    assert Paper.objects.count() == 0 and Author.objects.count() == 0


def test_offline_gives_a_clear_error_and_saves_nothing():
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("add_paper", "2103.00020", stdout=out)
    assert "Could not reach arXiv" in out.getvalue()
    assert Paper.objects.count() == 0
