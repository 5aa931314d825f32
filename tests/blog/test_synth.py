"""``manage.py synth`` adds reports in proportion to the papers, valid and visible."""

import pytest
from django.urls import reverse

from blog.models import Report, ReportPaper, TaggedReport
from papers.models import Status
from papers.site.markdown import render_markdown
from tests.demo_state import fixture_rows
from tests.factories import run_synth

pytestmark = pytest.mark.django_db


def make_synth():
    return run_synth(500, 5)


_kept_rows, synth = fixture_rows(make_synth)


def test_one_report_per_fifty_papers_linked_to_papers_and_tags(synth):
    assert "blog: 10 reports" in synth
    assert Report.objects.count() == 10
    assert ReportPaper.objects.count() >= 10  # every report is about one to three papers
    assert set(ReportPaper.objects.values_list("report", flat=True)) == set(
        Report.objects.values_list("pk", flat=True)
    )
    assert TaggedReport.objects.exists()
    numbers = list(Report.objects.exclude(number=None).values_list("kind", "number"))
    assert len(numbers) == len(set(numbers))  # numbers unique per kind


def test_synthetic_reports_are_rendered_as_a_save_would(synth):
    for report in Report.objects.all():
        assert report.body_html == render_markdown(report.body)
        assert report.toc and report.toc[0]["level"] == 2
        assert report.reading_minutes >= 1
        assert report.status in Status.values
        assert (report.published_at is None) == (report.status == Status.DRAFT)


def test_report_pages_work_on_synthetic_content(client, synth):
    report = Report.objects.published().first()
    for url in [reverse("blog:report_list"), report.get_absolute_url(), reverse("blog:feed")]:
        assert client.get(url).status_code == 200, url
    assert report.title in client.get(report.get_absolute_url()).content.decode()
