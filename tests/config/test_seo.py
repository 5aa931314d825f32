"""What crawlers and link previews see: robots.txt, the sitemap, canonical and OpenGraph."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from papers.models import Tag
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


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
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    urls = {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{NS}loc")}
    assert content["paper"].get_absolute_url() in urls
    assert content["report"].get_absolute_url() in urls
    assert content["session"].get_absolute_url() in urls
    assert "/tags/vision/" in urls
    assert content["author"].get_absolute_url() in urls
    for hidden in ("draft_report", "draft_session", "hidden_author"):
        assert content[hidden].get_absolute_url() not in urls, hidden
    assert "/tags/secret/" not in urls and "/tags/secret-report/" not in urls


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
