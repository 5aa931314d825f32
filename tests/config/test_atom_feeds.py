"""Every Atom feed of the site, found as a visitor finds them (autodiscovery links on the
list pages), read strictly: RFC 4287's structure (RELAX NG), feedparser, and the rules the
RFC gives in prose (tests/atom.py). Plus what the feeds promise beyond the RFC: one id per
paper, report or session in every feed, absolute addresses in entry HTML, feeds of every
paper list, tag feeds by publication date."""

import datetime
import html
import re
import shutil
import tempfile
from pathlib import Path

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import resolve
from django.utils import timezone

from papers.site.addresses import site_author
from papers.site.feeds import SiteFeed
from readinggroup.models import Presentation
from tests.atom import atom_problems, entries
from tests.blog.factories import ReportFactory
from tests.demo_state import DemoSnapshot
from tests.factories import PaperFactory, paper_with_everything
from tests.readinggroup.factories import PresentationFactory
from tests.urlwalk import all_routes, crawl_all, parameterless_paths

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"  # SITE_URL in tests/settings.py
_AUTODISCOVERY = re.compile(
    r'<link rel="alternate" type="application/atom\+xml"[^>]*?href="([^"]+)"'
)
# Pages that list papers, reports or sessions: each announces a feed of what it lists.
LIST_ROUTES = {
    "",
    "papers/",
    "^papers/(?P<year>[0-9]{4})/$",
    "authors/<str:slug>/",
    "reports/",
    "reports/<report_kind:kind_slug>/",
    "tags/<str:slugs>/",
    "reading-group/",
}
FILTERED_LISTS = (
    "/papers/?tag=vision",
    "/papers/?tag=vision&year=2021",
    "/papers/?q=transformer&sort=added",
    "/reports/?tag=vision",
)
# What a reader shows away from the page: a root-relative image, a page-relative link and
# an in-page anchor, each of which means nothing without the page's address.
RELATIVE_BODY = (
    "![A figure](/media/figures/plot.png)\n\n"
    "See [the next part](../next-part/) and [the proof](#proof).\n\n"
    "## Proof\n\nIt holds.\n"
)


def autodiscovered(response):
    body = response.content.decode()
    return [html.unescape(href).removeprefix(ORIGIN) for href in _AUTODISCOVERY.findall(body)]


def feed_routes():
    routes = set()
    for route in all_routes():
        view = getattr(route.callback, "__wrapped__", route.callback)
        if isinstance(view, SiteFeed):
            routes.add(route.route)
    return routes


def crawl_site_feeds(client):
    """``(pages, feeds)``: the crawled pages by route, and every feed address they announce
    (filtered paper lists included), each with its response."""
    pages = crawl_all(client, ["/", *parameterless_paths(all_routes())], per_route=3)
    # The crawl drops query strings: filtered lists are visited here.
    for url in FILTERED_LISTS:
        pages.setdefault("filtered", []).append((url, client.get(url)))
    addresses = {
        address
        for hits in pages.values()
        for _, response in hits
        if "html" in response.get("Content-Type", "")
        for address in autodiscovered(response)
    }
    return pages, {address: client.get(address) for address in sorted(addresses)}


@pytest.mark.usefixtures("demo_snapshot")
class SiteFeedsTests(TestCase):
    """Read-only checks of every feed of a full site. The site (the demo, plus entries with
    relative links) is made and crawled once for all of them: the crawl, a few hundred
    pages and feeds, cost each test 2 s of CPU when each made its own."""

    @classmethod
    def setUpClass(cls):
        # The demo's figures are written once, here; each test's own MEDIA_ROOT lacks them.
        cls.media = Path(tempfile.mkdtemp(prefix="papershelf-feeds-"))
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        super().setUpClass()  # setUpTestData: the site's rows, kept for the whole class
        cache.clear()  # pages another test cached are not this site's
        # Set after setUpTestData, so Django does not deep-copy them for each test.
        cls.pages, cls.feeds = crawl_site_feeds(Client())

    @classmethod
    def setUpTestData(cls):
        DemoSnapshot.last.restore(cls.media)  # what a fresh ``manage.py demo`` leaves
        paper = paper_with_everything(tags=("vision",))
        ReportFactory(title="Relative links", body=RELATIVE_BODY, tags=["vision"], papers=[paper])
        PresentationFactory(
            number=Presentation.next_number(), paper=paper, summary=RELATIVE_BODY, tags=["vision"]
        )

    def test_every_list_page_announces_its_feed_and_every_feed_is_announced(self):
        pages, feeds = self.pages, self.feeds
        silent = [
            url
            for route, hits in pages.items()
            if route in LIST_ROUTES or route == "filtered"
            for url, response in hits
            if response.status_code == 200 and not autodiscovered(response)
        ]
        assert silent == []
        assert set(pages) >= LIST_ROUTES
        announced = {resolve(address.split("?")[0]).route for address in feeds}
        assert feed_routes() <= announced
        assert "/papers/?tag=vision&format=atom" in feeds
        assert "/papers/?format=atom" in feeds

    def test_every_feed_is_strict_atom_with_the_site_as_author(self):
        feeds = self.feeds
        assert len(feeds) > 10
        problems = {}
        for address, response in feeds.items():
            found = [] if response.status_code == 200 else [f"status {response.status_code}"]
            found += atom_problems(response.content)
            parsed = feedparser.parse(response.content)
            if parsed.feed.get("author") != site_author().name:
                found.append(f"feed author {parsed.feed.get('author')!r}")
            if not response["Content-Type"].startswith("application/atom+xml"):
                found.append(f"content type {response['Content-Type']}")
            if found:
                problems[address] = found
        assert problems == {}

    def test_an_item_has_one_id_in_every_feed_and_no_two_items_share_one(self):
        ids_of_page, pages_of_id, feeds_of_id = {}, {}, {}
        for address, response in self.feeds.items():
            for entry_id, link, _ in entries(response.content):
                ids_of_page.setdefault(link, set()).add(entry_id)
                pages_of_id.setdefault(entry_id, set()).add(link)
                feeds_of_id.setdefault(entry_id, set()).add(address)
        assert {page: ids for page, ids in ids_of_page.items() if len(ids) > 1} == {}
        assert {i: pages for i, pages in pages_of_id.items() if len(pages) > 1} == {}
        assert all(entry_id.startswith("tag:testserver,") for entry_id in pages_of_id)
        # Items of every kind travel in several feeds (their own, tags', lists'): the check
        # above compared something.
        shared = {i.rsplit(":", 1)[1].split("/")[0] for i, f in feeds_of_id.items() if len(f) > 1}
        assert shared == {"paper", "report", "presentation"}


def test_an_entry_keeps_its_id_when_its_page_moves(client):
    paper = PaperFactory(title="Moving paper", tags=["moves"])
    (before,) = entries(client.get("/papers/?format=atom").content)
    paper.slug = "a-new-address"
    paper.save()
    (after,) = entries(client.get("/papers/?format=atom").content)
    assert after[0] == before[0] and after[1] != before[1]
    assert after[1] == f"{ORIGIN}/papers/a-new-address/"


def test_addresses_in_entry_html_are_resolved_against_the_entry_page(client):
    report = ReportFactory(title="Relative links", body=RELATIVE_BODY, tags=["rel"])
    feed = feedparser.parse(client.get("/feeds/reports/").content)
    (entry,) = feed.entries
    page = f"{ORIGIN}{report.get_absolute_url()}"
    content = entry.content[0].value
    assert f'src="{ORIGIN}/media/figures/plot.png"' in content
    assert 'href="{}"'.format(page + "#proof") in content
    assert 'href="{}"'.format(f"{ORIGIN}/reports/next-part/") in content
    assert atom_problems(client.get("/tags/rel/feed/").content) == []


def test_paper_list_feeds_carry_exactly_the_papers_the_list_shows_in_its_order(client):
    for i in range(5):
        paper_with_everything(title=f"Vision {i}", year=2015 + i, tags=("vision",))
    PaperFactory(title="Other topic", year=2024, tags=["audio"])
    PaperFactory(title="Draft", status="draft", tags=["vision"])
    for query in ("tag=vision", "tag=vision&sort=oldest", "year=2017", "", "page=2"):
        page = client.get(f"/papers/?{query}")
        listed = [f"{ORIGIN}{paper.get_absolute_url()}" for paper in page.context["papers"]]
        (address,) = autodiscovered(page)  # the feed the page announces
        assert "format=atom" in address and "page=" not in address
        feed = client.get(address)
        assert feed.status_code == 200 and atom_problems(feed.content) == []
        if "page" not in query:
            assert [link for _, link, _ in entries(feed.content)] == listed, query


def test_feeds_of_a_year_and_an_author_are_their_lists(client):
    paper = paper_with_everything(title="Only one", year=2019)
    author = paper.ordered_authors()[0]
    for address in ("/papers/2019/?format=atom", f"{author.get_absolute_url()}?format=atom"):
        response = client.get(address)
        assert atom_problems(response.content) == []
        assert [title for _, _, title in entries(response.content)] == ["Paper: Only one"]


def test_a_tag_feed_orders_by_publication_not_by_when_rows_were_added(client):
    report = ReportFactory(title="This week", tags=["t"], published_at=timezone.now())
    session = PresentationFactory(
        title="Last month", tags=["t"], scheduled_at=timezone.now() - datetime.timedelta(days=30)
    )
    # An import of old papers after the report and the session: added last, published long ago.
    for year in (2012, 2016):
        PaperFactory(title=f"Old {year}", year=year, tags=["t"])
    titles = [title for _, _, title in entries(client.get("/tags/t/feed/").content)]
    assert titles == [
        f"{report.label}: This week",
        f"Session {session.number}: Last month",
        "Paper: Old 2016",
        "Paper: Old 2012",
    ]
