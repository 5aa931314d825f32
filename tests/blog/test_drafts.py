"""Drafts and scheduled reports: on no public surface, previewable by staff at their URL."""

import datetime

import pytest
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from blog.models import Kind
from papers.models import Status
from tests.blog.factories import ReportFactory, SeriesFactory, at
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

SECRET = "Unpublished Secret"


def make_world():
    """One published report and three hidden ones sharing its kind, tag, year, paper, series."""
    paper = PaperFactory(title="Shared Paper")
    series = SeriesFactory(title="Shared Series")
    common = {"kind": Kind.PAPER_REPORT, "tags": ["vision"], "papers": [paper]}
    public = ReportFactory(
        title="Visible Report", series=series, part=1, published_at=at(2024, 6, 1), **common
    )
    hidden = [
        # a draft never published
        ReportFactory(title=f"{SECRET} draft", draft=True, series=series, part=2, **common),
        # unpublished again after it had a date: the date alone must not reveal it
        ReportFactory(
            title=f"{SECRET} withdrawn", status=Status.DRAFT, published_at=at(2024, 6, 2), **common
        ),
        # published but scheduled for the future
        ReportFactory(
            title=f"{SECRET} scheduled",
            published_at=timezone.now() + datetime.timedelta(days=3),
            **common,
        ),
    ]
    return {"public": public, "hidden": hidden, "paper": paper}


_kept_rows, world = fixture_rows(make_world)


PUBLIC_URLS = [
    "/",
    "/reports/",
    "/reports/paper-reports/",
    "/reports/?tag=vision",
    "/reports/?year=2024",
    "/reports/paper-reports/?tag=vision&year=2024",
    "/feeds/reports/",
    "/feeds/reports/paper-reports/",
    "/feeds/reports/tags/vision/",
    "/sitemap-reports.xml",
    # Surfaces other apps add: the site-wide tag page and its feed, search, the JSON API.
    "/tags/vision/",
    "/tags/vision/feed/",
    "/search/?q=loss",  # every factory report's body mentions the loss
    "/api/reports",
    "/api/reports?tag=vision",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_hidden_reports_are_on_no_public_list_feed_or_sitemap(client, world, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Visible Report" in body or world["public"].slug in body
    assert SECRET not in body
    for report in world["hidden"]:
        assert report.get_absolute_url() not in body


def test_hidden_reports_are_not_counted_in_facets(client, world):
    response = client.get("/reports/")
    kinds = {item["label"]: item["count"] for item in response.context["kind_facets"]}
    assert kinds["Paper reports"] == 1
    assert {tag.name: tag.count for tag in response.context["tag_facets"]} == {"vision": 1}
    assert [item["count"] for item in response.context["year_facets"]] == [1]


def test_hidden_reports_are_not_backlinked_from_the_paper_page(client, world):
    html = client.get(world["paper"].get_absolute_url()).content.decode()
    assert "Reports about this paper" in html
    assert "Visible Report" in html
    assert SECRET not in html


def test_hidden_reports_are_not_previous_next_or_series_links(client, world):
    html = client.get(world["public"].get_absolute_url()).content.decode()
    assert SECRET not in html
    assert "Part 1 of 1" in html  # the draft part 2 is not announced
    assert 'class="older"' not in html and 'class="newer"' not in html


@pytest.mark.parametrize("which", [0, 1, 2])
def test_anonymous_visitors_get_a_404_for_a_hidden_report(client, world, which):
    assert client.get(world["hidden"][which].get_absolute_url()).status_code == 404


def test_logged_in_non_staff_users_get_a_404(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="pw-reader-1"))
    assert client.get(world["hidden"][0].get_absolute_url()).status_code == 404


def test_staff_preview_a_draft_privately_with_a_banner(world, staff_client):
    draft = world["hidden"][0]
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert response["X-Robots-Tag"] == "noindex"
    assertInHTML('<meta name="robots" content="noindex, nofollow">', html)
    assert 'class="notice warning draft-banner"' in html and "<strong>Draft</strong>" in html
    assert "Part 2 of 2" in html  # the preview shows where the part will go


def test_staff_preview_of_a_scheduled_report_says_when_it_goes_public(world, staff_client):
    html = staff_client.get(world["hidden"][2].get_absolute_url()).content.decode()
    assert "<strong>Scheduled</strong>" in html and "goes public on" in html


def test_published_pages_are_not_marked_private_or_noindex(world, staff_client):
    response = staff_client.get(world["public"].get_absolute_url())
    assert "no-store" not in response.get("Cache-Control", "")
    assert not response.has_header("X-Robots-Tag")
    assert "draft-banner" not in response.content.decode()
