"""Report cards are kept per report (blog/cards.py, papers.cards.Cards): a list not in
the page cache reads no tags or series for the cards kept, and whatever a card shows is
on the next request after it changes. The report list's facets are kept until the
content changes."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Report
from papers.models import SiteSettings, Status
from papers.site.cache import bump_content_version
from papers.tagging import Tag
from tests import cards
from tests.blog.factories import ReportFactory, SeriesFactory
from tests.demo_state import fixture_rows
from tests.papers.test_paper_page_parts import forget_page

pytestmark = pytest.mark.django_db

LIST = reverse("blog:report_list")


def page(client):
    return cards.page(client, LIST)


def card(client, title):
    return cards.card(client, LIST, title)


def make_reports():
    series = SeriesFactory(title="The Long Book")
    return [
        ReportFactory(title="First report", tags=["vision"], series=series, part=1),
        ReportFactory(title="Second report", tags=["speech"]),
    ]


_kept_rows, reports = fixture_rows(make_reports)


def test_a_list_not_cached_reads_only_the_count_and_its_reports(
    client, reports, django_assert_num_queries
):
    # The content version as a save leaves it, its next scheduled moment known: not the
    # one-off lookup of the first render after a cold start (tests/papers/test_cache.py).
    bump_content_version()
    first = page(client)
    forget_page(LIST)
    # The facets and the cards are kept: the count and the page's rows.
    with django_assert_num_queries(2):
        assert page(client) == first


def test_cards_are_kept_across_a_save_elsewhere(client, reports, django_assert_num_queries):
    first = page(client)
    bump_content_version()
    # Facets counted again (kind, year, tags), the site settings, the count and the rows:
    # no tag or series of the cards read.
    with django_assert_num_queries(6) as captured:
        assert page(client) == first
    for query in captured:
        assert "blog_series" not in query["sql"]
        # The cards' tags would be read by the reports' ids (the facet's by a subquery).
        assert not re.search(r'content_object_id" IN \(\d', query["sql"])


def test_a_tag_added_and_removed_shows_on_the_next_request(client, reports):
    assert "robotics" not in card(client, "First report")
    reports[0].tags.add("robotics")
    assert ">robotics</a>" in card(client, "First report")
    reports[0].tags.remove("robotics")
    assert "robotics" not in card(client, "First report")


def test_a_renamed_tag_shows_on_the_next_request(client, reports):
    assert ">vision</a>" in card(client, "First report")
    tag = Tag.objects.get(name="vision")
    tag.name = "computer vision"
    tag.save()
    assert ">computer vision</a>" in card(client, "First report")


def test_a_renamed_series_shows_on_the_next_request(client, reports):
    assert "The Long Book, part 1" in card(client, "First report")
    series = reports[0].series
    series.title = "The Longer Book"
    series.save()
    assert "The Longer Book, part 1" in card(client, "First report")


def test_an_edited_report_shows_on_the_next_request(client, reports):
    page(client)
    reports[1].title = "Second report, retitled"
    reports[1].save()
    assert "Second report, retitled" in card(client, "Second report, retitled")


def test_a_teaser_rewritten_without_a_save_shows_on_the_next_request(client, reports):
    # As ``refresh_wikilinks`` does when a linked paper changes: a queryset update, then
    # the explicit bump of code that writes rows without signals.
    assert "A short <em>teaser</em>." in card(client, "First report")
    Report.objects.filter(pk=reports[0].pk).update(teaser_html="<p>Rewritten teaser.</p>")
    bump_content_version()
    assert "Rewritten teaser." in card(client, "First report")


def test_a_kind_renamed_in_the_site_settings_shows_on_the_next_request(client, reports):
    assert "Paper report" in card(client, "First report")
    settings = SiteSettings.load()
    settings.section_texts = {"reports:paper-report": {"label": "Reports on papers"}}
    settings.save()
    assert ">Reports on papers</a>" in card(client, "First report")


def test_drafts_and_scheduled_reports_never_show_from_a_kept_card(client, reports):
    later = ReportFactory(
        title="Scheduled report", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    html = page(client)
    assert "Second report" in html
    assert "Scheduled report" not in html
    reports[1].status = Status.DRAFT
    reports[1].save()
    html = page(client)
    assert "Second report" not in html
    # Its card stays kept, but a list shows only what ``published()`` gives.
    Report.objects.filter(pk=later.pk).update(published_at=timezone.now())
    bump_content_version()
    assert "Scheduled report" in page(client)


def test_a_new_reports_tag_is_in_the_facet_on_the_next_request(client, reports):
    assert "?tag=robotics" not in page(client)
    ReportFactory(title="Third report", tags=["robotics"])
    assert "?tag=robotics" in page(client)
