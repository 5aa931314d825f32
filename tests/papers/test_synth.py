"""``manage.py synth``: realistic synthetic content for benchmarks."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from blog.models import Report
from papers.models import Author, Authorship, Paper, Status, Tag, TaggedPaper
from papers.site.markdown import render_markdown
from readinggroup.models import Presentation, Presenter
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory, run_synth

pytestmark = pytest.mark.django_db


def make_synth():
    return run_synth(300, 7)


_kept_rows, synth = fixture_rows(make_synth)


def test_synth_fills_the_database_with_the_shapes_of_a_real_one(synth):
    assert "papers: 300 papers, 100 authors, 200 tags" in synth
    assert Paper.objects.count() == 300
    assert Author.objects.count() == 100
    assert 0.9 < Paper.objects.published().count() / 300 < 1
    bylines = Counter(Authorship.objects.values_list("paper_id", flat=True))
    assert set(bylines) == set(Paper.objects.values_list("pk", flat=True))
    assert min(bylines.values()) >= 1 and max(bylines.values()) <= 8
    tags_per_paper = Counter(TaggedPaper.objects.values_list("content_object_id", flat=True))
    assert max(tags_per_paper.values()) <= 5
    assert len(tags_per_paper) < 300  # some papers have no tag
    years = Counter(Paper.objects.values_list("year", flat=True))
    assert min(years) >= 1990 and max(years) <= 2026
    assert sum(n for year, n in years.items() if year >= 2015) > 150  # skewed recent
    # A long tail: the top tag is on far more papers than the median used tag.
    uses = sorted(Tag.objects.annotate(n=Count("papers_taggedpaper_items")).values_list("n", flat=True))  # fmt: skip
    assert uses[-1] > 10 * max(uses[len(uses) // 2], 1)


def test_synthetic_papers_are_valid_rows(synth):
    papers = list(Paper.objects.all()[:50])
    assert len({paper.slug for paper in Paper.objects.all()}) == 300
    for paper in papers:
        assert 600 < len(paper.notes) < 2400
        # Rendered the way Paper.save() would.
        assert paper.notes_html == render_markdown(paper.notes)
        assert paper.status in Status.values
    arxiv = [p.arxiv_id for p in Paper.objects.exclude(arxiv_id=None)]
    assert arxiv and len(arxiv) == len(set(arxiv))


def test_pages_work_on_synthetic_content(client, synth):
    paper = Paper.objects.published().first()
    tag = Tag.objects.annotate(n=Count("papers_taggedpaper_items")).order_by("-n").first()
    for url in [
        reverse("home"),
        reverse("papers:paper_list"),
        reverse("papers:paper_list") + f"?tag={tag.slug}&year={paper.year}",
        paper.get_absolute_url(),
        tag.get_absolute_url(),
        paper.authors.first().get_absolute_url(),
    ]:
        assert client.get(url).status_code == 200, url
    assert paper.title in client.get(paper.get_absolute_url()).content.decode()


def test_synth_refuses_a_database_with_content():
    PaperFactory()
    with pytest.raises(CommandError, match="already has papers"):
        call_command("synth", papers=10, stdout=StringIO())


def test_synth_refuses_a_silly_size():
    with pytest.raises(CommandError, match="between"):
        call_command("synth", papers=0, stdout=StringIO())


def test_synth_is_reproducible_from_its_seed():
    call_command("synth", papers=20, seed=3, stdout=StringIO())
    first = list(Paper.objects.order_by("pk").values_list("title", "year", "slug"))
    # Reports and sessions (their apps' synth) protect the papers they are about.
    Report.objects.all().delete()
    Presentation.objects.all().delete()
    Presenter.objects.all().delete()
    Paper.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    call_command("synth", papers=20, seed=3, stdout=StringIO())
    assert list(Paper.objects.order_by("pk").values_list("title", "year", "slug")) == first
