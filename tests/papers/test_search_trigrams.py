"""SQLite's trigram index (papers/site/trigrams.py): searches match what LIKE matches,
and the index follows every write of ``search_text``.

The matching rules are the fallback's (substring, ASCII case folded): these run the same
searches a page runs (``search.search``) and compare them with what ``LIKE`` says. The
tests of the index itself need SQLite; the ones about edits and deletes run on both.
"""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog.models import Report
from papers.models import Paper
from papers.site import search, trigrams
from readinggroup.models import Presentation
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the trigram index is SQLite's"
)
INDEXED = (Paper, Report, Presentation)


def _found(text, model=Paper):
    query = search.parse_query(text)
    return set(search.search(model.objects.all(), query).values_list("pk", flat=True))


def _paper(text, **kwargs):
    return PaperFactory(title=kwargs.pop("title", "A paper"), abstract=text, **kwargs)


def _integrity_check(model):
    table = trigrams.table_name(model)
    with connection.cursor() as cursor:
        # Raises (SQLITE_CORRUPT_VTAB) when the index and the rows disagree.
        cursor.execute(f'INSERT INTO "{table}"("{table}", rank) VALUES (\'integrity-check\', 1)')  # noqa: S608


def _narrowed_sql(text):
    query = search.parse_query(text)
    return str(search.search(Paper.objects.all(), query).query)


def test_an_edited_paper_is_found_by_its_new_words_and_not_its_old_ones():
    paper = _paper("Sampling with a quokkaflow scheduler.")
    assert _found("quokkaflow") == {paper.pk}
    paper.abstract = "Sampling with a wombatstep scheduler."
    paper.save()
    assert _found("quokkaflow") == set()
    # Fails on SQLite if the update trigger does not index the new text.
    assert _found("wombatstep") == {paper.pk}


def test_a_document_written_by_store_document_is_found_by_its_new_words():
    """``store_document`` writes with ``QuerySet.update()``, as the reindexing after a
    tag, byline or linked paper changes does."""
    paper = _paper("Nothing special here.")
    search.store_document(Paper, paper.pk, {"A": ["a numbatnet appears"], "B": [], "C": []})
    assert _found("numbatnet") == {paper.pk}


def test_a_deleted_paper_is_not_found_and_leaves_the_index():
    kept, deleted = _paper("The quollnet baseline."), _paper("The quollnet ablation.")
    assert _found("quollnet") == {kept.pk, deleted.pk}
    deleted.delete()
    assert _found("quollnet") == {kept.pk}
    if connection.vendor == "sqlite":
        _integrity_check(Paper)  # fails without the delete trigger


@sqlite_only
@pytest.mark.parametrize("model", INDEXED, ids=lambda model: model.__name__)
def test_every_indexed_model_has_its_index_and_triggers_after_all_migrations(model):
    """A later migration that rebuilds the table on SQLite drops the triggers with the old
    table: this fails until it runs ``SQLiteTrigramIndex(..., rebuild=True)`` again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = %s", [model._meta.db_table])
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [trigrams.table_name(model)])
        assert cursor.fetchone() is not None
    assert set(trigrams.trigger_names(model)) <= names
    _integrity_check(model)


@sqlite_only
def test_the_index_agrees_with_the_rows_after_saves_updates_and_rebuilds():
    papers = [_paper(f"Text {i} about denoising.") for i in range(3)]
    ReportFactory(title="On denoising", body="x" * 5000 + " denoising " + "y" * 5000)
    Paper.objects.filter(pk=papers[0].pk).update(search_text="rewritten")
    search.rebuild_documents(Paper)
    search.rebuild_documents(Report)
    papers[1].delete()
    _integrity_check(Paper)
    _integrity_check(Report)


@sqlite_only
def test_a_search_for_a_long_word_reads_only_the_rows_the_index_gives():
    assert "MATCH" in _narrowed_sql("diffusion")
    assert "MATCH" in _narrowed_sql('"denoising diffusion" or gan -video')


@sqlite_only
def test_a_two_letter_word_matches_inside_words_by_reading_every_row():
    inside, other = _paper("We use an xqz-style encoder."), _paper("Nothing here.")
    assert "MATCH" not in _narrowed_sql("xq")
    assert _found("xq") == {inside.pk}
    assert other.pk not in _found("xq")


@sqlite_only
def test_an_or_with_a_short_word_is_not_narrowed_and_finds_both():
    short, long = _paper("The qz trick."), _paper("The wallabyformer trick.")
    _paper("Nothing to see.")
    assert _found("qz or wallabyformer") == {short.pk, long.pk}
    # The other group is still narrowed.
    assert _found("qz or wallabyformer trick") == {short.pk, long.pk}


@sqlite_only
def test_a_word_is_matched_inside_longer_words_and_in_any_ascii_case():
    paper = _paper("Latent DIFFUSIONmodels, explained.")
    assert _found("diffusion") == {paper.pk}
    assert _found("Diffusionmodel") == {paper.pk}


@sqlite_only
def test_percent_underscore_and_quotes_are_matched_literally():
    percent = _paper("Top-1 at 50% of the cost.")
    underscore = _paper("The var_name field.")
    quoted = _paper("Their ab\"cd and o'neil losses.")
    _paper("Top-1 at 50 of the cost; the varXname field; abXcd.")
    assert _found("50%") == {percent.pk}
    assert _found("var_name") == {underscore.pk}
    assert _found('ab"cd') == {quoted.pk}
    assert _found("o'neil") == {quoted.pk}
    assert _found("%%%") == set()
    assert _found("___") == set()


@sqlite_only
def test_a_phrase_and_an_exclusion_match_as_before():
    both, phrase_only = (
        _paper("Score-based generative models."),
        _paper("Score-based generative video."),
    )
    _paper("Generative score-based, reversed.")
    assert _found('"score-based generative"') == {both.pk, phrase_only.pk}
    assert _found('"score-based generative" -video') == {both.pk}


@sqlite_only
def test_non_ascii_letters_keep_like_case_rules_though_the_index_folds_them():
    """``LIKE`` folds ASCII letters only: "école" does not find "École". The index folds
    every letter, so it gives the row; the LIKE still says no, as before the index."""
    paper = _paper("Les modèles de l'École normale, Ünet und Straße.")
    assert _found("École") == {paper.pk}
    assert _found("école") == set()
    assert _found("ünet") == set()
    assert _found("Straße") == {paper.pk}
    assert _found("STRAßE") == {paper.pk}  # ASCII letters folded, ß itself
    assert _found("modèles") == {paper.pk}


@sqlite_only
def test_a_word_near_the_end_of_a_very_long_report_is_found():
    report = ReportFactory(title="Long", body="lorem ipsum " * 8000 + "capybaranet")
    assert _found("capybaranet", Report) == {report.pk}


@sqlite_only
def test_control_characters_in_a_query_narrow_nothing_and_find_nothing():
    _paper("Some zebra text.")
    assert trigrams.match_expression(search.parse_query("zeb\x00ra")) == ""
    assert _found("zeb\x00ra") == set()


@sqlite_only
def test_a_model_without_the_index_is_searched_by_reading_every_row(monkeypatch):
    paper = _paper("The dingonet encoder.")
    monkeypatch.setattr(Paper, "SEARCH_TRIGRAMS", False)  # as Content's default
    assert "MATCH" not in _narrowed_sql("dingonet")
    assert _found("dingonet") == {paper.pk}


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_rows_already_there():
    paper = _paper("An old platypusnet row.")
    operation = trigrams.SQLiteTrigramIndex("paper", rebuild=True)
    state = MigrationLoader(connection).project_state()
    with connection.schema_editor() as editor:
        operation.database_backwards("papers", editor, state, state)
    Paper.objects.filter(pk=paper.pk).update(search_text="An old platypusnet row, edited.")
    with connection.schema_editor() as editor:
        operation.database_forwards("papers", editor, state, state)
    assert _found("platypusnet") == {paper.pk}
    _integrity_check(Paper)


# Letters whose case LIKE folds and ones it does not (including the Kelvin sign, which the
# index folds to "k"), LIKE's and FTS5's special characters, and a character beyond the BMP.
_TRICKY = "abkKAB \u212aéÉßİı%_\\\"'*()-:^🙂"


@sqlite_only
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    texts=st.lists(st.text(alphabet=_TRICKY, min_size=3, max_size=30), min_size=1, max_size=4),
    words=st.text(alphabet=_TRICKY, min_size=1, max_size=8),
)
def test_any_query_finds_with_the_index_what_like_alone_finds(texts, words, monkeypatch):
    # Each example adds its own rows (no deletes: they cascade over every related table).
    start = Paper.objects.count()
    rows = Paper.objects.bulk_create(
        Paper(title="-", slug=f"tricky-{start + i}", year=2020, search_text=text)
        for i, text in enumerate(texts)
    )
    query = search.parse_query(words)
    if query.is_empty:
        return
    among = Paper.objects.filter(pk__in=[row.pk for row in rows])
    narrowed = set(search.search(among, query).values_list("pk", flat=True))
    monkeypatch.setattr(Paper, "SEARCH_TRIGRAMS", False)
    assert narrowed == set(search.search(among, query).values_list("pk", flat=True))
    monkeypatch.setattr(Paper, "SEARCH_TRIGRAMS", True)
