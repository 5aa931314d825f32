"""Atom feeds: all reports, per kind, per tag; published only, newest 20, full HTML content."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.feeds import FEED_SIZE
from blog.models import Kind
from papers.site import cache as cache_module
from tests.blog.factories import ReportFactory, days_ago

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output; raises if invalid


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def entry_titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def test_feed_has_the_newest_20_published_reports_newest_first(client):
    for day in range(FEED_SIZE + 5):
        ReportFactory(title=f"R{day:02d}", published_at=days_ago(day + 1))
    ReportFactory(title="Draft", draft=True)
    feed = parse(client.get("/feeds/reports/"))
    titles = entry_titles(feed)
    assert len(titles) == FEED_SIZE
    assert titles[0] == "Paper report: R00"
    assert titles[-1] == "Paper report: R19"


def test_entries_carry_full_html_content_with_absolute_urls(client):
    report = ReportFactory(
        number=3,
        title="Radiance",
        teaser="Short *teaser*.",
        body="## Part\n\nText $x^2$ and ![fig](/media/uploads/f.png) and [a](/papers/).",
        tags=["vision", "3d"],
    )
    feed = parse(client.get("/feeds/reports/"))
    (entry,) = entries(feed)
    assert entry.findtext(f"{ATOM}title") == "Paper report 3: Radiance"
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver{report.get_absolute_url()}"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>Short <em>teaser</em>.</p>"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<math" in content.text and '<h2 id="part">Part</h2>' in content.text
    assert 'src="http://testserver/media/uploads/f.png"' in content.text
    assert 'href="http://testserver/papers/"' in content.text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"vision", "3d"}
    assert entry.findtext(f"{ATOM}published").startswith(str(report.published_at.year))


def test_kind_feed_has_only_that_kind(client):
    ReportFactory(title="Book", kind=Kind.BOOK_REPORT)
    ReportFactory(title="Paper", kind=Kind.PAPER_REPORT)
    feed = parse(client.get("/feeds/reports/book-reports/"))
    assert entry_titles(feed) == ["Book report: Book"]
    assert feed.findtext(f"{ATOM}title").startswith("Book reports")


def test_tag_feed_has_only_that_tag(client):
    ReportFactory(title="Tagged", tags=["C++"])
    ReportFactory(title="Other", tags=["vision"])
    feed = parse(client.get("/feeds/reports/tags/c-plus-plus/"))
    assert entry_titles(feed) == ["Paper report: Tagged"]
    assert "C++" in feed.findtext(f"{ATOM}title")


def test_unknown_tag_or_kind_feed_is_a_404(client):
    assert client.get("/feeds/reports/tags/nothing/").status_code == 404
    assert client.get("/feeds/reports/poems/").status_code == 404


def test_control_characters_in_title_teaser_body_and_tags_keep_the_feed_valid_xml(client):
    ReportFactory(
        title="Vertical\x0btab and form\x0cfeed",
        teaser="Bell\x07 and \x1b escape",
        body="Page one\x0c\n\n## Two\x0b\n\ntext \x08 backspace",
        tags=["fine"],
    )
    for url in ("/feeds/reports/", "/feeds/reports/paper-reports/", "/feeds/reports/tags/fine/"):
        feed = parse(client.get(url))
        (entry,) = entries(feed)
        assert entry.findtext(f"{ATOM}title") == "Paper report: Vertical tab and form feed"
        assert "backspace" in entry.find(f"{ATOM}content").text
    # The site-wide tag feed (config/tags.py) carries the same report.
    (entry,) = entries(parse(client.get("/tags/fine/feed/")))
    assert "Vertical tab and form feed" in entry.findtext(f"{ATOM}title")


def test_feed_is_discoverable_from_the_pages(client):
    report = ReportFactory()
    for url in ("/reports/", report.get_absolute_url()):
        assert 'type="application/atom+xml"' in client.get(url).content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/feeds/reports/", "/feeds/reports/paper-reports/", "/feeds/reports/tags/common/"]
)
def test_feed_query_count_is_constant(client, url, django_assert_max_num_queries, monkeypatch):
    # The content version moves only on saves here, not with the clock's minute: a run that
    # crosses a minute would read the site settings once more (tests/papers/test_identity.py).
    monkeypatch.setattr(cache_module, "CLOCK_STEP_NS", 10**18)
    for i in range(2):
        ReportFactory(tags=["common", f"a{i}"], published_at=days_ago(i + 1))
    few = _count(client, url)
    for i in range(2, 30):
        ReportFactory(tags=["common", f"a{i}", f"b{i}"], published_at=days_ago(i + 1))
    assert _count(client, url) == few
    with django_assert_max_num_queries(3):
        client.get(url)
