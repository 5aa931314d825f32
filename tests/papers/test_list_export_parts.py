"""A public list's export is written in files of at most ``exports.IN_REQUEST`` papers
(``?part=N``), each naming the next in its Link header: no request writes thousands."""

import pybtex.database
import pytest
from django.urls import reverse

from papers import exports
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


@pytest.fixture
def five_papers(monkeypatch):
    monkeypatch.setattr(exports, "IN_REQUEST", 2)
    return [PaperFactory(title=f"Listed paper {n}", year=2000 + n) for n in range(5)]


def _keys(response):
    text = response.content.decode()
    return list(pybtex.database.parse_string(text, "bibtex").entries)


def test_each_part_holds_at_most_the_limit_and_names_the_next(client, five_papers):
    first = client.get(LIST, {"format": "bibtex"})
    assert first.status_code == 200 and len(_keys(first)) == 2
    assert first["Link"] == f'<{LIST}?format=bibtex&part=2>; rel="next"'
    assert 'filename="papers-1.bib"' in first["Content-Disposition"]

    last = client.get(LIST, {"format": "bibtex", "part": "3"})
    assert len(_keys(last)) == 1 and "Link" not in last

    seen = set()
    for part in ("1", "2", "3"):
        seen.update(_keys(client.get(LIST, {"format": "bibtex", "part": part})))
    assert len(seen) == 5


def test_a_list_within_the_limit_is_one_file_without_a_next_part(client, five_papers):
    response = client.get(LIST, {"format": "ris", "year": "2001"})

    assert response.status_code == 200 and "Link" not in response
    assert 'filename="papers.ris"' in response["Content-Disposition"]


@pytest.mark.parametrize(("part", "status"), [("4", 404), ("0", 400), ("abc", 400), ("1e9", 400)])
def test_a_part_past_the_end_or_not_a_number_is_a_4xx(client, five_papers, part, status):
    assert client.get(LIST, {"format": "bibtex", "part": part}).status_code == status


def test_the_list_page_says_how_many_files_its_export_takes(client, five_papers):
    page = client.get(LIST)

    assert b"the first of 3" in page.content and b"part=3" in page.content
