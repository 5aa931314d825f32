"""Absolute URLs come from SITE_URL: the Host header of one request never changes a page.

Pages, feeds and calendars are cached and shared between visitors, and feed ids and
calendar UIDs must be permanent: a request with another (allowed) Host, or an odd port,
must leave every address at SITE_URL, for itself and for whoever comes next.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from pytest_django.asserts import assertInHTML

from blog.models import Kind
from papers.site.feeds import entry_id
from tests.blog.factories import ReportFactory
from tests.config.test_security import PRODUCTION_ENV, run_django
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

SITE = "https://papers.example.org"
# Allowed by tests/settings.py's ALLOWED_HOSTS, so each one gets a page: the one with an
# odd port first, so that it is the request that fills the cache.
HOSTS = ["127.0.0.1:6666", "127.0.0.1:6666", "localhost", "testserver"]
REQUEST_HOSTS = ("127.0.0.1", "localhost", "testserver")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def world():
    paper = PaperFactory(
        title="Hosted paper", tags=["vision"], authors=[AuthorFactory(name="Ada Host")]
    )
    report = ReportFactory(
        with_cover=True,
        tags=["vision"],
        papers=[paper],
        body="A figure: ![chart](/media/uploads/chart.png), and [the list](/papers/).",
    )
    session = PresentationFactory(paper=paper, tags=["vision"])
    return {"paper": paper, "report": report, "session": session}


def _addresses(world):
    paper, report, session = world["paper"], world["report"], world["session"]
    sections = ["pages", "papers", "reports", "sessions", "tags", "authors"]
    return [
        reverse("home"),
        paper.get_absolute_url(),
        report.get_absolute_url(),
        session.get_absolute_url(),
        reverse("tag_detail", args=["vision"]),
        reverse("search") + "?q=hosted",
        reverse("robots_txt"),
        reverse("sitemap"),
        *(reverse("sitemap_section", args=[section]) for section in sections),
        reverse("blog:feed"),
        reverse("blog:feed_kind", args=[Kind(report.kind).url_slug]),
        reverse("blog:feed_tag", args=["vision"]),
        reverse("readinggroup:feed"),
        reverse("tag_feed", args=["vision"]),
        reverse("readinggroup:calendar"),
        reverse("readinggroup:presentation_ics", args=[session.number]),
        "/api/papers",
        f"/api/papers/{paper.slug}",
        "/api/reports",
        f"/api/reports/{report.slug}",
        "/api/sessions",
        f"/api/sessions/{session.number}",
        "/api/tags",
    ]


def _text(response):
    # iCalendar folds long lines ("\r\n "): unfold, so an address is one piece of text.
    return response.content.decode().replace("\r\n ", "")


def test_no_host_header_ever_reaches_an_address_on_any_page(client, world):
    for address in _addresses(world):
        for host, secure in [*((host, False) for host in HOSTS), ("localhost:8443", True)]:
            response = client.get(address, headers={"host": host}, secure=secure)
            assert response.status_code == 200, (address, host)
            body = _text(response)
            assert SITE in body, (address, host)
            for request_host in REQUEST_HOSTS:
                assert request_host not in body, (address, host, request_host)


def test_page_links_and_metadata_say_site_url_after_another_host_filled_the_cache(world):
    odd, visitor = Client(headers={"host": "127.0.0.1:6666"}), Client()
    for name in ("paper", "report"):
        url = world[name].get_absolute_url()
        odd.get(url)
        html = visitor.get(url).content.decode()
        assertInHTML(f'<link rel="canonical" href="{SITE}{url}">', html)
        assertInHTML(f'<meta property="og:url" content="{SITE}{url}">', html)
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S)[1])
        assert data["url"] == f"{SITE}{url}"
    report = world["report"]
    html = visitor.get(report.get_absolute_url()).content.decode()
    assertInHTML(f'<meta property="og:image" content="{SITE}{report.cover.url}">', html)


def test_feed_and_entry_ids_are_permanent_whatever_the_host(world):
    ids = set()
    for host in HOSTS:
        response = Client().get(reverse("blog:feed"), headers={"host": host})
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        entry = root.find(f"{ATOM}entry")
        ids.add((root.find(f"{ATOM}id").text, entry.find(f"{ATOM}id").text))
    report = world["report"]
    # The feed's id is its own address; an entry's, a tag: URI of the site's host.
    assert ids == {(f"{SITE}{reverse('blog:feed')}", entry_id(report))}
    assert entry_id(report).startswith("tag:papers.example.org,")
    # Root-relative images and links in the entry's HTML point at the site, too.
    assert f'src="{SITE}/media/uploads/chart.png"' in entry.find(f"{ATOM}content").text


def test_api_html_url_is_on_site_url_whatever_the_host(world):
    paper = world["paper"]
    for host in HOSTS:
        data = Client().get(f"/api/papers/{paper.slug}", headers={"host": host}).json()
        assert data["html_url"] == f"{SITE}{paper.get_absolute_url()}"


def test_calendar_uid_and_url_are_permanent_whatever_the_host(world):
    session = world["session"]
    for host in HOSTS:
        response = Client().get(reverse("readinggroup:calendar"), headers={"host": host})
        [event] = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["UID"]) == f"presentation-{session.pk}@papers.example.org"
        assert str(event["URL"]) == f"{SITE}{session.get_absolute_url()}"


def test_robots_txt_names_the_sitemap_on_site_url(client):
    body = client.get(reverse("robots_txt"), headers={"host": "localhost:6666"}).content
    assert f"Sitemap: {SITE}/sitemap.xml".encode() in body


def _bad_host_client():
    # A 500 would be re-raised by the test client; the status is what a visitor gets.
    return Client(raise_request_exception=False, headers={"host": "evil.example"})


@pytest.mark.parametrize(
    "address", ["/", "/papers/", "/healthz", "/robots.txt", "/no-such-page/", "/api/papers"]
)
def test_a_host_not_in_allowed_hosts_gets_the_plain_400_page(address):
    response = _bad_host_client().get(address)
    assert response.status_code == 400
    body = response.content.decode()
    assertInHTML("<h1>Bad request</h1>", body)
    assert "evil.example" not in body


def test_a_host_not_in_allowed_hosts_gets_400_for_a_cached_page_too(client, world):
    url = world["paper"].get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # now served from the page cache
    response = _bad_host_client().get(url)
    assert response.status_code == 400
    assert "Hosted paper" not in response.content.decode()


def test_deploy_check_warns_when_site_url_is_not_an_allowed_host():
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION_ENV, "SITE_URL": "https://elsewhere.example.org"},
    )
    assert result.returncode != 0
    assert "papershelf.W001" in result.stderr + result.stdout
