"""The demo content, made once per test process and put back for each test that needs it.

``manage.py demo`` costs about 10 s of CPU on SQLite (more on PostgreSQL), and a score of
tests start from "the demo is loaded". ``DemoSnapshot.take()`` runs the real command once,
on the clean test database, inside a transaction: it reads the rows the command added,
table by table, then rolls back, so the database is clean again for every other test.
``restore()`` inserts those rows into the test's own transaction (rolled back after the
test like any other row) and copies the files the command wrote into the test's
``MEDIA_ROOT``: each test starts from the same state a fresh ``manage.py demo`` leaves,
and the command's own output is kept for the tests that read it.

The rows are copied as the database stores them, whatever the model layer does on save
(signals, search documents, counters): the state is the command's, not a rebuild. On
PostgreSQL they travel by ``COPY`` in its text format (every type, JSON, arrays and
``tsvector`` included, byte for byte); on SQLite as plain values.

The rows' foreign keys are checked once, when the snapshot is taken, not at the end of
every test that restores them: on PostgreSQL a restore by a superuser (the suite's user)
copies them with ``session_replication_role = replica``, which queues none of the 2,702
deferred foreign-key checks a restore otherwise leaves for the test's end (50-65 ms of the
server's wall per test at load 20-30, and again at each test of a ``setUpTestData`` class;
see docs/PERFORMANCE.md, helper suitepgsrv70). Rows the test adds afterwards are checked
as usual.
"""

import copy
import shutil
import tempfile
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from papers.site import trigrams


class _RollBack(Exception):
    """Raised to leave the snapshot's transaction without keeping anything."""


def _tables():
    # SQLite's trigram indexes follow the rows restored into their tables (triggers).
    names = connection.introspection.table_names(include_views=False)
    return sorted(name for name in names if not trigrams.is_index_table(name))


def _read(table):
    """The rows of ``table``: COPY text lines on PostgreSQL (columns ``None``), value tuples
    on SQLite."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
                data = b"".join(bytes(block) for block in copy)
            return None, data.splitlines(keepends=True)
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a table name we listed
        return [column[0] for column in cursor.description], cursor.fetchall()


def _without_foreign_key_checks(cursor):
    """Make the rows inserted next in this transaction skip their foreign-key checks, where
    the user may (a PostgreSQL superuser); whether it did. The caller sets the role back."""
    if connection.vendor != "postgresql":
        return False  # SQLite checks deferred keys with one PRAGMA at the test's end
    cursor.execute("SHOW is_superuser")
    if cursor.fetchone()[0] != "on":
        return False
    # Replica mode fires no triggers; the schema's only triggers are the foreign keys'.
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def _counts(tables):
    """``{table: its number of rows}``, in one statement (a restore checks ~60 tables:
    one round trip each was 60 statements per test that loads the demo)."""
    tables = list(tables)
    if not tables:
        return {}
    quote = connection.ops.quote_name
    # Table names we listed, not input.
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _added(table, before, after, what="manage.py demo"):
    """The rows of ``after`` that ``before`` lacks, as many times as they were added."""
    old, new = Counter(before), Counter(after)
    if old - new:  # the snapshot holds added rows only: say so rather than restore less
        raise AssertionError(f"{what} changed or deleted rows already in {table}")
    return [row for row, count in (new - old).items() for _ in range(count)]


def _insert(rows):
    """Insert ``rows`` (``{table: (columns, values)}`` as ``_read`` gives them) into the
    current transaction, and move the tables' sequences past them."""
    # Foreign keys are checked at commit (Django makes them deferrable), so the tables'
    # order does not matter.
    with transaction.atomic(), connection.cursor() as cursor:
        unchecked = _without_foreign_key_checks(cursor)
        for table, (columns, values) in rows.items():
            quoted = connection.ops.quote_name(table)
            if columns is None:
                with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                    copy.write(b"".join(values))
            else:
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quoted} ({names}) VALUES ({marks})",  # noqa: S608
                    values,
                )
        if unchecked:
            cursor.execute("SET LOCAL session_replication_role = origin")
        # New rows after these get the next ids, as after the command itself.
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in rows
        ]
        resets = connection.ops.sequence_reset_sql(no_style(), models)
        if resets and connection.vendor == "postgresql":
            # One round trip for the ~30 sequences (statements without parameters
            # may share one execute on PostgreSQL).
            resets = ["\n".join(resets)]
        for sql in resets:
            cursor.execute(sql)


class DemoSnapshot:
    last = None  # the one taken in this process: for setUpTestData, which has no fixtures

    def __init__(self, output, rows, media, clean):
        self.output = output  # what the command printed
        self.rows = rows  # {table: rows the command added}
        self.media = media  # the files it wrote
        self.clean = clean  # {table: its number of rows before the command}

    @classmethod
    def take(cls, media):
        """Run ``manage.py demo`` on the (clean) test database, keep what it added, undo it."""
        before = {table: _read(table) for table in _tables()}
        out = StringIO()
        try:
            with override_settings(MEDIA_ROOT=media), transaction.atomic():
                call_command("demo", stdout=out)
                # The foreign keys of what the command added, checked here once: restore()
                # copies these rows without checking them again (PostgreSQL).
                connection.check_constraints()
                after = {table: _read(table) for table in _tables()}
                raise _RollBack
        except _RollBack:
            pass
        cache.clear()  # the command's content-version bump is not the next test's
        rows = {}
        for table, (columns, now) in after.items():
            added = _added(table, before.get(table, (None, []))[1], now)
            if added:
                rows[table] = columns, added
        clean = {table: len(values) for table, (_, values) in before.items()}
        cls.last = cls(out.getvalue(), rows, Path(media), clean)
        return cls.last

    def restore(self, media_root):
        """Put the demo's rows into the current database and its files under ``media_root``.

        The database must be as clean as the snapshot's: on top of other rows the command
        would have done something else (reused a paper, numbered sessions after others),
        and copied ids could collide. A fixture that adds rows comes after this one.
        """
        counts = _counts(self.clean)
        if counts != self.clean:
            added = sorted(table for table in counts if counts[table] != self.clean[table])
            raise AssertionError(f"the demo state goes into a clean database; rows in {added}")
        _insert(self.rows)
        shutil.copytree(self.media, media_root, dirs_exist_ok=True)
        return self.output


class FixtureRows:
    """A test fixture's rows (a module's ``shelf`` of papers, reports and sessions), made by
    its factories once per test process and put back for each test that asks for it, as
    ``DemoSnapshot`` does for the demo (same reading, same restore).

    Factories save row by row, each save with its signals (search document, counts, kept
    pages, queued jobs): ~0.1 s of CPU for a shelf of eight, paid again by each of the
    dozens of tests of a module (docs/PERFORMANCE.md, helper suiteown92). ``take()`` runs
    ``build`` once on the clean database inside a transaction it rolls back, keeping the
    rows it added and the objects it returned; ``restore()`` inserts the rows into the
    test's transaction and returns a deep copy of those objects (each test may change its
    own, as ``TestCase.setUpTestData``'s are copied), which hold the same primary keys.

    Where that would not give the state ``build`` gives, the test runs ``build`` itself,
    as before: when the database is not as clean as it was at ``take()`` (a fixture of the
    test added rows first: copied ids could collide, and ``build`` on top of other rows may
    do something else), when ``build`` changed rows that were there or wrote files.
    """

    def __init__(self, build):
        self.build = build
        self.taken = False
        self.rows = self.value = self.clean = None

    def take(self):
        """Run ``build`` on the (clean) database, keep what it added and returned, undo it."""
        self.taken = True
        before = {table: _read(table) for table in _tables()}
        with tempfile.TemporaryDirectory() as media:
            try:
                with override_settings(MEDIA_ROOT=media), transaction.atomic():
                    value = self.build()
                    connection.check_constraints()  # checked once here, as the demo's
                    after = {table: _read(table) for table in _tables()}
                    raise _RollBack
            except _RollBack:
                pass
            wrote_files = any(Path(media).iterdir())
        cache.clear()  # what build's saves cached is not the next test's
        try:
            rows = {}
            for table, (columns, now) in after.items():
                added = _added(table, before.get(table, (None, []))[1], now, what="build")
                if added:
                    rows[table] = columns, added
        except AssertionError:
            return  # build changed rows already there: each test runs it
        if wrote_files:
            return
        self.rows, self.value = rows, value
        self.clean = {table: len(values) for table, (_, values) in before.items()}

    def restore(self):
        """``build()``'s rows in the test's transaction; a copy of what it returned."""
        if self.rows is None or _counts(self.clean) != self.clean:
            return self.build()
        _insert(self.rows)
        return copy.deepcopy(self.value)


def fixture_rows(build):
    """``(_kept_rows, fixture)``: a test module's fixture whose value is ``build()``, its
    rows made once per test process (``FixtureRows``). Bound in the module as
    ``_kept_rows, shelf = fixture_rows(make_shelf)``: the session-scoped ``_kept_rows``
    runs before the test's transaction opens, on the clean database (one per module)."""
    rows = FixtureRows(build)

    @pytest.fixture(scope="session")
    def _kept_rows(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            rows.take()
        return rows

    @pytest.fixture
    def fixture(db, _kept_rows):
        return _kept_rows.restore()

    return _kept_rows, fixture
