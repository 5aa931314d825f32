"""Venues: free text read into a Venue and a year, venue pages, ?venue=, citation formats."""

import importlib

import bibtexparser
import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from papers.bibtex import bibtex_entry_type, papers_to_bibtex
from papers.models import Paper, Status, Venue
from papers.venues import Kind, parse_venue
from tests.factories import AuthorFactory, PaperFactory

LIST = reverse("papers:paper_list")


@pytest.mark.parametrize(
    ("text", "short", "kind", "year"),
    [
        ("CVPR 2022", "CVPR", Kind.CONFERENCE, 2022),
        ("ICLR 2022", "ICLR", Kind.CONFERENCE, 2022),
        ("NeurIPS 2021", "NeurIPS", Kind.CONFERENCE, 2021),
        ("NIPS 2014", "NeurIPS", Kind.CONFERENCE, 2014),
        ("Nature", "Nature", Kind.JOURNAL, None),
        ("arXiv", "arXiv", Kind.PREPRINT, None),
        ("arXiv preprint arXiv:2103.00020", "arXiv", Kind.PREPRINT, None),
        ("CVPR'22", "CVPR", Kind.CONFERENCE, 2022),
        ("ICLR ’21", "ICLR", Kind.CONFERENCE, 2021),
        ("Proc. of the 38th ICML", "ICML", Kind.CONFERENCE, None),
        ("Advances in Neural Information Processing Systems 33", "NeurIPS", Kind.CONFERENCE, None),
        ("JMLR 2020", "JMLR", Kind.JOURNAL, 2020),
        ("CVPR 2022 Workshops", "CVPR Workshops", Kind.WORKSHOP, 2022),
    ],
)
def test_free_text_venues_are_read_into_short_name_kind_and_year(text, short, kind, year):
    parsed = parse_venue(text)
    assert (parsed.short_name, parsed.kind, parsed.year) == (short, kind, year)


@pytest.mark.parametrize("text", ["", "   ", "2022", "(2021)", "\x00", "'22"])
def test_text_without_a_venue_name_gives_no_venue(text):
    assert parse_venue(text) is None


def test_an_unknown_venue_keeps_its_own_name_and_a_kind_from_its_words():
    assert parse_venue("Nature Communications").name == "Nature Communications"
    assert parse_venue("Nature Communications").short_name == ""
    assert parse_venue("Journal of Odd Results 2019").kind == Kind.JOURNAL
    assert parse_venue("Journal of Odd Results 2019").year == 2019
    assert parse_venue("Lecture Notes in Things").kind == Kind.BOOK


@pytest.mark.django_db
def test_saving_a_paper_links_one_venue_per_real_venue():
    a = PaperFactory(venue="CVPR 2022", year=2022)
    b = PaperFactory(venue="CVPR'23", year=2023)
    c = PaperFactory(venue="Proc. IEEE/CVF Conference on Computer Vision and Pattern Recognition")
    assert a.published_in == b.published_in == c.published_in
    assert a.published_in.short_name == "CVPR"
    assert Venue.objects.count() == 1
    assert PaperFactory(venue="2022").published_in is None


@pytest.mark.django_db
def test_year_is_read_from_the_venue_when_missing():
    paper = Paper(title="A paper with only a venue year", venue="ICLR 2022")
    paper.full_clean(exclude=["slug"])
    assert paper.year == 2022


@pytest.mark.django_db
def test_data_migration_links_existing_free_text_venues():
    papers = [PaperFactory(venue=text) for text in ["CVPR 2022", "CVPR 2014", "Nature", "2022", ""]]
    Paper.objects.update(published_in=None)
    Venue.objects.all().delete()
    migration = importlib.import_module("papers.migrations.0007_venue_data")
    migration.forwards(django_apps, None)
    linked = {p.venue: p.published_in for p in Paper.objects.select_related("published_in")}
    assert linked["CVPR 2022"] == linked["CVPR 2014"]
    assert linked["CVPR 2022"].kind == Kind.CONFERENCE
    assert linked["Nature"].kind == Kind.JOURNAL
    assert linked["2022"] is None and linked[""] is None
    assert len(papers) == 5 and Venue.objects.count() == 2


@pytest.mark.django_db
def test_venue_filter_finds_papers_by_short_name_slug_or_text(client):
    PaperFactory(title="Seg 2022", venue="CVPR 2022", year=2022)
    PaperFactory(title="Det 2014", venue="CVPR 2014", year=2014)
    PaperFactory(title="Elsewhere", venue="NeurIPS 2021", year=2021)

    def titles(value):
        response = client.get(LIST, {"venue": value})
        assert response.status_code == 200
        return {paper.title for paper in response.context["papers"]}

    assert titles("CVPR") == {"Seg 2022", "Det 2014"}
    assert titles("cvpr") == {"Seg 2022", "Det 2014"}
    assert titles("CVPR 2022") == {"Seg 2022"}
    assert titles("CVPR'14") == {"Det 2014"}
    assert titles("Nowhere Conference") == set()
    assert titles("2022") == set()


@pytest.mark.django_db
def test_venue_page_lists_its_papers_and_unknown_venues_are_404(client):
    paper = PaperFactory(title="Seg 2022", venue="CVPR 2022", year=2022)
    PaperFactory(title="Other", venue="Nature")
    response = client.get(paper.published_in.get_absolute_url())
    assert response.status_code == 200
    assert [p.title for p in response.context["papers"]] == ["Seg 2022"]
    assert "Conference" in response.content.decode()
    assert client.get(reverse("papers:venue_detail", args=["no-such-venue"])).status_code == 404
    # The paper page links the venue.
    assert (
        paper.published_in.get_absolute_url()
        in client.get(paper.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("venue", "arxiv_id", "expected_type", "venue_field", "meta"),
    [
        ("CVPR 2014", "1311.2524", "inproceedings", "booktitle", "citation_conference_title"),
        ("Nature", "", "article", "journal", "citation_journal_title"),
        ("arXiv", "2106.09685", "misc", "howpublished", None),
        ("", "2106.09686", "misc", None, None),
        ("CVPR 2020 Workshops", "", "inproceedings", "booktitle", "citation_conference_title"),
    ],
)
def test_bibtex_type_and_citation_meta_follow_the_stored_venue_kind(
    client, venue, arxiv_id, expected_type, venue_field, meta
):
    paper = PaperFactory(
        venue=venue, arxiv_id=arxiv_id or None, year=2020, authors=[AuthorFactory()]
    )
    assert bibtex_entry_type(paper) == expected_type
    entry = bibtexparser.parse_string(papers_to_bibtex([paper])).entries[0]
    assert entry.entry_type == expected_type
    for field in ("journal", "booktitle", "howpublished"):
        assert (field in entry.fields_dict) == (field == venue_field)
    page = client.get(paper.get_absolute_url()).content.decode()
    for name in ("citation_conference_title", "citation_journal_title"):
        assert (f'name="{name}"' in page) == (name == meta)


@pytest.mark.django_db
def test_a_venue_page_miss_reads_no_venue_row_and_a_rename_or_withdrawal_shows_next(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paper = PaperFactory(title="Seg 2022", venue="CVPR 2022", year=2022)
    venue = paper.published_in
    url = venue.get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as miss:  # another address: not a stored page
        assert client.get(url, {"sort": "title"}).status_code == 200
    assert not [q for q in miss.captured_queries if 'FROM "papers_venue"' in q["sql"]]
    venue.name = "Computer Vision, Renamed"
    venue.save()
    assert "<h1>Computer Vision, Renamed</h1>" in client.get(url).content.decode()
    paper.status = Status.DRAFT
    paper.save()
    assert client.get(url).status_code == 404
