"""The home page shows the latest published reports and the nav links to them."""

import pytest
from pytest_django.asserts import assertInHTML

from config.views import HOME_REPORTS
from tests.blog.factories import ReportFactory, days_ago

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
