"""factory-boy factories for reports."""

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from blog.models import Kind, Report, ReportPaper, Series
from papers.models import Status
from tests.factories import SavesWrittenAtEndFactory, add_tags, png_bytes


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"A Book in Parts {n}")


class ReportFactory(SavesWrittenAtEndFactory):
    """A published report, one day old, with a heading, math and code in its body."""

    class Meta:
        model = Report

    kind = Kind.PAPER_REPORT
    title = factory.Sequence(lambda n: f"Report on Things, Number {n}")
    teaser = "A short *teaser*."
    body = (
        "## Idea\n\nThe loss is $L = \\sum_i \\ell_i$.\n\n## Code\n\n```python\nprint('hi')\n```\n"
    )
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)
        with_cover = factory.Trait(
            cover=factory.LazyFunction(
                lambda: ContentFile(png_bytes(size=(120, 63)), name="cover.png")
            ),
            cover_alt="A red rectangle.",
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            add_tags(self, extracted)

    @factory.post_generation
    def papers(self, create, extracted, **kwargs):
        if create and extracted:
            for position, paper in enumerate(extracted):
                ReportPaper.objects.create(report=self, paper=paper, position=position)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def at(year, month=6, day=1):
    """A publication time in a given year."""
    return datetime.datetime(year, month, day, 12, 0, tzinfo=datetime.UTC)


def report_admin_form(**overrides):
    """The POST data of the report admin's add form: a valid draft, with ``overrides``."""
    data = {
        "title": "A New Report",
        "kind": Kind.PAPER_REPORT,
        "number": "",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "tags": "vision, 3D",
        "series": "",
        "part": "",
        "cover_alt": "",
        "teaser": "Teaser.",
        "body": "## Heading\n\n$E = mc^2$",
        "slug": "",
        "paper_links-TOTAL_FORMS": "0",
        "paper_links-INITIAL_FORMS": "0",
        "paper_links-MIN_NUM_FORMS": "0",
        "paper_links-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data
