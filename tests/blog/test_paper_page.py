"""A paper's page lists the published reports about it (papers/sections.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Kind
from tests.blog.factories import ReportFactory, days_ago
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def test_paper_page_lists_reports_about_it_newest_first(client):
    paper = PaperFactory()
    ReportFactory(title="Older report", papers=[paper], published_at=days_ago(9), number=1)
    ReportFactory(
        title="Newer post",
        papers=[paper],
        kind=Kind.PAPER_OF_THE_WEEK,
        published_at=days_ago(2),
        work_in_progress=True,
    )
    ReportFactory(title="About something else")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Reports about this paper" in html
    assert html.index("Paper of the week: Newer post") < html.index("Paper report 1: Older report")
    assert "About something else" not in html
    assert "Work in progress" in html


def test_paper_without_reports_has_no_section(client):
    paper = PaperFactory()
    assert "Reports about this paper" not in client.get(paper.get_absolute_url()).content.decode()


def test_the_section_costs_one_query_whatever_the_number_of_reports(
    client, django_assert_num_queries
):
    paper = PaperFactory()
    ReportFactory(papers=[paper])
    with CaptureQueriesContext(connection) as few:
        client.get(paper.get_absolute_url())
    for _ in range(15):
        ReportFactory(papers=[paper], tags=["x", "y"])
    with django_assert_num_queries(len(few)):
        client.get(paper.get_absolute_url())
