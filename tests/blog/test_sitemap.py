"""Published reports are in /sitemap.xml with their last change; hidden ones are not."""

import xml.etree.ElementTree as ET

import pytest

from tests.blog.factories import ReportFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_published_reports_with_lastmod(client, django_assert_max_num_queries):
    public = ReportFactory()
    draft = ReportFactory(draft=True)
    # One query per section (papers, reports, sessions, authors), the tags' section four
    # (one grouped count per kind, then the tags), and a session lookup.
    with django_assert_max_num_queries(9):
        response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = {
        url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod")
        for url in ET.fromstring(response.content).findall(f"{NS}url")  # noqa: S314 - ours
    }
    assert f"http://testserver{public.get_absolute_url()}" in urls
    assert urls[f"http://testserver{public.get_absolute_url()}"] == public.updated_at.strftime(
        "%Y-%m-%d"
    )
    assert f"http://testserver{draft.get_absolute_url()}" not in urls
