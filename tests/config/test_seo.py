"""What crawlers and link previews see: robots.txt, the sitemap, canonical and OpenGraph."""

import re

import pytest
from django.urls import reverse

from papers.models import Tag
from papers.sitemaps import PaperSitemap
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.sitemaps import sitemap_entries, sitemap_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    author = AuthorFactory(name="Public Author")
    hidden_author = AuthorFactory(name="Only Drafts")
    paper = PaperFactory(title="Public paper", tags=["vision"], authors=[author])
    PaperFactory(title="Draft paper", status="draft", tags=["secret"], authors=[hidden_author])
    return {
        "paper": paper,
        "author": author,
        "hidden_author": hidden_author,
        "report": ReportFactory(tags=["vision"]),
        "draft_report": ReportFactory(draft=True, tags=["secret-report"]),
        "session": PresentationFactory(paper=paper),
        "draft_session": PresentationFactory(draft=True),
    }


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body and "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_covers_every_public_kind_and_no_draft(client, content):
    urls = sitemap_entries(client)
    assert {"/", "/papers/", "/reports/", "/reading-group/", "/tags/"} <= set(urls)
    assert content["paper"].get_absolute_url() in urls
    assert content["report"].get_absolute_url() in urls
    assert content["session"].get_absolute_url() in urls
    assert "/tags/vision/" in urls
    assert content["author"].get_absolute_url() in urls
    for hidden in ("draft_report", "draft_session", "hidden_author"):
        assert content[hidden].get_absolute_url() not in urls, hidden
    assert "/tags/secret/" not in urls and "/tags/secret-report/" not in urls


def test_the_sitemap_is_an_index_of_sections(client, content):
    response = client.get("/sitemap.xml")
    assert response["Content-Type"] == "application/xml"
    assert response["ETag"]  # cached and validated like every public page
    assert sitemap_pages(client) == [
        f"/sitemap-{section}.xml"
        for section in ("pages", "papers", "reports", "sessions", "tags", "authors")
    ]
    lastmod = re.search(
        r"<loc>http://testserver/sitemap-papers.xml</loc><lastmod>([^<]+)</lastmod>",
        response.content.decode(),
    )
    assert lastmod and lastmod.group(1).startswith(str(content["paper"].updated_at.year))


def test_every_published_paper_is_on_some_page_of_its_section(client, monkeypatch):
    """At 100,000 papers a section has 20 pages; here 3 papers a page stand in for 5,000."""
    monkeypatch.setattr(PaperSitemap, "limit", 3)
    published = [PaperFactory() for _ in range(8)]
    drafts = [PaperFactory(status="draft") for _ in range(2)]
    pages = sitemap_pages(client)
    assert [p for p in pages if p.startswith("/sitemap-papers.xml")] == [
        "/sitemap-papers.xml",
        "/sitemap-papers.xml?p=2",
        "/sitemap-papers.xml?p=3",
    ]
    urls = sitemap_entries(client)
    paper_urls = {url for url in urls if url.startswith("/papers/") and url != "/papers/"}
    assert paper_urls == {paper.get_absolute_url() for paper in published}
    assert not {paper.get_absolute_url() for paper in drafts} & set(urls)


@pytest.mark.parametrize("url", ["/sitemap-papers.xml?p=3", "/sitemap-papers.xml?p=0",
                                 "/sitemap-papers.xml?p=abc", "/sitemap-papers.xml?p=1e400",
                                 "/sitemap-nothing.xml"])  # fmt: skip
def test_a_missing_sitemap_page_is_a_404(client, url):
    PaperFactory()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("n", [2, 20])
def test_sitemap_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, n):
    for i in range(n):
        PaperFactory(tags=[f"tag-{i}"], authors=[AuthorFactory()])
        ReportFactory()
        PresentationFactory()
    # The index: the count of papers, reports, sessions and authors, the latest change of
    # the first three, and the tags (their counts per kind and the tags).
    with django_assert_max_num_queries(11):
        assert client.get("/sitemap.xml").status_code == 200
    # A section page: its count and its rows (tags: their counts per kind and the tags);
    # papers and authors: their count, their rows' facts, and the rows when those changed.
    for section, queries in [("pages", 0), ("papers", 3), ("reports", 2), ("sessions", 2),
                             ("tags", 4), ("authors", 3)]:  # fmt: skip
        with django_assert_max_num_queries(queries):
            assert client.get(f"/sitemap-{section}.xml").status_code == 200


def _meta(html):
    def values(pattern):
        return re.findall(pattern, html)

    return {
        "canonical": values(r'<link rel="canonical" href="([^"]*)"'),
        "og:title": values(r'<meta property="og:title" content="([^"]*)"'),
        "og:url": values(r'<meta property="og:url" content="([^"]*)"'),
        "og:description": values(r'<meta property="og:description" content="([^"]*)"'),
        "twitter:card": values(r'<meta name="twitter:card" content="([^"]*)"'),
    }


def test_every_page_type_has_one_canonical_and_sensible_opengraph(client, content):
    pages = {
        "/": "Papershelf",
        reverse("papers:paper_list"): "Papers",
        reverse("papers:paper_year", args=["2021"]): "Papers from 2021",
        content["author"].get_absolute_url(): "Public Author",
        content["paper"].get_absolute_url(): "Public paper",
        reverse("blog:report_list"): "Reports",
        content["report"].get_absolute_url(): content["report"].title,
        reverse("readinggroup:presentation_list"): "Reading group",
        content["session"].get_absolute_url(): content["session"].title,
        reverse("tag_index"): "Tags",
        Tag.objects.get(slug="vision").get_absolute_url(): "vision",
        reverse("search") + "?q=paper": "Search",
    }
    for url, title in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        meta = _meta(response.content.decode())
        for name in ("canonical", "og:title", "og:url", "og:description", "twitter:card"):
            assert len(meta[name]) == 1, (url, name, meta[name])
        assert title in meta["og:title"][0], (url, meta["og:title"])
        assert meta["canonical"][0].startswith("http://testserver/"), url
        assert meta["og:description"][0].strip(), url


def test_every_page_names_a_site_icon_that_exists(client):
    from django.contrib.staticfiles import finders

    body = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg' in body
    assert finders.find("img/favicon.svg")
