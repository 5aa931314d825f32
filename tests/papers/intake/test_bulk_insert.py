"""An import inserts its new papers in bulk (``PaperWriter(bulk=True)``, ``run_batch``):
what a paper later in the file finds of an earlier one, and what the rows hold, is what
one save per paper gave."""

import pytest
from django.db import transaction

from papers.intake.batch import run_batch
from papers.intake.records import LinkRecord, PaperRecord
from papers.models import FacetCount, Job, Paper, Status, Venue

pytestmark = pytest.mark.django_db


def test_a_later_record_of_the_same_paper_finds_the_earlier_one_not_yet_inserted():
    code, data = (LinkRecord(kind, f"https://example.org/{kind}") for kind in ("code", "data"))
    records = [
        PaperRecord(
            title="First", year=2020, arxiv_id="2001.00001", authors=["A One"], links=[code]
        ),  # fmt: skip
        PaperRecord(title="Second", year=2021, doi="10.1000/second"),
        # The first again, by its arXiv id under another title, with the link it has.
        PaperRecord(
            title="First, retitled", year=2020, arxiv_id="arXiv:2001.00001v2", links=[code]
        ),  # fmt: skip
        PaperRecord(title="Second again", doi="https://doi.org/10.1000/SECOND"),
        # And once more with a new link: that one is added.
        PaperRecord(title="First", year=2020, arxiv_id="2001.00001", links=[code, data]),
    ]
    report = run_batch(records, skip_invalid=True)
    assert [o.action for o in report.outcomes] == [
        "created", "created", "skipped", "skipped", "updated",
    ]  # fmt: skip
    assert Paper.objects.count() == 2
    first = Paper.objects.get(arxiv_id="2001.00001")
    assert first.title == "First"
    assert list(first.links.order_by("position").values_list("url", flat=True)) == [
        code.url, data.url,
    ]  # fmt: skip
    assert [o.paper.pk for o in report.outcomes[:2]] == sorted(
        Paper.objects.values_list("pk", flat=True)
    )


def test_a_stored_paper_gets_previous_work_that_is_new_in_the_same_file():
    stored = Paper.objects.create(title="Stored", year=2018)
    records = [
        PaperRecord(title="New base", year=2017, arxiv_id="1701.00001"),
        PaperRecord(title="Stored", year=2018, related=["1701.00001"]),  # nothing else new
    ]
    report = run_batch(records)
    assert [o.action for o in report.outcomes] == ["created", "updated"]
    assert report.outcomes[1].changed == ["previous work"]
    assert list(stored.related.values_list("arxiv_id", flat=True)) == ["1701.00001"]


def test_previous_work_and_wikilinks_name_papers_earlier_in_the_same_file():
    records = [
        PaperRecord(title="Base model", year=2019, arxiv_id="1901.00001", alias="Base"),
        PaperRecord(
            title="Builds on it", year=2020, related=["1901.00001"], notes="Extends [[Base]]."
        ),  # fmt: skip
    ]
    run_batch(records, status="published")
    base, later = Paper.objects.get(alias="Base"), Paper.objects.get(title="Builds on it")
    assert list(later.related.all()) == [base]
    assert list(later.mentions.all()) == [base]
    assert 'href="/papers/ref/Base/" title="Base model"' in later.notes_html  # live


def test_bulk_inserted_papers_are_stored_as_saved_ones():
    """Rows, counts, search documents and queued jobs as after one ``save()`` each: the
    same papers saved one by one (then rolled back), then inserted in bulk."""
    rows = [("Alpha study", 2021, Status.PUBLISHED), ("Beta study", 2022, Status.DRAFT)]
    # Stored first: a venue made inside the rolled-back block would take another id after
    # it on PostgreSQL (sequences are not rolled back), and the counts name it by id.
    Venue.for_text("NeurIPS")

    def papers():
        return [
            Paper(title=title, year=year, venue="NeurIPS", status=status, notes="A *note*.")
            for title, year, status in rows
        ]

    def state():
        stored = Paper.objects.order_by("title").values_list(
            "title", "slug", "edit_version", "edited_by", "notes_html", "published_in__name",
            "search_text",
        )  # fmt: skip
        facets = FacetCount.objects.order_by("facet", "year", "key").values_list(
            "facet", "year", "key", "n"
        )
        jobs = Job.objects.order_by("kind").values_list("kind", "state")
        return list(stored), list(facets), list(jobs)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        for paper in papers():
            paper.save()
        saved = state()
        raise Undo
    assert state() == ([], [], [])
    Paper.create_in_bulk(papers())
    assert state() == saved
    assert saved[0][0][2:4] == (1, "")  # one save: version 1, nobody's
    assert saved[0][0][6] and saved[1] and saved[2]  # a document, counts, a job
