"""The home page shows the latest published reports and the nav links to them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertInHTML

from config.views import HOME_REPORTS
from papers.models import Status
from papers.site.cache import bump_content_version
from tests import cards
from tests.blog.factories import ReportFactory, SeriesFactory, days_ago

pytestmark = pytest.mark.django_db


def test_home_shows_the_latest_reports(client):
    for day in range(HOME_REPORTS + 2):
        ReportFactory(title=f"Report {day}", published_at=days_ago(day + 1))
    ReportFactory(title="Draft on home", draft=True)
    response = client.get("/")
    html = response.content.decode()
    assert "Latest reports" in html
    assert [r.title for r in response.context["reports"]] == [
        f"Report {day}" for day in range(HOME_REPORTS)
    ]
    assert "Draft on home" not in html
    assertInHTML('<a href="/reports/">Reports</a>', html)


def test_home_query_count_is_constant(client, django_assert_max_num_queries):
    ReportFactory(tags=["a"])
    # + 1: the site settings, read once per content version (tests/papers/test_identity.py);
    # + 1: the year × venue row of the facet summary (papers/facets.py), cached afterwards.
    with django_assert_max_num_queries(9):
        client.get("/")
    for i in range(10):
        ReportFactory(tags=[f"t{i}", "a"])
    with django_assert_max_num_queries(9):
        client.get("/")


# The home page's report cards are the report list's, kept per report (blog/cards.py).


def test_home_report_cards_are_kept_across_a_save_elsewhere(client):
    ReportFactory(title="Kept report", tags=["vision"], series=SeriesFactory(), part=1)
    first = cards.page(client, "/")
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        assert cards.page(client, "/") == first
    for query in captured:
        assert "blog_series" not in query["sql"]
        assert "blog_taggedreport" not in query["sql"]


def test_home_report_card_shows_an_edit_a_new_tag_and_a_renamed_series_on_the_next_request(
    client,
):
    report = ReportFactory(title="Home report", tags=["vision"], series=SeriesFactory(), part=1)
    assert "robotics" not in cards.card(client, "/", "Home report")
    report.tags.add("robotics")
    assert ">robotics</a>" in cards.card(client, "/", "Home report")
    report.series.title = "The Renamed Series"
    report.series.save()
    assert "The Renamed Series, part 1" in cards.card(client, "/", "Home report")
    report.title = "Home report, retitled"
    report.save()
    assert "Home report, retitled" in cards.card(client, "/", "Home report, retitled")
    report.status = Status.DRAFT
    report.save()
    assert "Home report, retitled" not in cards.page(client, "/")
