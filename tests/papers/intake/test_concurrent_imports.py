"""Imports running at the same moment: both finish, no 500, no paper twice.

Each thread has its own database connection (a real concurrent transaction) and waits at
a barrier, so the imports start together and allocate the same new slugs.
"""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from papers.intake.slugs import hold_slug_lock
from papers.models import Author, Paper
from tests.papers.test_admin import paper_form

from .conftest import ARXIV_CLIP

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 3


def _entries(prefix, count):
    """BibTeX entries whose titles (and so slugs) are the same in every file."""
    return "\n".join(
        f"@article{{{prefix}{n}, title = {{Shared Title Number {n}}},"
        f" author = {{Author{n}, Ada and Other{n}, Bo}}, year = {{2020}},"
        f" doi = {{10.5555/{prefix}.{n}}}}}"
        for n in range(count)
    )


def run_together(*calls):
    """Run each ``call(barrier)`` in its own thread; the exceptions they raised."""
    barrier = threading.Barrier(len(calls), timeout=30)
    errors = []

    def target(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def command(name, *args):
    def call():
        call_command(name, *args, stdout=StringIO())

    return call


def needs_real_concurrency():
    # The SQLite test database lives in memory, shared by the threads' connections
    # through one shared cache: table locks fail at once instead of waiting, so two
    # writers there say nothing about a deployed site (which runs PostgreSQL).
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def test_simultaneous_bibtex_imports_with_the_same_new_slugs_all_finish(tmp_path):
    needs_real_concurrency()
    paths = []
    for index in range(THREADS):
        path = tmp_path / f"library{index}.bib"
        path.write_text(_entries(f"file{index}x", 25))  # other DOIs, the same titles
        paths.append(path)
    errors = run_together(*[command("import_bibtex", str(path), "--publish") for path in paths])
    assert errors == []
    # Same title and year: the duplicate rules make the later files fill the first's
    # papers in; nothing is created twice and every slug is unique (the index says so).
    assert Paper.objects.count() == 25
    assert Author.objects.count() == 50


def test_simultaneous_imports_of_the_same_papers_keep_one_of_each(tmp_path):
    needs_real_concurrency()
    path = tmp_path / "same.bib"
    path.write_text(_entries("same", 25))
    errors = run_together(*[command("import_bibtex", str(path)) for _ in range(THREADS)])
    assert errors == []
    assert Paper.objects.count() == 25
    assert Paper.objects.filter(slug="shared-title-number-0").count() == 1


def _notes(tmp_path, year, count):
    """A notes file whose titles (and so slugs) are the same in every file."""
    path = tmp_path / f"notes{year}.md"
    path.write_text(
        "# Reading\n\n"
        + "\n<br>\n".join(
            f"![](https://img.shields.io/badge/05.{year}-08a045?logo=date&style=flat-square) "
            f"[Shared Title Number {n}](https://example.org/{year}/{n})"
            for n in range(count)
        )
        + "\n"
    )
    return path


def test_simultaneous_notes_imports_and_bibtex_imports_all_finish(tmp_path):
    needs_real_concurrency()
    bib = tmp_path / "library.bib"
    bib.write_text(_entries("bib", 25))
    errors = run_together(
        command("import_notes", str(_notes(tmp_path, 2021, 25))),
        command("import_notes", str(_notes(tmp_path, 2022, 25))),
        command("import_bibtex", str(bib)),
    )
    assert errors == []
    # Other years, so other papers (75), each wanting the same 25 slugs.
    assert Paper.objects.count() == 75
    assert Paper.objects.values("slug").distinct().count() == 75


def test_simultaneous_add_by_identifier_adds_the_paper_once(tmp_path, serve):
    needs_real_concurrency()
    serve(ARXIV_CLIP)
    errors = run_together(*[command("add_paper", "2103.00020") for _ in range(THREADS)])
    assert errors == []
    assert Paper.objects.filter(arxiv_id="2103.00020").count() == 1


def test_editors_adding_papers_with_the_same_title_at_once_all_succeed(django_user_model):
    # The admin's add form picks the slug in Paper.save() (unique_slug), inside the
    # admin's transaction: the same race as an import's, with a different caller.
    needs_real_concurrency()
    clients = []
    for name in ("alice", "bob", "carol"):
        user = django_user_model.objects.create_superuser(name, f"{name}@example.org", "pw")
        client = Client()
        client.force_login(user)
        clients.append(client)
    responses = []

    def add(client):
        def call():
            data = paper_form(title="One Title for Everyone", tags="shared tag, another tag")
            responses.append(client.post(reverse("admin:papers_paper_add"), data))

        return call

    errors = run_together(*[add(client) for client in clients])
    assert errors == []
    assert sorted(response.status_code for response in responses) == [302, 302, 302]
    assert sorted(Paper.objects.values_list("slug", flat=True)) == [
        "one-title-for-everyone",
        "one-title-for-everyone-2",
        "one-title-for-everyone-3",
    ]


def test_an_import_waiting_longer_than_the_statement_timeout_still_finishes(tmp_path):
    # A long import holds the slug lock for its whole transaction; one started meanwhile
    # waits for it, and that wait must not count as a runaway query (statement_timeout).
    needs_real_concurrency()
    path = tmp_path / "library.bib"
    path.write_text(_entries("wait", 3))
    locked = threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            hold_slug_lock(Paper)
            locked.set()
            time.sleep(1.5)

    def import_with_a_short_timeout():
        locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")  # this thread's connection only
        call_command("import_bibtex", str(path), stdout=StringIO())

    errors = run_together(hold_the_lock, import_with_a_short_timeout)
    assert errors == []
    assert Paper.objects.count() == 3
