"""``manage.py demo`` for the paper database: real papers, valid, idempotent, visible."""

import io
import re
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import FileField
from django.test import override_settings
from PIL import Image

from papers import demo, demo_figures
from papers.demo_data import PAPERS
from papers.models import Author, Authorship, Figure, Paper, PaperLink, Status, Tag, TaggedPaper
from papers.site import trigrams
from tests import demo_state
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db


def run_demo():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def database_snapshot(media_root):
    return {
        "papers": Paper.objects.count(),
        "published": Paper.objects.published().count(),
        "authors": Author.objects.count(),
        "authorships": Authorship.objects.count(),
        "links": PaperLink.objects.count(),
        "figures": Figure.objects.count(),
        "tags": Tag.objects.count(),
        "tagged": TaggedPaper.objects.count(),
        "related": Paper.related.through.objects.count(),
        "files": sorted(str(path) for path in media_root.rglob("*") if path.is_file()),
    }


def by_alias(alias):
    return Paper.objects.get(alias=alias)


# --- loading and idempotence ------------------------------------------------------------


def test_first_run_creates_every_demo_paper_and_reports_it(demo_loaded):
    assert len(PAPERS) >= 45
    assert Paper.objects.count() == len(PAPERS)
    assert (
        f"papers: {len(PAPERS)} papers created (3 drafts), 0 already present; "
        "added 248 authors, 32 tags, 4 links, 6 figures, 52 previous-work links." in demo_loaded
    )
    assert "Demo content is loaded." in demo_loaded


def test_second_run_creates_nothing_and_says_everything_is_present(demo_loaded, settings):
    before = database_snapshot(settings.MEDIA_ROOT)
    output = run_demo()
    assert database_snapshot(settings.MEDIA_ROOT) == before
    figure_files = [name for name in before["files"] if "/figures/" in name]
    renditions = [name for name in figure_files if name.endswith(".webp")]
    # Six figures, each stored once with its WebP rendition beside it.
    assert before["figures"] == len(figure_files) - len(renditions) == len(renditions) == 6
    assert (
        f"papers: 0 papers created (0 drafts), {len(PAPERS)} already present; "
        "added 0 authors, 0 tags, 0 links, 0 figures, 0 previous-work links." in output
    )


def test_the_suites_demo_snapshot_leaves_what_a_fresh_run_leaves(demo_snapshot, tmp_path):
    # ``demo_loaded`` (tests/demo_state.py) stands in for the command in a score of tests.
    def rows_per_table():
        with connection.cursor() as cursor:
            counts = {}
            for table in connection.introspection.table_names(include_views=False):
                if trigrams.is_index_table(table):  # its segments depend on the commits
                    continue
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a listed table
                counts[table] = cursor.fetchone()[0]
        return counts

    def files(media):
        # Names are random and slides carry their creation time: the folders are compared.
        return Counter(str(p.parent.relative_to(media)) for p in media.rglob("*") if p.is_file())

    def stored_names():
        fields = [
            (model, field.name)
            for model in apps.get_models()
            for field in model._meta.get_fields()
            if isinstance(field, FileField)
        ]
        return {
            name for model, field in fields for name in model.objects.values_list(field, flat=True)
        } - {""}

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        with override_settings(MEDIA_ROOT=tmp_path / "fresh"):
            output = run_demo()
        fresh = rows_per_table(), files(tmp_path / "fresh")
        raise Undo
    assert Paper.objects.count() == 0
    assert demo_snapshot.restore(tmp_path / "restored") == output
    assert (rows_per_table(), files(tmp_path / "restored")) == fresh
    assert fresh[1]["figures"] == 12  # six figures and their six WebP renditions
    names = stored_names()
    assert names and all((tmp_path / "restored" / name).is_file() for name in names)


def _snapshot_of_an_authorship_whose_paper_and_author_are_gone(media):
    """A DemoSnapshot holding one row that points at rows that no longer exist."""
    with transaction.atomic():
        point = transaction.savepoint()
        Authorship.objects.create(paper=PaperFactory(), author=AuthorFactory())
        rows = {"papers_authorship": demo_state._read("papers_authorship")}
        transaction.savepoint_rollback(point)
    return demo_state.DemoSnapshot("", rows, media, clean={})


def _delete_every_authorship():
    with connection.cursor() as cursor:  # SQL: the ORM would look for the missing paper
        cursor.execute("DELETE FROM papers_authorship")


def test_taking_the_snapshot_fails_when_the_demo_leaves_a_dangling_foreign_key(
    monkeypatch, tmp_path
):
    # restore() does not check the snapshot's keys again (PostgreSQL): take() must.
    def demo_with_a_dangling_authorship(*args, **kwargs):
        paper = PaperFactory()
        Authorship.objects.create(paper=paper, author=AuthorFactory())
        with connection.cursor() as cursor:  # SQL: the ORM would delete the authorship too
            cursor.execute("DELETE FROM papers_paper WHERE id = %s", [paper.pk])

    monkeypatch.setattr(demo_state, "call_command", demo_with_a_dangling_authorship)
    monkeypatch.setattr(demo_state.DemoSnapshot, "last", None)
    with pytest.raises(IntegrityError):
        demo_state.DemoSnapshot.take(tmp_path)
    assert not Authorship.objects.exists()  # and it was undone


def test_restored_rows_skip_the_foreign_key_check_at_the_tests_end_on_postgresql(tmp_path):
    # They were checked when the snapshot was taken; SQLite checks every row at the end.
    snapshot = _snapshot_of_an_authorship_whose_paper_and_author_are_gone(tmp_path / "m")
    snapshot.media.mkdir()
    snapshot.restore(tmp_path / "restored")
    assert Authorship.objects.count() == 1
    if connection.vendor == "postgresql":
        connection.check_constraints()  # nothing queued for the restored row
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            connection.check_constraints(table_names=["papers_authorship"])
    _delete_every_authorship()  # the test's end checks the keys again


def test_rows_a_test_adds_after_a_restore_still_have_their_foreign_keys_checked(tmp_path):
    snapshot = _snapshot_of_an_authorship_whose_paper_and_author_are_gone(tmp_path / "m")
    snapshot.media.mkdir()
    snapshot.restore(tmp_path / "restored")
    with connection.cursor() as cursor:  # SQL: the model's signals would look for the paper
        cursor.execute(
            "INSERT INTO papers_authorship (paper_id, author_id, position) VALUES (%s, %s, 0)",
            [10**9, AuthorFactory().pk],  # no such paper
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        connection.check_constraints(table_names=["papers_authorship"])
    _delete_every_authorship()  # the test's end checks the keys again


def test_a_paper_already_in_the_database_is_neither_duplicated_nor_overwritten():
    mine = PaperFactory(
        title="Attention Is All You Need (my copy)",
        year=2017,
        arxiv_id="1706.03762",
        notes="My own notes.",
        status=Status.DRAFT,
    )
    output = run_demo()
    assert Paper.objects.filter(arxiv_id="1706.03762").get() == mine
    mine.refresh_from_db()
    assert (mine.title, mine.notes, mine.status) == (
        "Attention Is All You Need (my copy)",
        "My own notes.",
        Status.DRAFT,
    )
    assert not mine.figures.exists() and not mine.authors.exists()
    # Papers that build on it are linked to the existing row, not to a new one.
    assert mine in by_alias("ViT").related.all()
    assert f"{len(PAPERS) - 1} papers created (3 drafts), 1 already present" in output


def test_an_author_already_in_the_database_is_reused():
    tri_dao = Author.objects.create(name="Tri Dao")
    output = run_demo()
    assert Author.objects.filter(name="Tri Dao").get() == tri_dao
    assert tri_dao.papers.count() == 3
    assert "added 247 authors" in output


def test_a_paper_without_arxiv_id_is_recognised_by_title_and_year():
    PaperFactory(title="language models are unsupervised multitask learners", year=2019)
    run_demo()
    matches = Paper.objects.filter(
        title__iexact="Language Models are Unsupervised Multitask Learners"
    )
    assert matches.count() == 1


def test_a_paper_with_a_doi_is_recognised_by_it():
    PaperFactory(title="TabPFN in Nature", year=2025, doi="10.1038/S41586-024-08328-6")
    run_demo()
    assert Paper.objects.filter(doi="10.1038/s41586-024-08328-6").count() == 1


def test_invalid_entry_stops_the_load_before_anything_is_saved(monkeypatch, settings):
    # Oldest first is the load order, so the broken entry comes after valid ones.
    entries = [{**entry, "builds_on": []} for entry in PAPERS[:4]]
    broken = [*entries[:3], {**entries[3], "year": 2030, "arxiv": "not-an-id"}]
    monkeypatch.setattr(demo, "PAPERS", broken)
    with pytest.raises(ValidationError) as error:
        run_demo()
    assert "arxiv_id" in error.value.message_dict
    assert not Paper.objects.exists() and not Author.objects.exists()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_unknown_previous_work_is_reported_by_name(monkeypatch):
    monkeypatch.setattr(demo, "PAPERS", [{**PAPERS[0], "builds_on": ["No Such Paper"]}])
    with pytest.raises(ValueError, match="No Such Paper"):
        run_demo()
    assert not Paper.objects.exists()


# --- the data and the drawings, without a database ------------------------------


def test_notes_are_short():
    for entry in PAPERS:
        prose = re.sub(r"```.*?```|\$\$.*?\$\$|\|.*\|", "", entry["notes"], flags=re.S)
        assert 20 <= len(prose.split()) <= 140, entry["title"]


def test_schematic_is_deterministic_and_works_without_dejavu(monkeypatch, tmp_path):
    steps = ["input", "encoder", "decoder"]
    first = demo_figures.schematic(steps, title="A → B", back="loop")
    assert first == demo_figures.schematic(steps, title="A → B", back="loop")
    monkeypatch.setattr(demo_figures, "_FONT_DIR", tmp_path)  # no fonts there
    demo_figures._font.cache_clear()
    try:
        fallback = demo_figures.schematic(steps)
    finally:
        demo_figures._font.cache_clear()
    with Image.open(io.BytesIO(fallback)) as image:
        assert image.format == "PNG"
