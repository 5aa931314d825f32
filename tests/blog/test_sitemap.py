"""Published reports are in the sitemap with their last change; hidden ones are not."""

import pytest

from tests.blog.factories import ReportFactory
from tests.sitemaps import sitemap_entries

pytestmark = pytest.mark.django_db


def test_sitemap_lists_published_reports_with_lastmod(client):
    public = ReportFactory()
    draft = ReportFactory(draft=True)
    urls = sitemap_entries(client)
    assert urls[public.get_absolute_url()] == public.updated_at.strftime("%Y-%m-%d")
    assert draft.get_absolute_url() not in urls


@pytest.mark.parametrize("n", [1, 15])
def test_the_reports_section_costs_the_same_queries_for_any_number(
    client, django_assert_max_num_queries, n
):
    for _ in range(n):
        ReportFactory()
    # The page's count and its rows.
    with django_assert_max_num_queries(2):
        assert client.get("/sitemap-reports.xml").status_code == 200
