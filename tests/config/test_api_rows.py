"""The API lists keep each row's JSON per object (papers.site.api.KeptRows): a page not
cached is joined from kept rows byte for byte as it was built, and whatever a row shows
beside its own row (tags, bylines, presenters, a session's paper, names) shows at the
next request."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Report
from papers.models import Author, Authorship, Status
from papers.site.cache import bump_content_version, bump_pages
from papers.tagging import Tag
from readinggroup.models import Presentation, Presenter, SlidesState
from tests.blog.factories import ReportFactory, at
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory, PresenterFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/papers",
    "/api/papers?limit=2&offset=1",
    "/api/papers?tag=vision&year_min=2020",
    "/api/papers?q=transformer",
    "/api/reports",
    "/api/reports?tag=vision&limit=1",
    "/api/reports?q=transformer",
    "/api/sessions",
    "/api/sessions?tag=vision&year=2024",
    "/api/sessions?q=transformer",
]


def make_content():
    ada = Author.objects.create(name="Ada Lovelace")
    alan = Author.objects.create(name="Alan Turing")
    vit = PaperFactory(
        title="A vision transformer", alias="ViT", year=2021, tags=["vision", "attention"]
    )
    Authorship.objects.create(paper=vit, author=ada, position=0)
    Authorship.objects.create(paper=vit, author=alan, position=1)
    bert = PaperFactory(title="BERT: a transformer for text", year=2019, tags=["language"])
    Authorship.objects.create(paper=bert, author=alan, position=0)
    PaperFactory(title="Résumé of “quotes” \\ and <tags>", year=2022, tags=["vision"])
    report = ReportFactory(
        title="Reading the vision transformer", tags=["vision"], papers=[vit], published_at=at(2023)
    )
    ReportFactory(title="Older report", tags=["language"], published_at=at(2021))
    grace = PresenterFactory(name="Grace Hopper")
    session = PresentationFactory(
        title="The vision transformer",
        paper=vit,
        presenters=[grace],
        tags=["vision"],
        scheduled_at=at(2024),
    )
    PresentationFactory(title="BERT session", paper=bert, scheduled_at=at(2022))
    return {
        "vit": vit,
        "bert": bert,
        "ada": ada,
        "report": report,
        "session": session,
        "grace": grace,
    }


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, content = fixture_rows(make_content)


def items(url, client):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["items"]


@pytest.mark.parametrize("url", LISTS)
def test_a_page_of_kept_rows_is_byte_equal_to_the_page_built_from_the_rows(client, content, url):
    built = client.get(url)
    assert built.status_code == 200
    assert json.loads(built.content)["items"], "the page lists rows"
    bump_pages()  # the page is no longer cached; its rows are
    kept = client.get(url)
    assert kept.content == built.content
    assert kept["Content-Type"] == built["Content-Type"] == "application/json; charset=utf-8"
    # Written as ninja's renderer writes it (json.dumps with its defaults).
    assert json.dumps(json.loads(kept.content)) == kept.content.decode()
    cache.clear()  # every row built again: the same bytes
    assert client.get(url).content == built.content


@pytest.mark.parametrize("url", ["/api/papers", "/api/reports", "/api/sessions"])
def test_a_page_of_kept_rows_reads_only_the_count_and_the_rows_ids(client, content, url):
    client.get(url)
    bump_pages()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    # The count and the page's ids and updated_at: no row, byline, tag or presenter.
    assert len(sql) == 2, sql
    assert not any("authorship" in query or "tagged" in query for query in sql), sql


def test_a_kept_paper_row_is_built_again_only_when_its_paper_changes(client, content):
    client.get("/api/papers")
    vit = content["vit"]
    vit.title = "An image is worth 16x16 words"
    vit.save()
    with CaptureQueriesContext(connection) as queries:
        titles = [item["title"] for item in items("/api/papers", client)]
    assert "An image is worth 16x16 words" in titles
    # One row built: its row with ``IN (pk)``, its byline and its tags.
    built = [query["sql"] for query in queries.captured_queries if " IN (" in query["sql"]]
    assert len(built) == 3, built


def _paper(client, slug):
    return next(item for item in items("/api/papers", client) if item["slug"] == slug)


def test_paper_rows_show_tag_author_and_venue_changes_at_the_next_request(client, content):
    vit = content["vit"]
    client.get("/api/papers")
    tag = Tag.objects.get(name="vision")
    tag.name = "computer vision"
    tag.save()
    assert "computer vision" in [t["name"] for t in _paper(client, vit.slug)["tags"]]
    content["ada"].name = "Augusta Ada King"
    content["ada"].save()
    assert [a["name"] for a in _paper(client, vit.slug)["authors"]] == [
        "Augusta Ada King",
        "Alan Turing",
    ]
    vit.tags.add("robotics")
    assert "robotics" in [t["name"] for t in _paper(client, vit.slug)["tags"]]
    vit.tags.remove("attention")
    assert "attention" not in [t["name"] for t in _paper(client, vit.slug)["tags"]]
    Authorship.objects.filter(paper=vit, author=content["ada"]).delete()
    assert [a["name"] for a in _paper(client, vit.slug)["authors"]] == ["Alan Turing"]


def test_paper_rows_follow_the_site_address(client, content, settings):
    client.get("/api/papers")
    settings.SITE_URL = "https://papers.example.org"
    bump_content_version()
    url = _paper(client, content["vit"].slug)["html_url"]
    assert url == "https://papers.example.org" + content["vit"].get_absolute_url()


def _report(client, slug):
    return next(item for item in items("/api/reports", client) if item["slug"] == slug)


def test_report_rows_show_tag_changes_at_the_next_request(client, content):
    report = content["report"]
    client.get("/api/reports")
    report.tags.add("robotics")
    assert "robotics" in [t["name"] for t in _report(client, report.slug)["tags"]]
    tag = Tag.objects.get(name="robotics")
    tag.name = "robots"
    tag.save()
    assert "robots" in [t["name"] for t in _report(client, report.slug)["tags"]]
    report.title = "Reading ViT again"
    report.save()
    assert _report(client, report.slug)["title"] == "Reading ViT again"


def _session(client, number):
    return next(item for item in items("/api/sessions", client) if item["number"] == number)


def test_session_rows_show_paper_presenter_and_tag_changes_at_the_next_request(client, content):
    session, vit = content["session"], content["vit"]
    client.get("/api/sessions")
    vit.title = "An image is worth 16x16 words"
    vit.save()
    assert _session(client, session.number)["paper"]["title"] == "An image is worth 16x16 words"
    vit.alias = "ViT-B"
    vit.save()
    assert _session(client, session.number)["paper"]["alias"] == "ViT-B"
    grace = content["grace"]
    grace.name = "Rear Admiral Grace Hopper"
    grace.save()
    assert _session(client, session.number)["presenters"] == ["Rear Admiral Grace Hopper"]
    session.presenters.add(Presenter.objects.create(name="Katherine Johnson"))
    assert set(_session(client, session.number)["presenters"]) == {
        "Rear Admiral Grace Hopper",
        "Katherine Johnson",
    }
    session.tags.add("robotics")
    assert "robotics" in [t["name"] for t in _session(client, session.number)["tags"]]
    tag = Tag.objects.get(name="vision")
    tag.slug = "computer-vision"
    tag.save()
    assert "computer-vision" in [t["slug"] for t in _session(client, session.number)["tags"]]
    vit.status = "draft"
    vit.save()
    assert _session(client, session.number)["paper"] is None


# Report and session rows are kept under the cards version alone: a save elsewhere (the
# content and parts versions moved) keeps them, and each thing a row shows beside its own
# row drops it (the cards' receivers, ``Cards(rows=…)``) or is in its stamp.


@pytest.mark.parametrize("url", ["/api/reports", "/api/sessions"])
def test_report_and_session_rows_are_kept_across_a_save_elsewhere(client, content, url):
    built = client.get(url).content
    bump_content_version()  # what a save elsewhere, or rows written without signals, do
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url).content
    sql = [query["sql"] for query in queries.captured_queries]
    # The count and the page's ids and stamps: no row built, no tag or presenter read.
    assert len(sql) == 2, sql
    assert kept == built


def test_report_row_shows_a_tag_linked_and_unlinked_at_the_next_request(client, content):
    report = content["report"]
    client.get("/api/reports")
    report.tags.add("robotics")
    assert "robotics" in [t["name"] for t in _report(client, report.slug)["tags"]]
    report.tags.remove("vision")
    assert "vision" not in [t["name"] for t in _report(client, report.slug)["tags"]]


def test_report_row_shows_a_teaser_rewritten_without_a_save(client, content):
    report = content["report"]
    client.get("/api/reports")
    # As ``refresh_wikilinks`` does when a linked paper changes: an update, then a bump.
    Report.objects.filter(pk=report.pk).update(teaser_html="<p>Rewritten teaser</p>")
    bump_content_version()
    assert _report(client, report.slug)["teaser_html"] == "<p>Rewritten teaser</p>"


def test_draft_reports_and_sessions_never_appear_in_the_api_lists(client, content):
    report, session = content["report"], content["session"]
    client.get("/api/reports")
    client.get("/api/sessions")
    report.status = Status.DRAFT
    report.save()
    session.status = Status.DRAFT
    session.save()
    assert report.slug not in [item["slug"] for item in items("/api/reports", client)]
    assert session.number not in [item["number"] for item in items("/api/sessions", client)]
    ReportFactory(draft=True, title="A draft report")
    PresentationFactory(draft=True, title="A draft session")
    assert "A draft report" not in [item["title"] for item in items("/api/reports", client)]
    assert "A draft session" not in [item["title"] for item in items("/api/sessions", client)]


def test_session_row_shows_its_paper_replaced_by_a_queryset_update(client, content):
    session, bert = content["session"], content["bert"]
    client.get("/api/sessions")
    Presentation.objects.filter(pk=session.pk).update(paper=bert)
    bump_content_version()
    assert _session(client, session.number)["paper"]["slug"] == bert.slug


def test_session_row_shows_a_presenter_linked_and_renamed_at_the_next_request(client, content):
    session, grace = content["session"], content["grace"]
    client.get("/api/sessions")
    session.presenters.add(Presenter.objects.create(name="Katherine Johnson"))
    assert set(_session(client, session.number)["presenters"]) == {
        "Grace Hopper",
        "Katherine Johnson",
    }
    grace.name = "Rear Admiral Grace Hopper"
    grace.save()
    assert "Rear Admiral Grace Hopper" in _session(client, session.number)["presenters"]


def test_session_row_shows_a_tag_linked_at_the_next_request(client, content):
    session = content["session"]
    client.get("/api/sessions")
    session.tags.add("robotics")
    assert "robotics" in [t["name"] for t in _session(client, session.number)["tags"]]


def test_session_row_shows_slides_checked_by_the_job_without_a_save(client, content):
    session = content["session"]
    assert _session(client, session.number)["has_slides"] is False
    # As the slides job writes them (readinggroup/slides.py): an update, then a bump.
    Presentation.objects.filter(pk=session.pk).update(
        slides="slides/vit.pdf", slides_state=SlidesState.READY
    )
    bump_content_version()
    assert _session(client, session.number)["has_slides"] is True
