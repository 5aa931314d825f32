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

import shutil
from collections import Counter
from io import StringIO
from pathlib import Path

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


def _added(table, before, after):
    """The rows of ``after`` that ``before`` lacks, as many times as they were added."""
    old, new = Counter(before), Counter(after)
    if old - new:  # the snapshot holds added rows only: say so rather than restore less
        raise AssertionError(f"manage.py demo changed or deleted rows already in {table}")
    return [row for row, count in (new - old).items() for _ in range(count)]


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
        # Foreign keys are checked at commit (Django makes them deferrable), so the tables'
        # order does not matter.
        with transaction.atomic(), connection.cursor() as cursor:
            unchecked = _without_foreign_key_checks(cursor)
            for table, (columns, values) in self.rows.items():
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
                if model._meta.db_table in self.rows
            ]
            resets = connection.ops.sequence_reset_sql(no_style(), models)
            if resets and connection.vendor == "postgresql":
                # One round trip for the ~30 sequences (statements without parameters
                # may share one execute on PostgreSQL).
                resets = ["\n".join(resets)]
            for sql in resets:
                cursor.execute(sql)
        shutil.copytree(self.media, media_root, dirs_exist_ok=True)
        return self.output
