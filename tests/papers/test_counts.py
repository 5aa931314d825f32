"""The site-wide counts kept on save (papers/counts.py) always equal a recount of the papers:
after random sequences of creates, edits, deletes, publishing, tags, bylines, merges and
imports, and after ``manage.py recount_facets``."""

import io
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers import counts
from papers.intake.records import PaperRecord
from papers.intake.saving import PaperWriter
from papers.merging import merge_authors, merge_tags
from papers.models import Authorship, FacetCount, Paper, Status, Tag, Venue
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

YEARS = [None, 2019, 2020, 2021]
TAG_NAMES = ["vision", "speech", "graphs", "robots", "c++"]


def assert_counts_match():
    expected = {key: n for key, n in counts.recount().items() if n}
    assert counts.stored() == expected


class Library:
    """Random changes through the ways the site changes papers."""

    def __init__(self, rng):
        self.rng = rng
        self.authors = [AuthorFactory(name=f"Writer {i}") for i in range(6)]
        self.venues = [
            Venue.objects.create(name=f"Venue {i}", short_name=f"V{i}") for i in range(3)
        ]

    def papers(self):
        return list(Paper.objects.all())

    def paper(self):
        papers = self.papers()
        return self.rng.choice(papers) if papers else self.create()

    def create(self):
        rng = self.rng
        return PaperFactory(
            title=f"Paper {rng.random()}",
            year=rng.choice(YEARS),
            venue="",
            published_in=rng.choice([None, *self.venues]),
            status=rng.choice([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT]),
            authors=rng.sample(self.authors, rng.randint(0, 3)),
            tags=rng.sample(TAG_NAMES, rng.randint(0, 3)),
        )

    def edit_title(self):
        paper = self.paper()
        paper.title += " (revised)"
        paper.save()

    def change_year(self):
        paper = self.paper()
        paper.year = self.rng.choice([y for y in YEARS if y != paper.year])
        paper.save()

    def change_venue(self):
        paper = self.paper()
        paper.published_in = self.rng.choice([None, *self.venues])
        paper.save()

    def publish_or_unpublish(self):
        paper = self.paper()
        paper.status = Status.DRAFT if paper.status == Status.PUBLISHED else Status.PUBLISHED
        paper.save()

    def stale_instance_save(self):
        # Two editors: the second saves an instance loaded before the first's change.
        paper = self.paper()
        stale = Paper.objects.get(pk=paper.pk)
        paper.status = Status.DRAFT if paper.status == Status.PUBLISHED else Status.PUBLISHED
        paper.save()
        stale.year = self.rng.choice(YEARS)
        stale.save()

    def delete(self):
        self.paper().delete()

    def delete_several(self):
        Paper.objects.filter(pk__in=[p.pk for p in self.papers()[:2]]).delete()

    def tag(self):
        self.paper().tags.add(*self.rng.sample(TAG_NAMES, 2))

    def untag(self):
        paper = self.paper()
        tags = list(paper.tags.all())
        if tags:
            paper.tags.remove(self.rng.choice(tags))

    def set_tags(self):
        self.paper().tags.set(self.rng.sample(TAG_NAMES, self.rng.randint(0, 3)))

    def clear_tags(self):
        self.paper().tags.clear()

    def add_byline(self):
        paper = self.paper()
        free = [a for a in self.authors if not paper.authorships.filter(author=a).exists()]
        if free:
            Authorship.objects.create(paper=paper, author=self.rng.choice(free), position=9)

    def add_byline_m2m(self):
        paper = self.paper()
        free = [a for a in self.authors if not paper.authorships.filter(author=a).exists()]
        if free:
            paper.authors.add(self.rng.choice(free), through_defaults={"position": 9})

    def remove_byline(self):
        byline = Authorship.objects.order_by("?").first()
        if byline:
            self.rng.choice([byline.delete, lambda: byline.paper.authors.remove(byline.author)])()

    def move_byline(self):
        byline = Authorship.objects.order_by("?").first()
        others = [
            a
            for a in self.authors
            if not byline or not byline.paper.authorships.filter(author=a).exists()
        ]
        if byline and others:
            byline.author = self.rng.choice(others)
            byline.save()

    def delete_tag(self):
        tag = Tag.objects.order_by("?").first()
        if tag:
            tag.delete()

    def merge_authors(self):
        if len(self.authors) > 2:
            source = self.authors.pop(self.rng.randrange(len(self.authors)))
            merge_authors(self.rng.choice(self.authors), [source])
            self.authors.append(AuthorFactory(name=f"Writer {self.rng.random()}"))

    def merge_tags(self):
        tags = list(Tag.objects.all())
        if len(tags) > 1:
            source, target = self.rng.sample(tags, 2)
            merge_tags(source, target)

    def delete_venue(self):
        venue = self.venues.pop(self.rng.randrange(len(self.venues)))
        venue.delete()
        self.venues.append(Venue.objects.create(name=f"Venue {self.rng.random()}"))

    def import_records(self):
        writer = PaperWriter(status=self.rng.choice([Status.PUBLISHED, Status.DRAFT]))
        for i in range(2):
            record = PaperRecord(
                source=f"test {i}",
                title=f"Imported {self.rng.random()}",
                authors=["Writer 1", f"New Person {self.rng.randint(0, 3)}"],
                year=self.rng.choice([2019, 2020]),
                tags=self.rng.sample(TAG_NAMES, 2),
            )
            writer.write(record)
        writer.finish()


ACTIONS = [
    name for name in vars(Library) if not name.startswith("_") and name not in ("papers", "paper")
]


@pytest.mark.parametrize("seed", range(4))
def test_random_changes_leave_the_counts_equal_to_a_recount(seed):
    rng = random.Random(seed)
    library = Library(rng)
    for _ in range(6):
        library.create()
    assert_counts_match()
    for step in range(60):
        action = rng.choice(ACTIONS)
        getattr(library, action)()
        try:
            assert_counts_match()
        except AssertionError as error:
            raise AssertionError(f"after step {step}: {action}") from error


def test_recount_facets_rebuilds_counts_written_around_the_signals():
    paper = PaperFactory(year=2020, tags=["vision"], authors=[AuthorFactory()])
    Paper.objects.filter(pk=paper.pk).update(year=2024)  # QuerySet.update: no signals
    FacetCount.objects.filter(facet="author").delete()
    assert counts.stored() != {k: n for k, n in counts.recount().items() if n}
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("recount_facets", "--check", stdout=out, stderr=io.StringIO())
    call_command("recount_facets", stdout=out)
    assert_counts_match()
    call_command("recount_facets", "--check", stdout=out)
    assert "match the papers" in out.getvalue()


def test_a_rolled_back_change_rolls_its_counts_back():
    from django.db import transaction

    PaperFactory(year=2020)
    before = counts.stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        PaperFactory(year=2021, tags=["vision"])
        raise RuntimeError
    assert counts.stored() == before


def test_a_cold_list_reads_the_counts_without_grouping_the_papers(client):
    PaperFactory(year=2020, tags=["vision"], authors=[AuthorFactory()])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("papers:paper_list")).status_code == 200
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped == []
