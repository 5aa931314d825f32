"""A paper whose year is unknown (a reading log's entry: the file says when it was read,
not when it appeared) is stored with ``year = NULL`` and shown as "year unknown" on every
page, feed, export and API answer — never with an invented year, never a 500."""

import json

import bibtexparser
import feedparser
import pytest
import rispy
from django.core.management import call_command
from django.urls import reverse

from papers.models import Paper, Status
from tests.factories import AuthorFactory, PaperFactory

from .helpers import run_import_notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def undated():
    paper = PaperFactory(
        title="Group Norms for Tiny Batches",
        year=None,
        month=None,
        venue="",
        authors=[AuthorFactory(name="Ada Byron")],
        tags=["normalisation"],
        status=Status.PUBLISHED,
    )
    PaperFactory(title="A Dated Paper", year=2019, month=3, tags=["normalisation"])
    return paper


def test_a_reading_log_entry_is_imported_with_its_year_unknown_and_a_warning(tmp_path):
    notes = tmp_path / "read.md"
    notes.write_text(
        "## Added 2018/10/01:\n"
        "  * [Group Norms for Tiny Batches](notes/group-norms.md)\n"
        "  * `ECCV 2018` [Corner Pairs for Detection](notes/corners.md)\n"
    )
    out = run_import_notes(notes)
    assert Paper.objects.get(title="Group Norms for Tiny Batches").year is None
    assert Paper.objects.get(title="Corner Pairs for Detection").year == 2018
    assert "year unknown — the heading “Added 2018/10/01”" in out
    # Run again: nothing twice (same title, both of unknown year).
    run_import_notes(notes)
    assert Paper.objects.count() == 2


def test_a_paper_of_unknown_year_passes_full_clean_and_keeps_no_invented_year():
    paper = Paper(title="Undated Working Notes", slug="undated-working-notes")
    paper.full_clean()
    paper.save()
    paper.refresh_from_db()
    assert paper.year is None
    assert paper.date_display == "year unknown"
    assert paper.date_iso == ""


def test_the_lists_show_a_paper_of_unknown_year_last_and_offer_no_year_facet_for_it(
    client, undated
):
    for url in (reverse("papers:paper_list"), reverse("papers:paper_list") + "?sort=oldest"):
        body = client.get(url).content.decode()
        assert body.index("A Dated Paper") < body.index("Group Norms for Tiny Batches"), url
        assert "year unknown" in body
        assert "?year=None" not in body and 'datetime=""' not in body
    author = undated.ordered_authors()[0]
    body = client.get(author.get_absolute_url()).content.decode()
    assert "Year unknown" in body and "year-None" not in body


def test_the_detail_page_says_year_unknown_and_links_no_year_page(client, undated):
    response = client.get(undated.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "year unknown" in body
    assert "/papers/None/" not in body
    assert "citation_publication_date" not in body
    assert '"datePublished"' not in body


def test_feeds_and_citation_exports_carry_no_invented_year(client, undated):
    feed = feedparser.parse(client.get(reverse("papers:paper_list") + "?format=atom").content)
    assert not feed.bozo
    assert "Paper: Group Norms for Tiny Batches" in [entry.title for entry in feed.entries]

    bib = client.get(reverse("papers:paper_bibtex", args=[undated.slug])).content.decode()
    (entry,) = bibtexparser.parse_string(bib).entries
    assert "year" not in entry.fields_dict and entry["title"] == "Group Norms for Tiny Batches"

    ris = client.get(reverse("papers:paper_ris", args=[undated.slug])).content.decode()
    (record,) = rispy.loads(ris)
    assert "year" not in record and record["title"] == "Group Norms for Tiny Batches"

    csl = json.loads(client.get(reverse("papers:paper_csljson", args=[undated.slug])).content)
    item = csl[0] if isinstance(csl, list) else csl
    assert "issued" not in item


def test_the_api_answers_year_null(client, undated):
    response = client.get(f"/api/papers/{undated.slug}")
    assert response.status_code == 200
    assert response.json()["year"] is None


def test_a_bibtex_entry_without_a_year_round_trips_as_year_unknown(tmp_path, undated, client):
    bib = client.get(reverse("papers:paper_bibtex", args=[undated.slug])).content
    undated.delete()
    path = tmp_path / "undated.bib"
    path.write_bytes(bib)
    call_command("import_bibtex", str(path))
    assert Paper.objects.get(title="Group Norms for Tiny Batches").year is None
