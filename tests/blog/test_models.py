"""The Report model: slugs, the visibility rule, rendering on save, constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from blog.models import RESERVED_SLUGS, Kind, Report
from papers.models import Status, Tag
from tests.blog.factories import ReportFactory, SeriesFactory, days_ago
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_the_title_and_kept_unique():
    first = ReportFactory(title="Attention, Again!")
    second = ReportFactory(title="Attention again")
    assert first.slug == "attention-again"
    assert second.slug == "attention-again-2"


def test_a_title_that_slugifies_to_a_kind_page_gets_another_slug():
    report = ReportFactory(title="Paper reports")
    assert report.slug not in RESERVED_SLUGS
    assert report.get_absolute_url() == f"/reports/{report.slug}/"


def test_a_reserved_slug_typed_by_hand_is_a_validation_error():
    report = ReportFactory.build(slug="articles", title="x")
    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert "slug" in error.value.message_dict


def test_published_excludes_drafts_and_scheduled_reports():
    public = ReportFactory()
    ReportFactory(draft=True)
    ReportFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
    assert list(Report.objects.published()) == [public]


def test_publishing_without_a_date_stamps_the_time():
    report = ReportFactory(draft=True)
    assert report.published_at is None
    report.status = Status.PUBLISHED
    report.save()
    assert report.published_at is not None
    assert report in Report.objects.published()


def test_body_and_teaser_are_rendered_once_on_save():
    report = ReportFactory(
        teaser="Short **and** sweet.",
        body="## First part\n\nText $x^2$.\n\n### Detail\n\n```python\nx = 1\n```\n\n## Second",
    )
    assertInHTML("<strong>and</strong>", report.teaser_html)
    assert report.teaser_text == "Short and sweet."
    assert "<math" in report.body_html
    assert 'class="language-python highlight"' in report.body_html
    assertInHTML('<span class="mi">1</span>', report.body_html)
    assert report.toc == [
        {"level": 2, "id": "first-part", "title": "First part"},
        {"level": 3, "id": "detail", "title": "Detail"},
        {"level": 2, "id": "second", "title": "Second"},
    ]


def test_update_fields_on_body_also_writes_the_rendered_html():
    report = ReportFactory(body="old")
    report.body = "## New heading"
    report.save(update_fields=["body"])
    report.refresh_from_db()
    assert "New heading" in report.body_html
    assert report.toc[0]["title"] == "New heading"


def test_reading_time_grows_with_the_text():
    assert ReportFactory(body="word " * 100).reading_minutes == 1
    assert ReportFactory(body="word " * 2200).reading_minutes == 10


def test_label_names_kind_and_number():
    assert ReportFactory(kind=Kind.PAPER_REPORT, number=10).label == "Paper report 10"
    assert ReportFactory(kind=Kind.ARTICLE, number=None).label == "Article"


def test_number_is_unique_per_kind_only():
    ReportFactory(kind=Kind.PAPER_REPORT, number=1)
    ReportFactory(kind=Kind.BOOK_REPORT, number=1)  # another kind: fine
    duplicate = ReportFactory.build(kind=Kind.PAPER_REPORT, number=1, title="Dup")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Another report of this kind has this number." in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_unnumbered_reports_of_one_kind_do_not_clash():
    ReportFactory(kind=Kind.ARTICLE, number=None)
    ReportFactory(kind=Kind.ARTICLE, number=None)
    assert Report.objects.filter(kind=Kind.ARTICLE).count() == 2


def test_series_needs_a_part_and_a_part_needs_a_series():
    series = SeriesFactory()
    with pytest.raises(ValidationError) as error:
        ReportFactory.build(series=series, part=None).full_clean()
    assert "part" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ReportFactory.build(part=2).full_clean()
    assert "series" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(part=2)


def test_a_part_number_is_unique_within_its_series():
    series = SeriesFactory()
    ReportFactory(series=series, part=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(series=series, part=1)


def test_a_paper_used_by_a_report_cannot_be_deleted():
    paper = PaperFactory()
    ReportFactory(papers=[paper])
    with pytest.raises(ProtectedError):
        paper.delete()


def test_deleting_a_report_keeps_its_papers_and_tags():
    paper = PaperFactory()
    report = ReportFactory(papers=[paper], tags=["vision"])
    report.delete()
    paper.refresh_from_db()  # still there
    assert Tag.objects.filter(name="vision").exists()


def test_linked_papers_are_published_ones_in_the_editors_order():
    second, first = PaperFactory(title="Second"), PaperFactory(title="First")
    hidden = PaperFactory(title="Hidden", status=Status.DRAFT)
    report = ReportFactory(papers=[first, hidden, second])
    assert [paper.title for paper in report.linked_papers()] == ["First", "Second"]


def test_before_and_after_follow_publication_time():
    old, middle, new = (ReportFactory(published_at=days_ago(d)) for d in (30, 20, 10))
    public = Report.objects.published()
    assert public.before(middle).first() == old
    assert public.after(middle).first() == new
    assert public.before(old).first() is None
    assert public.after(new).first() is None
