import pytest
from django.urls import reverse
from django.utils.html import escape

from papers.models import Status
from papers.tagging import Tag
from tests.factories import PaperFactory, paper_with_everything
from tests.sitemaps import sitemap_entries

pytestmark = pytest.mark.django_db


def test_home_shows_latest_papers_and_topics_with_counts(client):
    PaperFactory(title="Visible paper", tags=["vision"])
    PaperFactory(title="Second visible", tags=["vision", "language"])
    PaperFactory(title="Hidden draft", tags=["secret-topic"], status=Status.DRAFT)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Visible paper" in body and "Second visible" in body
    assert "Hidden draft" not in body
    assert "secret-topic" not in body
    topics = {tag.name: tag.count for tag in response.context["topics"]}
    assert topics == {"vision": 2, "language": 1}


@pytest.mark.parametrize("n", [5, 40])
def test_home_query_count_is_constant(client, django_assert_max_num_queries, n):
    for i in range(n):
        paper_with_everything(tags=(f"t{i % 9}", "common"))
    # Uncached render: papers, bylines, tags, year, year×tag and year×venue summaries, tag
    # names, reports, next session, the site settings (once per content version, see
    # tests/papers/test_identity.py). A cached render costs none.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


def test_sitemap_lists_published_papers_only(client):
    visible = PaperFactory(title="In sitemap")
    hidden = PaperFactory(title="Not in sitemap", status=Status.DRAFT)
    urls = sitemap_entries(client)
    assert visible.get_absolute_url() in urls
    assert hidden.get_absolute_url() not in urls


def test_home_topics_link_each_tags_page(client):
    PaperFactory(tags=["vision", "Speech & Audio"])
    html = client.get(reverse("home")).content.decode()
    topics = html[html.index('class="home-topics"') :]
    for tag in Tag.objects.all():
        assert f'<a href="{tag.get_absolute_url()}">{escape(tag.name)}</a>' in topics


def test_home_rows_are_kept_for_a_page_made_again_and_follow_each_change(client):
    """The home's papers, next session and reports are kept until the content changes: a
    page made again at the same version reads none of them, and a new paper, a report
    unpublished and a session called off show at the next request."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from papers.site import cache as page_cache
    from tests.blog.factories import ReportFactory
    from tests.readinggroup.factories import PresentationFactory

    PaperFactory(title="First paper")
    report = ReportFactory(title="Kept report")
    session = PresentationFactory(upcoming=True, title="Talk next week")
    body = client.get(reverse("home")).content.decode()
    assert "First paper" in body and "Kept report" in body and "Talk next week" in body

    address = page_cache._page_address(RequestFactory().get(reverse("home")))
    page_cache.cache.delete(f"papershelf:page:{page_cache.release()}:{address}")
    page_cache._local.clear()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("home"))
    assert again.context is not None  # made again, not the stored page
    assert not [q for q in queries if "papers_paper" in q["sql"] or "blog_report" in q["sql"]]

    PaperFactory(title="Newer paper")
    assert "Newer paper" in client.get(reverse("home")).content.decode()
    report.status = Status.DRAFT
    report.save()
    assert "Kept report" not in client.get(reverse("home")).content.decode()
    session.cancelled = True
    session.save()
    assert "Talk next week" not in client.get(reverse("home")).content.decode()
