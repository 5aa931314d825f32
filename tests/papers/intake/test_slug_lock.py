"""The slug lock (``papers.intake.slugs.hold_slug_lock``) is asked for once per
transaction, and again where PostgreSQL has let it go: after the rollback of the
savepoint it was taken in. Another connection tells whether the lock is held."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from papers.intake.slugs import SLUG_LOCK_KEY
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def _lock_requests(add):
    """How many times ``add()`` (saves of rows with slugs) asked for the lock."""
    with CaptureQueriesContext(connection) as queries:
        add()
    return sum("pg_try_advisory_xact_lock" in q["sql"] for q in queries.captured_queries)


def _free_for_another_connection():
    """Whether another session can take the lock now (it lets it go at once)."""
    if connection.vendor != "postgresql":
        return None
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SLUG_LOCK_KEY])
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SLUG_LOCK_KEY])
        return free
    finally:
        other.close()


def _saved_in_a_rolled_back_savepoint():
    try:
        with transaction.atomic():
            AuthorFactory()
            raise _RolledBack
    except _RolledBack:
        pass


def test_the_slug_lock_is_asked_for_once_per_transaction_and_again_after_its_savepoint_rollback():
    postgresql = connection.vendor == "postgresql"
    asked_once = 1 if postgresql else 0  # SQLite has one writer at a time: no lock
    # Taken in a savepoint that is rolled back: PostgreSQL lets it go.
    assert _lock_requests(_saved_in_a_rolled_back_savepoint) == asked_once
    assert _free_for_another_connection() in (True, None)
    # So the next save asks again; then the transaction holds it.
    assert _lock_requests(AuthorFactory) == asked_once
    assert _free_for_another_connection() in (False, None)
    assert _lock_requests(lambda: (AuthorFactory(), AuthorFactory())) == 0

    def in_a_released_savepoint():
        with transaction.atomic():
            AuthorFactory()

    # Held from the enclosing transaction: a savepoint released (or not) keeps it.
    assert _lock_requests(in_a_released_savepoint) == 0
    assert _free_for_another_connection() in (False, None)
