"""manage.py search_index: rows loaded without signals become searchable, in batches."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import Author, Authorship, Paper, Status
from papers.site import search
from papers.site.cache import bump_content_version
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


def _bulk_papers(count, start=0):
    """Papers, authors and tags written the way synth and imports do: no signals."""
    papers = Paper.objects.bulk_create(
        Paper(
            title=f"Bulk loaded paper {start + i}",
            slug=f"bulk-{start + i}",
            year=2020,
            status=Status.PUBLISHED,
        )
        for i in range(count)
    )
    author = Author.objects.create(name="Grace Hopper", slug="grace-hopper")
    Authorship.objects.bulk_create(
        Authorship(paper=paper, author=author, position=0) for paper in papers
    )
    return papers


def _hits(client, q):
    response = client.get(reverse("search"), {"q": q, "type": "papers"})
    assert response.status_code == 200
    return response.content.decode()


def test_bulk_loaded_rows_are_found_only_after_the_rebuild(client):
    _bulk_papers(3)
    assert "Bulk loaded paper 1" not in _hits(client, "Hopper")

    call_command("search_index", stdout=io.StringIO())
    bump_content_version()  # as after any load without signals: cached pages are old
    page = _hits(client, "Hopper")
    assert "Bulk loaded paper 0" in page
    assert "Bulk loaded paper 2" in page


def test_a_paper_added_to_a_report_is_in_the_reports_document():
    report = ReportFactory(title="On noise", body="Noise in, noise out.")
    report.papers.add(PaperFactory(title="Denoising Diffusion", alias="DDPM"))
    report.refresh_from_db()
    assert "DDPM" in report.search_text
    report.papers.clear()
    report.refresh_from_db()
    assert "DDPM" not in report.search_text


def test_the_rebuilt_document_equals_the_one_a_save_writes():
    """Prefetched and unprefetched ``search_parts()`` must give the same document: the
    text, and on PostgreSQL the weighted vector (the rebuild reads the rows in batches with
    what they show prefetched, a save reads one row's relations itself)."""
    ho = AuthorFactory(name="Jonathan Ho")
    paper = PaperFactory(title="Denoising Diffusion", alias="DDPM", authors=[ho], tags=["gen"])
    report = ReportFactory(title="On DDPM", body="Noise *in*, noise out.", tags=["gen"])
    report.papers.add(paper)
    session = PresentationFactory(title="DDPM night", paper=paper, tags=["gen"])
    objects = (paper, report, session)
    fields = ["search_text", *(["search_vector"] if search.uses_postgres() else [])]

    def stored(obj):
        # The vector as its text form: every lexeme with its positions and weights.
        return [str(v) for v in type(obj).objects.values_list(*fields).get(pk=obj.pk)]

    saved = {obj: stored(obj) for obj in objects}
    for obj in objects:
        blank = {"search_text": "", **({"search_vector": None} if len(fields) > 1 else {})}
        type(obj).objects.filter(pk=obj.pk).update(**blank)

    call_command("search_index", stdout=io.StringIO())

    for obj, document in saved.items():
        assert stored(obj) == document
        assert "Jonathan Ho" in document[0] or "DDPM" in document[0]
        if len(fields) > 1:
            assert "'ddpm':" in document[1] and "A" in document[1]


@pytest.mark.parametrize("batch_size", [2, 500])
def test_rebuild_covers_every_row_in_constant_queries_per_batch(
    django_assert_max_num_queries, batch_size
):
    _bulk_papers(7)
    batches = -(-7 // batch_size) + 1  # the last, empty read ends the loop
    # Per batch: the rows, their authors, their tags, and one UPDATE (plus its transaction).
    with django_assert_max_num_queries(batches * 6):
        count = search.rebuild_documents(Paper, batch_size=batch_size)
    assert count == 7
    texts = Paper.objects.values_list("search_text", flat=True)
    assert all("Grace Hopper" in text and "Bulk loaded paper" in text for text in texts)


def test_a_batch_of_documents_is_written_by_one_update_per_batch_on_postgresql():
    """PostgreSQL parses and plans every statement psycopg sends (values are in its text):
    a batch's rows go in one ``UPDATE … FROM unnest``. SQLite prepares one statement and
    runs it for each row."""
    _bulk_papers(7)
    updates = []  # rows each UPDATE sent to the database was run for

    def record(execute, sql, params, many, context):
        if sql.startswith("UPDATE"):
            updates.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        search.rebuild_documents(Paper, batch_size=5)
    assert updates == ([1, 1] if search.uses_postgres() else [5, 2])
    texts = Paper.objects.values_list("search_text", flat=True)
    assert all("Grace Hopper" in text and "Bulk loaded paper" in text for text in texts)


@pytest.mark.skipif(not search.uses_postgres(), reason="one UPDATE per row on SQLite")
def test_a_batch_locks_its_rows_in_primary_key_order_before_its_one_update():
    """The batch's join locks rows in its plan's order: two overlapping batches could
    deadlock, so the rows are locked first by primary key, in the UPDATE's transaction."""
    _bulk_papers(7)
    statements = []

    def record(execute, sql, params, many, context):
        if sql.startswith("UPDATE") or "FOR UPDATE" in sql:
            statements.append((sql.split()[0], connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        search.rebuild_documents(Paper, batch_size=5)
    # Batches of 5 and 2: each UPDATE right after its rows' lock, both in one transaction.
    assert statements == [("SELECT", True), ("UPDATE", True)] * 2
    with connection.cursor() as cursor:
        sql = "SELECT 1 FROM papers_paper WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
        cursor.execute(f"EXPLAIN {sql}", [[1, 2]])
        plan = [row[0].strip() for row in cursor.fetchall()]
    assert plan[0].startswith("LockRows")  # rows locked as the ordered scan returns them


def _document_rewritten(obj, write):
    """Whether ``write()`` wrote ``obj``'s row again: on PostgreSQL a written row is a new
    version (``ctid``) even when its values are equal; SQLite counts the rows written."""
    table = type(obj)._meta.db_table
    if search.uses_postgres():
        sql, params = f"SELECT ctid FROM {table} WHERE id = %s", [obj.pk]  # noqa: S608
    else:
        sql, params = "SELECT total_changes()", []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        before = cursor.fetchone()[0]
        write()
        cursor.execute(sql, params)
        return cursor.fetchone()[0] != before


def test_a_document_already_stored_is_not_written_again_by_a_save_or_a_rebuild():
    paper = PaperFactory(title="Denoising Diffusion", authors=[AuthorFactory()], tags=["gen"])
    report = ReportFactory(title="On noise", tags=["gen"])
    stored = list(Paper.objects.values_list("search_text", flat=True).filter(pk=paper.pk))
    assert not _document_rewritten(paper, paper.update_search_index)
    assert not _document_rewritten(paper, lambda: search.rebuild_documents(Paper, pks=[paper.pk]))
    assert not _document_rewritten(
        report, lambda: call_command("search_index", stdout=io.StringIO())
    )
    assert list(Paper.objects.values_list("search_text", flat=True).filter(pk=paper.pk)) == stored
    paper.title = "Denoising Diffusion Models"
    assert _document_rewritten(paper, paper.update_search_index)
    assert "Diffusion Models" in Paper.objects.get(pk=paper.pk).search_text


def test_a_part_moved_from_the_title_to_the_byline_with_the_same_text_moves_its_weight():
    """The plain text joins the title's parts and the byline's with a newline alike: the
    text stays equal, the weighted vector must still be written."""
    paper = PaperFactory(title="Moved")
    search.store_document(Paper, paper.pk, {"A": ["Moved\nNumbat"], "B": [], "C": []})
    text = Paper.objects.get(pk=paper.pk).search_text
    search.store_document(Paper, paper.pk, {"A": ["Moved"], "B": ["Numbat"], "C": []})
    assert Paper.objects.get(pk=paper.pk).search_text == text
    if search.uses_postgres():
        vector = Paper.objects.values_list("search_vector", flat=True).get(pk=paper.pk)
        assert "'numbat':2B" in str(vector)


def test_a_save_leaves_the_document_to_its_own_write_not_the_instances_old_copy():
    """The row's UPDATE does not carry the document the instance was loaded with (or ""
    when created): ``update_search_index`` writes it from the rows, and finds it unchanged
    when the save changed nothing it shows."""
    paper = PaperFactory(title="Denoising Diffusion", tags=["gen"])
    stale = Paper.objects.get(pk=paper.pk)  # holds the document as stored now
    search.store_document(Paper, paper.pk, {"A": ["Numbat"], "B": [], "C": []})
    stale.status = Status.DRAFT
    row_update = "UPDATE " + connection.ops.quote_name(Paper._meta.db_table)

    def row_written_without_document():
        with CaptureQueriesContext(connection) as queries:
            stale.save_base(update_fields=None)  # the row only, no document write after it
        sql = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(row_update)]
        assert len(sql) == 1 and "search_text" not in sql[0] and "search_vector" not in sql[0]

    row_written_without_document()
    assert Paper.objects.get(pk=paper.pk).search_text.strip("\x1e") == "Numbat"
    stale.save()  # the document from the rows again
    assert "Denoising Diffusion" in Paper.objects.get(pk=paper.pk).search_text
