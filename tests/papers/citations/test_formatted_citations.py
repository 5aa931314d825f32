"""The paper page's formatted citations (papers/citations/csl.py ``formatted``): each
process keeps the ones it made, and a change to what the styles read is formatted anew."""

import pytest
from django.core.cache import cache

from papers.citations import csl
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def format_calls(monkeypatch):
    calls = []
    real = csl._format

    def counting(item, styles):
        calls.append(item["title"])
        return real(item, styles)

    monkeypatch.setattr(csl, "_format", counting)
    csl._formatted_here.cache_clear()
    yield calls
    csl._formatted_here.cache_clear()


def test_a_process_formats_a_citation_once_even_when_the_shared_cache_is_emptied(format_calls):
    paper = PaperFactory(title="Kept Citations", year=2024)
    first = csl.formatted(paper)
    cache.clear()  # what each test does, and a Redis restart or eviction in production
    assert csl.formatted(paper) == first
    assert format_calls == ["Kept Citations"]
    assert [key for key, _, _ in first] == ["apa", "chicago", "ieee"]
    assert all("Kept Citations" in text for _, _, text in first)


def test_a_changed_title_is_formatted_anew(format_calls):
    paper = PaperFactory(title="Before the Change", year=2024)
    csl.formatted(paper)
    paper.title = "After the Change"
    paper.save()
    assert all("After the Change" in text for _, _, text in csl.formatted(paper))
    assert format_calls == ["Before the Change", "After the Change"]
