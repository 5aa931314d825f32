"""Structured data of every page type, read by extruct (what search engines' testing tools
read): every JSON-LD block parses, and each object has what Google's documentation lists
as required, and as recommended where the site knows it, for its type. Paper pages also
carry what Google Scholar and Zotero's Embedded Metadata translator read."""

import datetime

import extruct
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from lxml import html as lxml_html

from blog.models import Report
from papers.models import Paper
from papers.site.addresses import site_author
from readinggroup.models import Presentation, Presenter
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory, paper_with_everything, png_bytes
from tests.readinggroup.factories import PresentationFactory
from tests.urlwalk import all_routes, crawl_all, parameterless_paths

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"

# Google Search Central's structured-data pages, per type: (required, recommended).
# Article (a ScholarlyArticle is one) has no required property; Event needs a name, a
# start and a location; a video a name, a thumbnail and an upload date. "a.b" is the
# property b of (each) a.
GOOGLE = {
    "Article": ((), ("headline", "author.name", "author.url", "datePublished", "dateModified")),
    # author: when the paper's are known (some are not); checked against the paper below.
    "ScholarlyArticle": ((), ("headline", "datePublished", "dateModified")),
    "Event": (
        ("name", "startDate", "location"),
        ("description", "endDate", "eventAttendanceMode", "eventStatus", "organizer.name"),
    ),
    "VideoObject": (
        ("name", "thumbnailUrl", "uploadDate"),
        ("description", "duration", "embedUrl"),
    ),
}
DETAIL_ROUTES = {
    "papers/<str:slug>/": "ScholarlyArticle",
    "reports/<printable:slug>/": "Article",
    "^reading-group/(?P<number>[0-9]{1,9})/$": "Event",
}


def missing(obj, path):
    """The parts of ``path`` ("author.name") that ``obj`` lacks, as a list (empty if none)."""
    head, _, rest = path.partition(".")
    value = obj.get(head)
    if value in (None, "", []):
        return [path]
    if not rest:
        return []
    values = value if isinstance(value, list) else [value]
    return [f"{head}.{gap}" for v in values for gap in missing(v, rest)]


def objects_in(data):
    """The page's JSON-LD objects and those nested as parts of them (a session's recording),
    not the things they merely mention (a report's papers, a person)."""
    for obj in data if isinstance(data, list) else [data]:
        yield obj
        if isinstance(obj.get("recordedIn"), dict):
            yield obj["recordedIn"]


def jsonld(response):
    """extruct's JSON-LD of a page; ``errors="strict"``: a block that does not parse fails."""
    return extruct.extract(
        response.content.decode(), base_url=ORIGIN, syntaxes=["json-ld"], errors="strict"
    )["json-ld"]


def gaps(data):
    found = {}
    for obj in objects_in(data):
        required, recommended = GOOGLE.get(obj["@type"], ((), ()))
        for path in (*required, *recommended):
            for gap in missing(obj, path):
                found.setdefault(obj["@type"], set()).add(gap)
    return found


def meta(response):
    tree = lxml_html.fromstring(response.content)
    pairs = [(m.get("name") or m.get("property"), m.get("content")) for m in tree.iter("meta")]
    return [(name, content) for name, content in pairs if name]


@pytest.fixture
def sessions():
    """Sessions of every shape: in a room, on a call to come, both, recorded on YouTube and
    on Vimeo (with a cover), online-only in the past."""
    base = Presentation.next_number()
    alice = Presenter.objects.create(name="Alice Example", url="https://alice.example.org")
    made = {
        "room": PresentationFactory(number=base, location="Room 1", recording_url=""),
        "call": PresentationFactory(number=base + 1, upcoming=True, location="", title="On a call"),
        "both": PresentationFactory(number=base + 2, upcoming=True, location="Room 2"),
        "youtube": PresentationFactory(
            number=base + 3, recording_url="https://www.youtube.com/watch?v=caP30Kq-_ME"
        ),
        "vimeo": PresentationFactory(
            number=base + 4,
            recording_url="https://vimeo.com/76979871",
            cover=ContentFile(png_bytes(size=(64, 36)), name="cover.png"),
        ),
        "past online": PresentationFactory(number=base + 5, location="Online"),
    }
    for presentation in made.values():
        presentation.presenters.add(alice)
    return made


@pytest.fixture
def site_content(demo_loaded, sessions):
    ReportFactory(title="With a cover", with_cover=True)
    PaperFactory(title="A preprint", arxiv_id="2401.01234", venue="", abstract="We show it.")
    PaperFactory(title="Notes only", abstract="", notes="What *we* learnt.")
    PaperFactory(title="Nothing more", abstract="", notes="")


def test_every_page_types_json_ld_parses_and_has_what_google_asks_for(client, site_content):
    routes = all_routes()
    pages = crawl_all(client, ["/", *parameterless_paths(routes)], per_route=1)
    # Every detail page of every kind, not only the first the crawl met.
    urls = [p.get_absolute_url() for p in Paper.objects.published()]
    urls += [r.get_absolute_url() for r in Report.objects.published()]
    urls += [s.get_absolute_url() for s in Presentation.objects.published()]
    found_types, problems = set(), {}
    responses = [(url, response) for hits in pages.values() for url, response in hits]
    detail_pages = {url: client.get(url) for url in urls}  # the papers' are read again below
    responses += detail_pages.items()
    for url, response in responses:
        if "html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        data = jsonld(response)
        found_types.update(obj["@type"] for obj in objects_in(data))
        if gaps(data):
            problems[url] = gaps(data)
    assert "\n".join(f"{url}: {gap}" for url, gap in sorted(problems.items())) == ""
    assert {"ScholarlyArticle", "Article", "Event", "VideoObject"} <= found_types
    by_route = {}
    for route, hits in pages.items():
        if route in DETAIL_ROUTES:
            by_route[route] = {obj["@type"] for obj in objects_in(jsonld(hits[0][1]))}
    assert all(DETAIL_ROUTES[route] in types for route, types in by_route.items())
    assert set(by_route) == set(DETAIL_ROUTES)
    for paper in Paper.objects.published():
        (article,) = jsonld(detail_pages[paper.get_absolute_url()])
        names = [author["name"] for author in article.get("author", [])]
        assert names == [author.name for author in paper.ordered_authors()], paper.slug


def event_of(client, presentation):
    (event,) = [
        o
        for o in objects_in(jsonld(client.get(presentation.get_absolute_url())))
        if o["@type"] == "Event"
    ]
    return event


def test_a_session_is_an_event_where_it_happens_with_its_presenter_and_organiser(client, sessions):
    room = event_of(client, sessions["room"])
    assert room["location"] == {"@type": "Place", "name": "Room 1", "address": "Room 1"}
    assert room["eventAttendanceMode"].endswith("/OfflineEventAttendanceMode")
    assert room["performer"] == [
        {"@type": "Person", "name": "Alice Example", "url": "https://alice.example.org"}
    ]
    assert room["organizer"] == {"@type": "Organization", **vars(site_author())}
    assert site_author().url == f"{ORIGIN}/"
    start = sessions["room"].scheduled_at
    assert datetime.datetime.fromisoformat(room["startDate"]) == start
    assert datetime.datetime.fromisoformat(room["endDate"]) == start + datetime.timedelta(hours=1)
    assert "recordedIn" not in room

    call = event_of(client, sessions["call"])
    assert call["location"] == {"@type": "VirtualLocation", "url": sessions["call"].meeting_url}
    assert call["eventAttendanceMode"].endswith("/OnlineEventAttendanceMode")
    both = event_of(client, sessions["both"])
    assert [place["@type"] for place in both["location"]] == ["Place", "VirtualLocation"]
    assert both["eventAttendanceMode"].endswith("/MixedEventAttendanceMode")
    # "Online" typed as the place of a past session: no room, and no call to join any more.
    past = event_of(client, sessions["past online"])
    assert past["location"]["@type"] == "VirtualLocation"
    assert past["location"]["url"] == f"{ORIGIN}{sessions['past online'].get_absolute_url()}"


def test_a_recorded_session_carries_its_video(client, sessions):
    youtube = event_of(client, sessions["youtube"])["recordedIn"]
    assert youtube["@type"] == "VideoObject"
    assert youtube["thumbnailUrl"] == ["https://i.ytimg.com/vi/caP30Kq-_ME/hqdefault.jpg"]
    assert youtube["embedUrl"].startswith("https://www.youtube-nocookie.com/embed/caP30Kq-_ME")
    assert youtube["duration"] == "PT60M"
    ends = sessions["youtube"].ends_at
    assert datetime.datetime.fromisoformat(youtube["uploadDate"]) == ends
    vimeo = event_of(client, sessions["vimeo"])["recordedIn"]
    assert vimeo["embedUrl"].startswith("https://player.vimeo.com/video/76979871")
    assert vimeo["thumbnailUrl"] == [f"{ORIGIN}{sessions['vimeo'].cover.url}"]


def test_a_report_is_an_article_by_the_site(client):
    report = ReportFactory(title="Signed")
    (article,) = jsonld(client.get(report.get_absolute_url()))
    assert article["@type"] == "Article"
    assert article["author"] == {"@type": "Organization", **vars(site_author())}
    assert article["publisher"] == article["author"]


def test_an_arxiv_preprint_has_its_pdf_doi_and_what_zotero_reads_as_a_preprint(client):
    paper = paper_with_everything(
        title="Attention Is All You Need", arxiv_id="1706.03762", venue="", abstract="Abs."
    )
    response = client.get(paper.get_absolute_url())
    tags = meta(response)
    assert ("citation_pdf_url", "https://arxiv.org/pdf/1706.03762") in tags
    assert ("citation_doi", "10.48550/arXiv.1706.03762") in tags
    # Zotero's Embedded Metadata: DC.type gives the item type, DC.publisher the
    # repository, citation_technical_report_number the archive id.
    assert ("DC.type", "preprint") in tags
    assert ("DC.publisher", "arXiv") in tags
    assert ("citation_technical_report_number", "arXiv:1706.03762") in tags
    assert not any(name == "citation_journal_title" for name, _ in tags)
    authors = [content for name, content in tags if name == "citation_author"]
    assert authors == [author.name for author in paper.ordered_authors()]
    (article,) = jsonld(response)
    assert {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.48550/arXiv.1706.03762",
    } in (article["identifier"])
    assert "https://doi.org/10.48550/arXiv.1706.03762" in article["sameAs"]
    assert article["encoding"]["contentUrl"] == "https://arxiv.org/pdf/1706.03762"


def test_a_published_paper_keeps_its_own_pdf_and_doi_and_its_venue(client):
    paper = PaperFactory(
        arxiv_id="2010.11929",
        doi="10.5555/vit",
        pdf_url="https://example.org/vit.pdf",
        venue="ICLR",
    )
    tags = meta(client.get(paper.get_absolute_url()))
    assert ("citation_pdf_url", "https://example.org/vit.pdf") in tags
    assert ("citation_doi", "10.5555/vit") in tags
    assert ("citation_conference_title", "ICLR") in tags
    assert not any(name == "DC.type" for name, _ in tags)


@pytest.mark.parametrize(
    ("abstract", "notes", "description"),
    [
        ("We scale it up.", "Ignored.", "We scale it up."),
        ("", "What *we* learnt.", "What we learnt."),
        ("", "", ""),
    ],
)
def test_a_papers_description_is_its_abstract_or_notes_never_its_title(
    client, abstract, notes, description
):
    paper = PaperFactory(title="A Title Said Once", abstract=abstract, notes=notes)
    tags = dict(meta(client.get(paper.get_absolute_url())))
    assert tags["description"] == description
    assert tags["og:description"] == description


def test_json_ld_cannot_be_closed_by_a_title(client):
    paper = PaperFactory(title="</script><script>alert(1)</script> & more")
    response = client.get(paper.get_absolute_url())
    assert b"</script><script>alert(1)" not in response.content
    (article,) = jsonld(response)
    assert article["name"] == "</script><script>alert(1)</script> & more"


def test_an_upcoming_sessions_dates_are_its_own(client):
    when = timezone.now() + datetime.timedelta(days=3)
    session = PresentationFactory(
        number=Presentation.next_number(), scheduled_at=when, duration_minutes=90
    )
    event = event_of(client, session)
    assert datetime.datetime.fromisoformat(event["endDate"]) - datetime.datetime.fromisoformat(
        event["startDate"]
    ) == datetime.timedelta(minutes=90)
