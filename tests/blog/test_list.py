"""/reports/ and /reports/<kind>/: newest first, paginated, kind/tag/year filters with counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Kind
from blog.views import PAGE_SIZE
from tests.blog.factories import ReportFactory, SeriesFactory, at, days_ago
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

LIST = "/reports/"


def titles(response):
    return [report.title for report in response.context["reports"]]


def test_urls_are_pinned():
    assert reverse("blog:report_list") == "/reports/"
    assert reverse("blog:report_kind", args=["paper-reports"]) == "/reports/paper-reports/"
    assert reverse("blog:report_kind", args=["book-reports"]) == "/reports/book-reports/"
    assert reverse("blog:report_kind", args=["paper-of-the-week"]) == "/reports/paper-of-the-week/"
    assert reverse("blog:report_kind", args=["articles"]) == "/reports/articles/"
    assert reverse("blog:report_detail", args=["nerf"]) == "/reports/nerf/"
    assert reverse("blog:feed") == "/feeds/reports/"
    assert reverse("blog:feed_kind", args=["articles"]) == "/feeds/reports/articles/"
    assert reverse("blog:feed_tag", args=["vision"]) == "/feeds/reports/tags/vision/"


def test_list_is_newest_first(client):
    ReportFactory(title="Old", published_at=days_ago(30))
    ReportFactory(title="New", published_at=days_ago(1))
    ReportFactory(title="Middle", published_at=days_ago(10))
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["New", "Middle", "Old"]


def test_list_is_paginated(client):
    for day in range(PAGE_SIZE + 3):
        ReportFactory(title=f"R{day:02d}", published_at=days_ago(day + 1))
    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    assert len(titles(first)) == PAGE_SIZE
    assert titles(second) == ["R10", "R11", "R12"]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("page", ["-1", "0", "999999", "abc"])
def test_junk_page_numbers_still_show_a_page(client, page):
    report = ReportFactory(title="The Only Report")
    response = client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert report.get_absolute_url() in response.content.decode()


def test_kind_page_shows_only_that_kind(client):
    ReportFactory(title="A paper report", kind=Kind.PAPER_REPORT)
    ReportFactory(title="A book report", kind=Kind.BOOK_REPORT)
    response = client.get("/reports/book-reports/")
    assert response.status_code == 200
    assert titles(response) == ["A book report"]
    assert "<h1>Book reports</h1>" in response.content.decode()


def test_kind_filter_in_the_query_string(client):
    ReportFactory(title="Weekly", kind=Kind.PAPER_OF_THE_WEEK)
    ReportFactory(title="Article", kind=Kind.ARTICLE)
    assert titles(client.get(LIST, {"kind": "paper-of-the-week"})) == ["Weekly"]


def test_tag_and_year_filters_combine(client):
    ReportFactory(title="Vision 2023", tags=["vision"], published_at=at(2023))
    ReportFactory(title="Vision 2024", tags=["vision"], published_at=at(2024))
    ReportFactory(title="Language 2024", tags=["language"], published_at=at(2024))
    response = client.get(LIST, {"tag": "vision", "year": "2024"})
    assert titles(response) == ["Vision 2024"]


def test_several_tags_mean_all_of_them(client):
    ReportFactory(title="Both", tags=["vision", "3d"])
    ReportFactory(title="One", tags=["vision"])
    assert titles(client.get(LIST + "?tag=vision&tag=3d")) == ["Both"]


def test_facet_counts(client):
    ReportFactory(kind=Kind.PAPER_REPORT, tags=["vision"], published_at=at(2023))
    ReportFactory(kind=Kind.PAPER_REPORT, tags=["vision", "3d"], published_at=at(2024))
    ReportFactory(kind=Kind.ARTICLE, tags=["3d"], published_at=at(2024))
    ReportFactory(kind=Kind.ARTICLE, draft=True, tags=["vision"])  # never counted
    response = client.get(LIST)
    kinds = {item["label"]: item["count"] for item in response.context["kind_facets"]}
    assert kinds == {"Paper reports": 2, "Book reports": 0, "Paper of the week": 0, "Articles": 1}
    years = {item["year"]: item["count"] for item in response.context["year_facets"]}
    assert years == {2024: 2, 2023: 1}
    tags = {tag.name: tag.count for tag in response.context["tag_facets"]}
    assert tags == {"vision": 2, "3d": 2}


def test_facets_count_within_the_other_filters(client):
    ReportFactory(kind=Kind.PAPER_REPORT, tags=["vision"], published_at=at(2023))
    ReportFactory(kind=Kind.ARTICLE, tags=["vision"], published_at=at(2024))
    ReportFactory(kind=Kind.ARTICLE, tags=["language"], published_at=at(2024))
    response = client.get("/reports/articles/", {"tag": "vision"})
    # Other kinds stay reachable with their counts under tag=vision.
    kinds = {item["label"]: item["count"] for item in response.context["kind_facets"]}
    assert kinds["Paper reports"] == 1 and kinds["Articles"] == 1
    years = {item["year"]: item["count"] for item in response.context["year_facets"]}
    assert years == {2024: 1}
    # The kind links keep the tag filter.
    urls = [item["url"] for item in response.context["kind_facets"]]
    assert "/reports/paper-reports/?tag=vision" in urls


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "99999"},
        {"kind": "poem"},
        {"tag": "x" * 101},
        {"tag": ["a", "b", "c", "d", "e", "f"]},
    ],
)
def test_bad_filters_are_a_400_with_a_message(client, query):
    ReportFactory()
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert "This list cannot be filtered that way." in response.content.decode()


@pytest.mark.parametrize("query", [{"page": "1\x00"}, {"tag": "a\x00b"}])
def test_nul_bytes_in_the_query_are_a_400(client, query):
    ReportFactory()
    assert client.get(LIST, query).status_code == 400


def test_unknown_kind_page_is_a_404_not_a_report(client):
    assert client.get("/reports/poems/").status_code == 404


def test_cards_show_cover_teaser_badge_and_series(client):
    series = SeriesFactory(title="Deep Theory")
    ReportFactory(
        with_cover=True,
        teaser="A *short* teaser.",
        work_in_progress=True,
        series=series,
        part=2,
        kind=Kind.BOOK_REPORT,
    )
    html = client.get(LIST).content.decode()
    assert '<img src="/media/covers/' in html
    assert "A <em>short</em> teaser." in html
    assert "Work in progress" in html
    assert "Deep Theory, part 2" in html
    assert 'type="application/atom+xml"' in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, "/reports/paper-reports/", LIST + "?tag=t1&year=2024"])
def test_query_count_does_not_grow_with_reports_papers_and_tags(
    client, url, django_assert_max_num_queries
):
    def add(n):
        series = SeriesFactory()
        for i in range(n):
            papers = [PaperFactory() for _ in range(3)]
            ReportFactory(
                tags=[f"t{i}", f"t{i + 1}", "t1"],
                papers=papers,
                series=series,
                part=i + 1,
                published_at=at(2024, day=i + 1),
            )

    add(2)
    few = _count_queries(client, url)
    add(25)
    many = _count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(6):
        client.get(url)
