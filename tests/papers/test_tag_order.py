"""A row's tags come in the order they were added, read one row at a time or prefetched
(``papers.tagging.tags_field``): a feed entry's categories, a list's tags and a rebuilt
search document list them alike."""

import pytest
from django.db.models import Prefetch

from blog.models import Report
from papers.models import Paper, Tag
from readinggroup.models import Presentation
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

ADDED = ["zeta", "alpha", "mid"]


@pytest.mark.parametrize(
    ("model", "factory"),
    [(Paper, PaperFactory), (Report, ReportFactory), (Presentation, PresentationFactory)],
)
def test_prefetched_tags_come_in_the_order_they_were_added_as_a_rows_own_tags_do(model, factory):
    for name in reversed(ADDED):  # the tags' own table in another order
        Tag.objects.get_or_create(name=name, defaults={"slug": name})
    row = factory()
    for name in ADDED:
        row.tags.add(name)
    links = row.tags.through.objects.filter(content_object=row).order_by("pk")
    first = links.first()
    # An UPDATE writes a new version of the link at the end of PostgreSQL's table: read
    # in the table's order (no ORDER BY), the first tag would now come last.
    links.filter(pk=first.pk).update(tag_id=first.tag_id)

    own = [tag.name for tag in model.objects.get(pk=row.pk).tags.all()]
    prefetched = model.objects.prefetch_related(Prefetch("tags", to_attr="listed")).get(pk=row.pk)

    assert own == ADDED
    assert [tag.name for tag in prefetched.listed] == ADDED
