"""Control characters in any text field never break a feed or a calendar (nor give a 500).

Editors paste titles and notes from PDFs and other programs; a form feed, a NUL or a
stray escape in any field of a paper, report, session, author or tag must leave every
Atom feed readable by an XML parser and a feed reader, and every .ics readable by an
iCalendar parser. One sanitiser does it for all of them (papers/site/feeds.py).
"""

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from blog.models import Kind
from papers.models import Tag
from papers.site.feeds import feed_text
from tests.blog.factories import ReportFactory, SeriesFactory
from tests.factories import AuthorFactory, PaperFactory, PaperLinkFactory
from tests.readinggroup.factories import PresentationFactory, PresenterFactory

pytestmark = pytest.mark.django_db

# Every C0 control but tab, LF and CR, then DEL and the non-character U+FFFE.
CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f\ufffe"
# What neither XML 1.0 nor iCalendar TEXT may hold (tab, LF and CR are fine).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _nasty(text):
    # PostgreSQL refuses NUL in text columns, so there it cannot be stored at all.
    controls = CONTROLS if connection.vendor != "postgresql" else CONTROLS.replace("\x00", "")
    return f"{text}{controls}end"


@pytest.fixture
def world():
    tag = _nasty("tag")
    author = AuthorFactory(name=_nasty("Author"))
    paper = PaperFactory(
        title=_nasty("Paper title"),
        alias=_nasty("Alias"),
        venue=_nasty("Venue"),
        affiliations=_nasty("Lab"),
        abstract="",  # the tag feed shows the notes when there is no abstract
        notes=_nasty("Notes"),
        tags=[tag],
        authors=[author],
    )
    PaperLinkFactory(paper=paper, label=_nasty("Code"))
    PaperFactory(title="Other paper", abstract=_nasty("Abstract"), tags=[tag])
    report = ReportFactory(
        title=_nasty("Report title"),
        teaser=_nasty("Teaser"),
        body=_nasty("Body"),
        cover_alt=_nasty("Alt"),
        series=SeriesFactory(title=_nasty("Series"), description=_nasty("About")),
        part=1,
        tags=[tag],
        papers=[paper],
    )
    session = PresentationFactory(
        title=_nasty("Session title"),
        summary=_nasty("Summary"),
        location=_nasty("Room"),
        paper=paper,
        presenters=[PresenterFactory(name=_nasty("Presenter"))],
        tags=[tag],
    )
    PresentationFactory(upcoming=True, meeting_url="https://meet.example.org/x" + CONTROLS[1:])
    slug = Tag.objects.get(name=tag).slug
    return {"report": report, "session": session, "slug": slug}


def _feeds(world):
    return [
        reverse("blog:feed"),
        reverse("blog:feed_kind", args=[Kind(world["report"].kind).url_slug]),
        reverse("blog:feed_tag", args=[world["slug"]]),
        reverse("readinggroup:feed"),
        reverse("tag_feed", args=[world["slug"]]),
    ]


def _get(url):
    # A 500 is a status here, not a re-raised exception: it is what a reader would get.
    return Client(raise_request_exception=False).get(url)


def test_every_feed_stays_valid_xml_with_control_characters_in_every_field(world):
    for url in _feeds(world):
        response = _get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert not FORBIDDEN.search(text), url
        root = ET.fromstring(response.content)  # noqa: S314 - our own output; raises if invalid
        assert root.findall("{http://www.w3.org/2005/Atom}entry"), url
        assert "end" in text  # the text around the controls is kept


def test_every_feed_reads_back_in_a_feed_reader(world):
    for url in _feeds(world):
        parsed = feedparser.parse(_get(url).content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.entries, url
        assert all(entry.title for entry in parsed.entries), url


def test_calendars_stay_valid_with_control_characters_in_every_field(world):
    session = world["session"]
    for url in (
        reverse("readinggroup:calendar"),
        reverse("readinggroup:presentation_ics", args=[session.number]),
    ):
        response = _get(url)
        assert response.status_code == 200, url
        assert not FORBIDDEN.search(response.content.decode()), url
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert events, url
        mine = [e for e in events if str(e["UID"]).startswith(f"presentation-{session.pk}@")]
        summary, location = str(mine[0]["SUMMARY"]), str(mine[0]["LOCATION"])
        assert summary.startswith(f"Reading group {session.number}: Session title")
        assert summary.endswith("end") and location.split() == ["Room", "end"]


def test_the_sanitiser_drops_what_xml_and_icalendar_cannot_carry():
    assert feed_text("a\x00b\x1bc\x7fd\ud800e\udfff\ufffef\uffff") == "abcdef"
    assert feed_text("line\x0bbreak\x0cpage") == "line break page"
    assert feed_text("keep\ttab\nand\r\nends\rhere") == "keep\ttab\nand\nends\nhere"
    assert feed_text(None) == ""
