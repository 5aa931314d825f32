"""Choosing unique slugs: the one rule (:func:`free_slug`), for one row
(``papers.models.unique_slug``) or a batch of new rows without one query per row
(:class:`SlugAllocator`); the lock on new slugs."""

import time

from django.db import connections, router
from django.utils.text import slugify

# The key of the PostgreSQL advisory lock held by whatever picks new slugs (any constant
# no other code uses).
SLUG_LOCK_KEY = 0x5AB_5106
LOCK_POLL_SECONDS = 0.05


def hold_slug_lock(model):
    """Wait for, then hold until this transaction ends, the site-wide lock on new slugs.

    A slug is chosen by reading which ones are taken; a concurrent transaction's new rows
    are invisible until it commits, so two imports (or an import and an editor adding a
    paper) would pick the same slug and one would end in an IntegrityError. Holding this
    lock from the choice to the commit serialises them: the second waits, then sees the
    first's rows. Imports take it before looking for duplicates too (``PaperWriter.prime``),
    so two imports of the same file keep one copy of each paper.

    PostgreSQL only (a transaction-level advisory lock); outside a transaction it would
    be released at once, so it is not taken there. SQLite lets one writer at a time anyway.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    if _held(connection):
        return
    with connection.cursor() as cursor:
        # Asked for again and again rather than waited for in one statement: a long
        # import ahead (1,000 entries take tens of seconds) would make that statement
        # outlast statement_timeout and be cancelled as a runaway query.
        while True:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SLUG_LOCK_KEY])
            if cursor.fetchone()[0]:
                break
            time.sleep(LOCK_POLL_SECONDS)
    connection._papershelf_slug_lock = connection.run_on_commit


def _held(connection):
    """Whether this transaction already holds the lock (taken by an earlier save in it).

    A transaction saving a paper with its authors and venue asked for it once per row (a
    round trip each: 4 of a factory paper's 49 queries). The lock lasts until the
    transaction ends, or until the savepoint it was taken in is rolled back. Django
    replaces ``connection.run_on_commit`` with a new list exactly then (a commit, a
    rollback, a savepoint's rollback; a savepoint's release keeps it, as PostgreSQL keeps
    the lock): while the list recorded with the lock is still the connection's, the lock
    is held. Any savepoint rolled back since, even one after the lock, asks again.
    """
    return getattr(connection, "_papershelf_slug_lock", None) is connection.run_on_commit


def free_slug(text, fallback, max_length, taken, *, base=None):
    """The slug of ``text`` (``fallback`` if it has none) that ``taken(slug)`` says is free:
    ``-2``, ``-3``… on clashes, cut to ``max_length``. A slug made only of digits gets a
    suffix so it can never be mistaken for a year URL.

    ``base``: the slug to start from, for a model that slugifies its own way (tags spell
    out "C++" and have no year URLs: papers/tagging.py); the clashes are numbered alike."""
    if base is None:
        base = slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback
        if base.isdigit():
            base = f"{base}-{fallback}"
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


class SlugAllocator:
    """``unique_slug()`` (papers.models) for many rows: the taken slugs are read once.

    Only valid inside the import's transaction, which holds the slug lock from the first
    allocation on, so no one else adds rows meanwhile; the unique index still guards
    against anything this misses.
    """

    def __init__(self, model, fallback, max_length=80):
        self.model = model
        self.fallback = fallback
        self.max_length = max_length
        self._taken = None

    def allocate(self, text):
        if self._taken is None:
            hold_slug_lock(self.model)
            self._taken = set(self.model._default_manager.values_list("slug", flat=True))
        slug = free_slug(text, self.fallback, self.max_length, self._taken.__contains__)
        self._taken.add(slug)
        return slug
