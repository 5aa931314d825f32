"""An unknown year is a wildcard when an import looks for the paper it is about: a
year-unknown entry is the stored paper with its title (any year), a dated entry is the
stored year-unknown paper with its title (and fills its year). Two stored papers with one
title and different known years stay two papers: an entry that could be either is not
merged into one by guess."""

import pytest

from papers.intake.batch import run_batch
from papers.intake.duplicates import Conflict, DuplicateFinder
from papers.intake.records import PaperRecord
from papers.models import Paper
from tests.factories import PaperFactory

from .helpers import run_import_notes

pytestmark = pytest.mark.django_db


def record(title, year=None, **fields):
    return PaperRecord(title=title, year=year, source="notes.md:1", **fields)


def test_a_year_unknown_entry_matches_the_stored_paper_with_its_title_of_any_year():
    stored = PaperFactory(title="Group Norms for Tiny Batches", year=2018)
    match = DuplicateFinder.for_records([record("group norms for tiny batches!")]).find(
        record("group norms for tiny batches!")
    )
    assert match.known.pk == stored.pk
    assert "year is unknown" in match.how


def test_a_dated_entry_matches_a_stored_year_unknown_paper_and_fills_its_year(tmp_path):
    stored = PaperFactory(title="Group Norms for Tiny Batches", year=None, month=None)
    notes = tmp_path / "notes.md"
    notes.write_text(
        "- **Group Norms for Tiny Batches** (2018) [[pdf]](https://example.org/gn.pdf)\n"
    )
    run_import_notes(notes)
    assert Paper.objects.count() == 1
    stored.refresh_from_db()
    assert stored.year == 2018


def test_a_year_unknown_reading_log_entry_adds_nothing_for_a_paper_stored_with_its_year(
    tmp_path,
):
    PaperFactory(title="Group Norms for Tiny Batches", year=2018)
    notes = tmp_path / "read.md"
    notes.write_text("## Added 2019/10/01:\n  * [Group Norms for Tiny Batches](notes/gn.md)\n")
    out = run_import_notes(notes)
    assert Paper.objects.count() == 1
    assert Paper.objects.get().year == 2018
    assert "already in the database" in out or "updated" in out.lower()


def test_papers_with_one_title_and_different_known_years_stay_apart():
    PaperFactory(title="Attention", year=2015)
    report = run_batch([record("Attention", 2021)], on_existing="fill")
    assert [outcome.action for outcome in report.outcomes] == ["created"]
    assert sorted(Paper.objects.values_list("year", flat=True)) == [2015, 2021]


def test_a_year_unknown_entry_whose_title_has_two_known_years_is_refused_naming_both():
    first = PaperFactory(title="Attention", year=2015)
    second = PaperFactory(title="Attention", year=2021)
    report = run_batch([record("Attention")], on_existing="fill")
    (outcome,) = report.outcomes
    assert outcome.action == "invalid"
    assert f"#{first.pk}, 2015" in outcome.errors[0] and f"#{second.pk}, 2021" in outcome.errors[0]
    assert Paper.objects.count() == 2


def test_a_dated_entry_is_not_guessed_into_a_year_unknown_paper_beside_another_year():
    PaperFactory(title="Attention", year=2015)
    PaperFactory(title="Attention", year=None, month=None)
    finder = DuplicateFinder.for_records([record("Attention", 2021)])
    with pytest.raises(Conflict, match="year unknown"):
        finder.find(record("Attention", 2021))


def test_within_one_batch_the_filled_year_counts_for_the_entries_after_it():
    stored = PaperFactory(title="Sparse Coding Revisited", year=None, month=None)
    report = run_batch(
        [record("Sparse Coding Revisited", 2012), record("Sparse Coding Revisited", 2020)],
        on_existing="fill",
    )
    assert [outcome.action for outcome in report.outcomes] == ["updated", "created"]
    stored.refresh_from_db()
    assert stored.year == 2012
    assert sorted(Paper.objects.values_list("year", flat=True)) == [2012, 2020]


def test_a_year_unknown_entry_and_its_dated_twin_in_one_file_make_one_paper():
    report = run_batch(
        [record("Sparse Coding Revisited"), record("Sparse Coding Revisited", 2012)],
        on_existing="fill",
    )
    assert [outcome.action for outcome in report.outcomes] == ["created", "updated"]
    assert list(Paper.objects.values_list("year", flat=True)) == [2012]


# --- --lookup fills the year the file does not give (stored answers, no network) ----------
TABPFN = {"works/10.1038/s41586-024-08328-6": ("crossref_10.1038_s41586-024-08328-6.json", 200)}
CHECKLIST = (
    "# Papers I read\n\n"
    "- [x] [Tabular foundation model](https://doi.org/10.1038/s41586-024-08328-6)\n"
    "- [x] [Some Workshop Note](https://example.org/a.pdf)\n"
    "- [x] [Another Workshop Note](https://example.org/b.pdf)\n"
    "- [ ] [A Third Note](https://example.org/c.pdf)\n"
)


def test_lookup_fills_the_year_of_a_year_unknown_entry_from_crossref(tmp_path, serve):
    requests = serve(TABPFN)
    notes = tmp_path / "read.md"
    notes.write_text(CHECKLIST)
    out = run_import_notes(notes, "--lookup")
    paper = Paper.objects.get(doi="10.1038/s41586-024-08328-6")
    assert paper.title == "Tabular foundation model"  # the file's title is kept
    assert (paper.year, paper.month, paper.venue) == (2025, 1, "Nature")
    assert "year 2025 from Crossref (looked up)" in out
    assert "Tabular foundation model”: year unknown" not in out
    # Entries with nothing to look up keep their unknown year, and nothing else was asked.
    assert Paper.objects.get(title="Some Workshop Note").year is None
    assert len(requests) == 1


def test_without_lookup_the_year_stays_unknown_and_nothing_is_fetched(tmp_path, serve):
    requests = serve(TABPFN)
    notes = tmp_path / "read.md"
    notes.write_text(CHECKLIST)
    run_import_notes(notes)
    assert Paper.objects.get(doi="10.1038/s41586-024-08328-6").year is None
    assert requests == []


def test_a_failed_lookup_keeps_the_year_unknown_and_says_why(tmp_path, serve):
    serve({"works/10.1038/s41586-024-08328-6": ("crossref_not_found.txt", 404)})
    notes = tmp_path / "read.md"
    notes.write_text(CHECKLIST)
    out = run_import_notes(notes, "--lookup")
    assert Paper.objects.get(doi="10.1038/s41586-024-08328-6").year is None
    assert "year still unknown" in out


def test_a_looked_up_year_makes_the_entry_match_its_stored_dated_paper(tmp_path, serve):
    serve(TABPFN)
    stored = PaperFactory(
        title="Accurate predictions on small data with a tabular foundation model",
        year=2025,
        doi="10.1038/s41586-024-08328-6",
    )
    notes = tmp_path / "read.md"
    notes.write_text(CHECKLIST)
    run_import_notes(notes, "--lookup")
    assert Paper.objects.filter(doi="10.1038/s41586-024-08328-6").get().pk == stored.pk
