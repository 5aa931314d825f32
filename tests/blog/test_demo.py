"""blog/demo.py: demo reports of every kind, loaded by ``manage.py demo``, idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog import demo
from blog.models import Kind, Report, ReportPaper, Series
from papers.models import Paper, Status

pytestmark = pytest.mark.django_db


def test_demo_command_loads_reports_once(_media_root, demo_loaded):
    assert "Reports: 8 added, 0 already there." in demo_loaded
    counts = (Report.objects.count(), Paper.objects.count(), ReportPaper.objects.count())
    files = sorted(_media_root.rglob("*"))
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Reports: 0 added, 8 already there." in out.getvalue()
    assert (Report.objects.count(), Paper.objects.count(), ReportPaper.objects.count()) == counts
    assert sorted(_media_root.rglob("*")) == files


def test_demo_covers_what_the_issue_asks_for():
    demo.load(StringIO())
    reports = Report.objects.all()
    assert {report.kind for report in reports} == set(Kind.values)
    published = Report.objects.published()
    assert published.count() >= 6
    series = Series.objects.get()
    parts = list(series.reports.published().order_by("part"))
    assert [part.part for part in parts] == [1, 2]
    assert all(part.kind == Kind.BOOK_REPORT for part in parts)
    assert any("<math" in report.body_html for report in published)
    assert any('class="language-python highlight"' in report.body_html for report in published)
    assert any("<figure>" in report.body_html for report in published)
    assert published.filter(work_in_progress=True).count() == 1
    assert reports.filter(status=Status.DRAFT).count() == 1
    assert all(report.cover and report.cover_width == 1200 for report in reports)
    assert all("math-error" not in report.body_html for report in reports)


def test_demo_links_existing_papers_by_arxiv_id_instead_of_creating_them():
    existing = Paper.objects.create(
        title="NeRF (already here)", arxiv_id="2003.08934", status=Status.PUBLISHED
    )
    demo.load(StringIO())
    assert Paper.objects.filter(arxiv_id="2003.08934").count() == 1
    nerf = Report.objects.get(slug="nerf-neural-radiance-fields")
    assert list(nerf.papers.all()) == [existing]


def test_papers_created_by_the_demo_carry_the_seed_facts():
    demo.load(StringIO())
    vit = Paper.objects.get(arxiv_id="2010.11929")
    assert vit.alias == "ViT"
    assert (vit.year, vit.month) == (2020, 10)
    assert vit.is_published
