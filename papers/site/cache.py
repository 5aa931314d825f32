"""Caches for the public pages, all invalidated at once by a "content version".

Any save or delete of a watched model (papers, authors, tags and their links; other apps
call ``watch()`` for theirs) replaces the version, so every cached page and count is a
miss on the next request: a change is visible at once, with no per-key bookkeeping. So
does a scheduled moment passing (``schedule()``). Old entries expire on their own
(``TIMEOUT``). Two refinements: the site-wide counts have a version of their own, moved
only by what they count (``watch_counts()``), and a stored page of an older version is
served to other visitors while one rebuilds it (``PageCacheMiddleware``).

The version is also the pages' ``ETag`` and ``Last-Modified``: a browser coming back
gets a 304 for the price of one cache read.

The cache is bounded: every entry has a TTL, and a stored page's key holds only what
decides its content (scheme, host, path and the query parameters of ``QUERY_PARAMETERS``,
sorted), so ``?utm_source=…`` or a random cache-buster cannot fill Redis with copies.
Production Redis also runs with ``maxmemory`` and ``maxmemory-policy allkeys-lru``
(README, "Production checklist"): when full, it drops the least recently used entries.
"""

import contextvars
import datetime
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import partial, wraps
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions import middleware as sessions
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

logger = logging.getLogger(__name__)

VERSION_KEY = "papershelf:content-version"
TIMEOUT = 6 * 60 * 60
# The version has a TTL too (no entry lives for ever): when it expires, the next request
# starts a new one, which only costs one re-render of each page.
VERSION_TIMEOUT = 30 * 24 * 60 * 60
# Responses larger than this are not worth a cache entry (none of ours come close).
MAX_CACHED_BYTES = 1024 * 1024


def _new_version():
    # Nanoseconds since the epoch: unique, and it doubles as the Last-Modified date.
    return str(time.time_ns())


def _stored_version():
    # Through the backend, never around it: with Redis down this is a miss at once
    # (config/resilient_cache.py keeps one redis-py client, so the read stays cheap).
    return cache.get(VERSION_KEY)


# Some pages change with the clock, not with a save: a report scheduled for later appears,
# a session that has ended moves from "next" to "past". Apps name those moments
# (``schedule()``); the version moves on to the first of them after it once that moment
# has come, and not otherwise: a site where nothing is scheduled keeps its pages until a
# save. A version is a time (ns), so "the first moment after it" depends only on the rows
# it was made for, and is looked up once per version (in-process, then the shared cache).
_schedules = []
_due = {}


def schedule(rows, field):
    """Pages change when the ``field`` moment of one of ``rows()`` (a queryset) passes."""
    global _scheduled_models
    _schedules.append((rows, field))
    _scheduled_models = None  # their models are named again (``_due_known_in_transaction``)


def _moment(version):
    seconds, ns = divmod(version, 1_000_000_000)
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(microsecond=ns // 1000)


def _known_due(version):
    """The first scheduled moment after ``version`` if already known (no database), or None."""
    due = _due.get(version)
    if due is None:
        due = cache.get(f"papershelf:{version}:due")
        if due is not None:
            _remember_due(version, due)
    return due


def _remember_due(version, due):
    if len(_due) > 1000:
        _due.clear()
    _due[version] = due


def _due_after(version, *, shared=True):
    """The first scheduled moment later than ``version`` (ns), or 0 for none.

    ``shared=False``: the shared cache is not asked first (this request has just found
    the moment missing there: ``settle_schedule``); the in-process copy still is."""
    due = _known_due(version) if shared else _due.get(version)
    if due is None:
        after = _moment(version)
        try:
            moments = [
                rows().filter(**{f"{field}__gt": after}).aggregate(first=Min(field))["first"]
                for rows, field in _schedules
            ]
        except Exception as error:  # noqa: BLE001 - any failure to read: see below
            # No database to ask (down, or a process that has none, such as a cache
            # coming back): nothing is known to be due, and nothing is remembered, so
            # the next request asks again. Pages need the database anyway.
            logger.warning("Scheduled moments unknown for now: %s", error)
            return 0
        first = min((m for m in moments if m is not None), default=None)
        due = 0 if first is None else int(first.timestamp()) * 10**9 + first.microsecond * 1000
        # As long as the version itself: nobody has to ask again while it is current.
        cache.set(f"papershelf:{version}:due", due, VERSION_TIMEOUT)
        _remember_due(version, due)
    return due


# The request a public page is being rendered for (``public_page``), for the code it runs
# that is not handed the request: a feed's ``title()`` and ``author_name()`` ask for the
# site's name (``papers.identity.current()``), each a read of the content version from the
# shared cache (3 of a tag feed's 8 round trips on a miss). They read the version this
# request has read instead, as the code handed the request does.
_rendering = contextvars.ContextVar("papershelf_rendering", default=None)


def content_version(request=None, *, lookup=True):
    """The current content version (one cache read, remembered on ``request``; without
    one, on the request of the public page being rendered, if any: ``public_page``).

    ``lookup=False`` (the page cache, before it knows whether the request needs the
    database): a scheduled moment not known yet is not looked up; the request is marked
    (``_papershelf_due_unknown``) so that the middleware asks only where the answer can
    help (``settle_schedule``).
    """
    if request is None:
        request = _rendering.get()
    if request is not None and hasattr(request, "_content_version"):
        return request._content_version
    version = _stored_version()
    made = version is None
    if made:
        version = _new_version()
        # add(): of two processes starting at once, both end up with the first one's value.
        if not cache.add(VERSION_KEY, version, timeout=VERSION_TIMEOUT):
            version = cache.get(VERSION_KEY) or version
            made = False
    version, unknown = int(version), False
    # A version made just now has nothing due yet: a moment after it is after now.
    if not made:
        version, unknown = _moved_on(version, lookup=lookup)
    version = str(version)
    if request is not None:
        request._content_version = version
        request._papershelf_due_unknown = unknown
    return version


def _moved_on(version, *, lookup, shared=True):
    """``version`` moved on to the last scheduled moment after it that has come, and
    whether the moment after that one is unknown (``lookup=False``: only what is known
    is used, the database is not asked). ``shared``: as for ``_due_after``, for the
    first version only."""
    now = time.time_ns()
    while True:
        due = _due_after(version, shared=shared) if lookup else _known_due(version)
        shared = True
        if due is None:
            return version, True
        if not 0 < due <= now:
            return version, False
        version = due


def settle_schedule(request, response=None):
    """Look up the scheduled moment the page cache skipped, where it can help.

    Before serving a stored page (no ``response``: its version must account for what
    became visible since): ask now. After a render: only for a page to be stored, whose
    view had the database open (then it costs two indexed reads on that connection). A
    404, an error or a page that needed no database asks nothing, so that with the
    database gone a request waits for one connect timeout at most, not two.
    """
    if not getattr(request, "_papershelf_due_unknown", False):
        return
    if response is not None and not (
        getattr(response, "_papershelf_version", None) and connection.connection is not None
    ):
        return
    request._papershelf_due_unknown = False
    # Resumed from the version the request stopped at: the content version and that
    # version's moment were read from the shared cache a moment ago (the moment missing),
    # so neither is read again, only the database asked (two round trips a settle fewer).
    version, _ = _moved_on(int(request._content_version), lookup=True, shared=False)
    request._content_version = str(version)


def bump_content_version(*, counts=True, cards=False, parts=True, search=None, **kwargs):
    """Invalidate every cached page and count (call after changes that send no signals);
    ``counts=False``: pages only, for a change no site-wide count reads; ``cards=True``:
    the paper cards too (``papers/cards.py``: a change to names or links of many papers).
    The kept parts of pages (``parts_version``) go too, unless ``parts=False`` (the
    receivers of ``watch()``, for the models whose changes those parts follow themselves).
    The kept search results (``SEARCH_KEY``) go with ``search=True``, and by default with
    the cards: documents written through ``papers.site.search`` are followed by them
    (``search_rows_changed``, ``bump_search``)."""
    # A change without signals may be one of scheduled rows: nothing known is reused.
    _transaction_due.known = None
    _bump(counts=counts, cards=cards, parts=parts, search=cards if search is None else search)


def _bump(*, counts, cards, parts, search=False, due=None):
    """A new version (with its scheduled moment: ``due`` if known, else looked up now)."""
    version = _new_version()
    keys = {VERSION_KEY: version, COUNTS_KEY: version} if counts else {VERSION_KEY: version}
    if cards:
        keys[CARDS_KEY] = version
    if parts:
        keys[PARTS_KEY] = version
    if search:
        keys[SEARCH_KEY] = version
    if due is not None and 0 < due <= int(version):
        due = None  # the moment known has passed since: what comes next is not known
    if due is None:
        cache.set_many(keys, timeout=VERSION_TIMEOUT)
        # Its schedule is looked up by the writer, not by the next visitor.
        _due_after(int(version))
        # None if the lookup failed (not remembered, asked again later): nothing to reuse.
        return version, _due.get(int(version))
    keys[f"papershelf:{version}:due"] = due  # as ``_due_after`` stores it
    cache.set_many(keys, timeout=VERSION_TIMEOUT)
    _remember_due(int(version), due)
    return version, due


# One save sends a signal per row it writes (a paper, each author and authorship, its tags
# and links), each moving the version, and each new version's scheduled moment cost two
# queries: 26 of a factory paper's 102. Within one transaction, while no row of a scheduled
# model changes, the first moment after a later version is the one known for an earlier
# one (no moment lies between them unless it has passed: then it is looked up again), so
# the receivers of ``watch()`` reuse it. It is known only for the transaction that looked
# it up, marked by the commit hook registered with it: a rollback (of the transaction or
# of the savepoint the hook belongs to) removes the hook, and nothing is reused after.
# Another process's bump in between (the version read is not ours) is not reused either.
_transaction_due = threading.local()
_scheduled_models = None


def _due_known_in_transaction(sender, using):
    """The scheduled moment of this transaction's last version, if it still holds, else None."""
    global _scheduled_models
    known = getattr(_transaction_due, "known", None)
    _transaction_due.known = None
    if known is None:
        return None
    if _scheduled_models is None:
        _scheduled_models = {rows().model for rows, _ in _schedules}
    if sender in _scheduled_models:
        return None
    index, savepoints, version, due = known
    hooks = connections[using or DEFAULT_DB_ALIAS].run_on_commit
    # A savepoint's rollback copies the hooks it keeps into new tuples: the set of
    # savepoint ids each holds is the same object, made for this hook alone.
    if index >= len(hooks) or hooks[index][0] is not savepoints:
        return None
    return due if cache.get(VERSION_KEY) == version else None


def _remember_due_in_transaction(using, version, due):
    """Remember ``due`` for the transaction whose commit hook was registered last."""
    hooks = connections[using or DEFAULT_DB_ALIAS].run_on_commit
    if due is not None and hooks and hooks[-1][1] is bump_pages:
        _transaction_due.known = (len(hooks) - 1, hooks[-1][0], version, due)


# The site-wide counts (papers per year, tag, venue and author over every published paper)
# cost grouped queries over the whole library, and most saves cannot change them: an edit
# of a title, an abstract, a link or a report. They are kept under a version of their own,
# moved only by the changes ``watch_counts()`` names (and by every explicit bump above).
COUNTS_KEY = "papershelf:counts-version"


# Paper cards are cached per paper and its ``updated_at`` (``papers/cards.py``), not per
# content version; this version only moves when what many cards show changes without
# their papers' rows: a tag, author or venue renamed or deleted, a batch's links, a
# ``bump_content_version(cards=True)``.
CARDS_KEY = "papershelf:cards-version"


# Parts of a page kept across content versions (a paper page's, ``papers/pages.py``): each
# is stored with the ``updated_at`` of its object's row, and this version moves with every
# change of a watched model except those of the models named in ``followed_by_parts()``,
# whose changes the parts' owner handles itself (it drops the parts of the objects
# concerned). Every explicit ``bump_content_version()`` moves it too: code that writes rows
# without signals cannot say what it changed.
PARTS_KEY = "papershelf:parts-version"
_followed_by_parts = set()


# A search's matches and ranks (config/search.py) depend on the stored search documents
# and on which rows are public; ranking a broad word from scratch is ~50 ms of SQL at
# 100,000 papers. They are kept under this version, which moves only when the documents
# of many rows are written at once (``bump_search``: a batch, a reindex, ``search_index``);
# a public row's status or date changes by a save, which rewrites its document. A value
# is kept until the first scheduled moment after it was made, too (a report going
# public: ``cached_value``). A ``bump_content_version()`` leaves it, unless ``cards=True``
# (names or links of many rows changed without signals) or ``search=True``;
# ``bump_everything`` moves it. A paper list's text matches (``?q=``, papers/filters.py) are
# kept under it too: every write of a title, alias or abstract rewrites the row's document.
SEARCH_KEY = "papershelf:search-version"

# The documents of a few rows written (an editor's save, a row deleted) do not move it: the
# rows are logged, each under the next number of one shared counter, and a kept result
# stores the count it was made at; read later, it is brought up to date by matching only
# the rows logged since (``search_changes_since``, config/search.py). The counter is
# moved by ``incr`` (atomic in Redis and in the local-memory cache) and each number is
# its own key, so two writers at once never lose a change. A result older than
# ``MAX_SEARCH_CHANGES`` changes, or missing one of them (expired, or written after its
# number was taken and not yet stored), is made again from scratch.
SEARCH_CHANGES_KEY = "papershelf:search-changes"
MAX_SEARCH_CHANGES = 50


def followed_by_parts(*models):
    """Saves and deletes of ``models`` keep the kept parts: their owner drops what changes."""
    _followed_by_parts.update(models)


# The versions a request may read besides the content version, and where it keeps them.
_VERSIONS = (
    (COUNTS_KEY, "_counts_version"),
    (CARDS_KEY, "_cards_version"),
    (PARTS_KEY, "_parts_version"),
    (SEARCH_KEY, "_search_version"),
    (SEARCH_CHANGES_KEY, "_search_changes"),
)


def _version_of(key, request, attribute):
    version = getattr(request, attribute, None)
    if version is None and request is not None:
        # The first one asked for brings the others not read yet, in one round trip: a
        # list reads the counts and cards versions, a paper page the parts and cards. Read
        # earlier than it is used, a version can only be older than what is made after it
        # and stored under it: never a value older than its key.
        unread = [pair for pair in _VERSIONS if getattr(request, pair[1], None) is None]
        found = cache.get_many([name for name, _ in unread])
        for name, where in unread:
            if found.get(name) is not None:
                setattr(request, where, found[name])
        version = getattr(request, attribute, None)
    if version is None:
        version = cache.get(key)
        if version is None:
            version = _new_version()
            if not cache.add(key, version, timeout=VERSION_TIMEOUT):
                version = cache.get(key) or version
        if request is not None:
            setattr(request, attribute, version)
    return version


def counts_version(request=None):
    """The version of the site-wide counts (one cache read, remembered on ``request``)."""
    return _version_of(COUNTS_KEY, request, "_counts_version")


def cards_version(request=None):
    """The version of the paper cards (one cache read, remembered on ``request``)."""
    return _version_of(CARDS_KEY, request, "_cards_version")


def parts_version(request=None):
    """The version of pages' kept parts (one cache read, remembered on ``request``)."""
    return _version_of(PARTS_KEY, request, "_parts_version")


def search_version(request=None):
    """The version of the kept search results (one cache read, remembered on ``request``)."""
    return _version_of(SEARCH_KEY, request, "_search_version")


def bump_search(using=None):
    """Search documents were written or searchable rows deleted: every kept search result
    is made again when next asked for. Now, so that this transaction (and a test) sees
    the change, and again after the commit, so that a result made from the old rows in
    between is not kept under the new version. Inside ``changes_bumped_at_end()``, once
    at its end."""
    if _batch_changed(counts=False, search=True):
        return
    cache.set(SEARCH_KEY, _new_version(), timeout=VERSION_TIMEOUT)
    if connections[using or DEFAULT_DB_ALIAS].in_atomic_block:
        transaction.on_commit(_bump_search, using=using)


def _bump_search():
    cache.set(SEARCH_KEY, _new_version(), timeout=VERSION_TIMEOUT)


def search_rows_changed(model, pks, using=None):
    """The search documents of the rows ``pks`` of ``model`` were written (or the rows
    deleted): logged for the kept search results to match again (``SEARCH_CHANGES_KEY``),
    now and again after the commit, as ``bump_search`` does. More than
    ``MAX_SEARCH_CHANGES`` rows, or a batch: the search version moves instead."""
    if _batch_changed(counts=False, search=True):
        return
    if len(pks) > MAX_SEARCH_CHANGES:
        bump_search(using)
        return
    rows = (model._meta.label, tuple(pks))
    _log_search_changes(*rows)
    if connections[using or DEFAULT_DB_ALIAS].in_atomic_block:
        # After the commit too: a result made between now and then, from the rows before
        # the change, would otherwise be stored as holding it.
        transaction.on_commit(partial(_log_search_changes, *rows), using=using)


def _log_search_changes(label, pks):
    if not pks:
        return
    for _ in range(2):
        try:
            last = cache.incr(SEARCH_CHANGES_KEY, len(pks))
        except ValueError:  # no counter yet, or evicted
            _start_search_changes()
            continue
        first = last - len(pks) + 1
        cache.set_many({_change_key(first + i): (label, pk) for i, pk in enumerate(pks)}, TIMEOUT)
        return
    _bump_search()  # no counter to be had (the cache is down): nothing kept is reused


def _start_search_changes():
    # From the clock, not from 0: a counter lost and started again never gives a number
    # it gave before, so a result made at an old count sees more than
    # MAX_SEARCH_CHANGES changes since, and is made again.
    cache.add(SEARCH_CHANGES_KEY, time.time_ns(), timeout=VERSION_TIMEOUT)


def _change_key(number):
    return f"papershelf:search-change:{number}"


def search_change_count(request=None):
    """The number of the last search document change logged (read with the versions, in
    the same round trip, and remembered on ``request``); None with the cache down."""
    count = getattr(request, "_search_changes", None)
    if count is None:
        search_version(request)  # reads the count with it, when there is one
        count = getattr(request, "_search_changes", None)
    if count is None:
        count = cache.get(SEARCH_CHANGES_KEY)
        if count is None:
            _start_search_changes()
            count = cache.get(SEARCH_CHANGES_KEY)
        if request is not None:
            request._search_changes = count
    return count


def search_changes_since(request, count):
    """``{model label: {pk, …}}``: the rows whose documents changed since ``count`` (one
    cache read of the numbers not read yet by this request), or None when that is not
    known: too many, or one of them not (or no longer) in the cache."""
    now = search_change_count(request)
    if now is None or count is None or not 0 <= now - count <= MAX_SEARCH_CHANGES:
        return None
    seen = request.__dict__.setdefault("_papershelf_search_changes", {}) if request else {}
    unread = [n for n in range(count + 1, now + 1) if n not in seen]
    if unread:
        found = cache.get_many([_change_key(n) for n in unread])
        seen.update((n, found.get(_change_key(n))) for n in unread)
    changed = {}
    for n in range(count + 1, now + 1):
        if seen[n] is None:
            return None
        label, pk = seen[n]
        changed.setdefault(label, set()).add(pk)
    return changed


def parts_and_cards_versions(request=None):
    """The parts and cards versions: one cache read for both (a kept paper page's key)."""
    return parts_version(request), cards_version(request)


def bump_parts():
    """Every kept part of a page is made again when next shown (``PARTS_KEY``)."""
    if _batch_changed(counts=False):  # the batch's bump at its end moves it
        return
    cache.set(PARTS_KEY, _new_version(), timeout=VERSION_TIMEOUT)


def next_moment(request):
    """The first scheduled moment (ns since the epoch) after the current content version,
    0 for none: what is made from the rows now may change with the clock at that moment."""
    return _due_after(int(content_version(request)))


def bump_cards():
    """Every paper card is rendered again when next shown (``papers/cards.py``)."""
    if _batch_changed(counts=False, cards=True):
        return
    cache.set(CARDS_KEY, _new_version(), timeout=VERSION_TIMEOUT)


def bump_everything(**kwargs):
    """Pages, counts and cards: after an outage of the cache, saves made meanwhile could
    not say what they changed (``ON_RECOVERY``)."""
    bump_content_version(cards=True)


def _bump_counts():
    cache.set(COUNTS_KEY, _new_version(), timeout=VERSION_TIMEOUT)


def _counts_changed(sender, instance=None, using=None, created=False, **kwargs):
    # ``counted_changed()`` on the instance says whether a save changed a counted field (a
    # model without it: every save, delete and relink counts).
    changed = getattr(instance, "counted_changed", None)
    if kwargs.get("signal") is post_save and changed is not None:
        counted = changed()  # on a creation too: it remembers the saved values
        if not (counted or created):
            return
    if _batch_changed(counts=True):  # after ``changed()``: it remembers the saved values
        return
    _bump_counts()
    transaction.on_commit(_bump_counts, using=using)


def watch_counts(*models):
    """Move the counts' version when one of ``models`` changes what a count counts.

    A model may define ``counted_changed()``: then a save (not a creation or a delete)
    moves it only when that says a counted field changed.
    """
    for model in models:
        uid = f"papershelf-counts-{model._meta.label}"
        post_save.connect(_counts_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_counts_changed, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(_counts_changed, sender=model, dispatch_uid=f"{uid}-m2m")


def bump_pages():
    """Invalidate every cached page, not the site-wide counts (``watch_counts`` does) nor
    the kept parts of pages (``_changed`` moves those for the models they do not follow)."""
    bump_content_version(counts=False, parts=False)


def _changed(sender, using=None, **kwargs):
    if _batch_changed(counts=False):
        return
    # Bump now, so this request and the tests see the change, and again after the commit,
    # so a page rendered from the old rows in between is not kept under the new version.
    # Outside a transaction the commit hook runs at once: one bump is both.
    in_transaction = connections[using or DEFAULT_DB_ALIAS].in_atomic_block
    if in_transaction:
        known = _due_known_in_transaction(sender, using)
        version, due = _bump(counts=False, cards=False, parts=False, due=known)
    transaction.on_commit(bump_pages, using=using)
    if in_transaction:
        _remember_due_in_transaction(using, version, due)
    if sender not in _followed_by_parts:
        if in_transaction:
            bump_parts()
        transaction.on_commit(bump_parts, using=using)


# A batch (an import, the demo) saves thousands of rows in one transaction; each save
# bumping the version (and looking up its scheduled moment, two queries) cost a
# 5,000-paper import 10,000 bumps and 15 s of CPU. Inside ``changes_bumped_at_end()`` the
# receivers only note that something changed, and the batch bumps once at its end and
# once more after its commit.
_batch = threading.local()


def _batch_changed(*, counts, cards=False, search=False):
    state = getattr(_batch, "state", None)
    if state is None:
        return False
    state["pages"] = True
    state["counts"] = state["counts"] or counts
    state["cards"] = state["cards"] or cards
    state["search"] = state["search"] or search
    return True


def in_batch():
    """Whether the changes being made are inside ``changes_bumped_at_end()``."""
    return getattr(_batch, "state", None) is not None


@contextmanager
def changes_bumped_at_end(using=None):
    """Saves inside bump the content (and counts) version once, at the end."""
    if getattr(_batch, "state", None) is not None:  # nested: the outer batch bumps
        yield
        return
    _batch.state = state = {"pages": False, "counts": False, "cards": False, "search": False}
    try:
        yield
    finally:
        _batch.state = None
        if state["pages"]:
            bump = partial(
                bump_content_version,
                counts=state["counts"],
                cards=state["cards"],
                search=state["cards"] or state["search"],
            )
            bump()
            transaction.on_commit(bump, using=using)


def watch(*models):
    """Bump the content version whenever one of ``models`` is saved, deleted or relinked."""
    for model in models:
        uid = f"papershelf-cache-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(_changed, sender=model, dispatch_uid=f"{uid}-m2m")


def _digest(*parts):
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def rows_digest(rows):
    """A digest of ``rows`` (lists and tuples of plain values, as the database gives
    them), to stand for them among the facts of ``kept_values``: pickled, not ``repr``'d,
    which was 2–6 ms for the 320 KB of a 481-session calendar's rows (pickling: 0.6).
    Equal pickles are equal values, so a digest never stands for other rows; equal rows
    pickled otherwise (shared objects) would only make a value again."""
    return hashlib.blake2b(pickle.dumps(rows, protocol=5), digest_size=16).hexdigest()


_release = None


def release():
    """A digest of the site's templates and code, so a deploy never serves old pages."""
    global _release
    if _release is None:
        base = Path(settings.BASE_DIR)
        roots = [base / "templates"] + [
            Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(base)
        ]
        digest = hashlib.blake2b(digest_size=8)
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.suffix in {".py", ".html", ".txt", ".xml"} and path.is_file():
                    digest.update(str(path.relative_to(base)).encode())
                    digest.update(path.read_bytes())
        _release = digest.hexdigest()
    return _release


def row_key(name, versions, pk):
    """The cache key of the JSON of the row ``pk`` of the API list ``name`` (papers/site/api.py),
    made under ``versions`` (a string: the versions whose moves make every such row again).

    Here, not beside the API: the cards (papers/cards.py) drop rows by this key from every
    process that saves, and a job worker or a command need not import ninja and pydantic."""
    # SITE_URL: every row's ``html_url`` starts with it.
    site = hashlib.blake2b(settings.SITE_URL.encode(), digest_size=4).hexdigest()
    return f"papershelf:api-row:{name}:{versions}:{release()}:{site}:{pk}"


def cached_value(request, name, parts, compute, counts=False, search=False, patch=None):
    """``compute()``, cached under ``name`` and ``parts`` until the content changes (with
    ``counts``: until the site-wide counts change, ``watch_counts()``; with ``search``:
    until the search version moves, ``search_version()``).

    A ``search`` value made before some search documents were written (a few rows,
    ``search_rows_changed``) is given to ``patch(value, changed)`` with
    ``search_changes_since``'s ``changed``: it returns the value as made from the rows
    now, or None to have it made from scratch (as does no ``patch``)."""
    if search:
        version = search_version(request)
        count = search_change_count(request)  # before the rows are read
    else:
        version = counts_version(request) if counts else content_version(request)
    # The release is in the key too: a deploy never unpickles values of the old code.
    key = f"papershelf:{version}:{name}:{release()}:{_digest(*parts)}"
    # Remembered on the request: a list asked for the facet summary (68 KB at 100,000
    # papers) three times per request, each a cache read and an unpickling.
    seen = request.__dict__.setdefault("_papershelf_values", {}) if request is not None else {}
    if key in seen:
        return seen[key]
    value = cache.get(key)
    if search and value is not None:
        made_at, until, value = value
        # Made from the rows public then: out of date once a scheduled moment has passed.
        if 0 < until <= time.time_ns():
            value = None
        elif made_at != count:
            changed = search_changes_since(request, made_at) if patch else None
            value = None if changed is None else patch(value, changed)
            if value is not None:
                # The rows matched again may hold a moment earlier than the one kept.
                until = min((m for m in (until, next_moment(request)) if m), default=0)
                cache.set(key, (count, until, value), TIMEOUT)
    if value is None:
        value = compute()
        # The first scheduled moment after the content version read (usually known already:
        # no query): the rows were read after that version was made, and before it.
        stored = (count, next_moment(request), value) if search else value
        cache.set(key, stored, TIMEOUT)
    seen[key] = value
    return value


def kept_key(name, *facts):
    """The cache key of a value kept under ``facts`` (``kept_values``): no version in it."""
    return f"papershelf:kept:{name}:{release()}:{_digest(*facts)}"


def kept_values(name, facts, make, *, together=False):
    """``[make(one) for one in facts]``, each value kept under a digest of its facts (a
    tuple of what the value is made from).

    For parts of a page that are a function of a few facts read cheaply (an event of the
    calendar, the tag index's table, a feed's entry): whatever changes gives other facts,
    hence another key, so a kept value is never out of date, and it survives the content
    version (a save elsewhere) with no receiver to drop it. Unused entries expire
    (``TIMEOUT``). With ``together``, ``make`` is given the list of the missing facts and
    returns their values in that order (one writer for all of them).
    """
    # ``*one``: the repr of a plain tuple of the values (C), not a named tuple's (Python).
    keys = [kept_key(name, *one) for one in facts]
    found = cache.get_many(keys) if keys else {}
    missing = [(key, one) for key, one in zip(keys, facts, strict=True) if key not in found]
    if together:
        values = make([one for _, one in missing]) if missing else []
    else:
        values = [make(one) for _, one in missing]
    made = {key: value for (key, _), value in zip(missing, values, strict=True)}
    if made:
        cache.set_many(made, TIMEOUT)
        found.update(made)
    return [found[key] for key in keys]


class _LocalPages:
    """A small in-process LRU in front of the shared cache, for the hottest pages.

    Safe without invalidation: its entries hold their content version, compared with the
    one read from the shared cache on every request, so a page is never served after a
    change. It saves a round trip and the transfer of the page on the most frequent
    requests.
    """

    def __init__(self, max_bytes=16 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def set(self, key, value):
        size = len(value[-1])
        if size > self.max_bytes // 8:
            return
        with self.lock:
            self._pop(key)  # an entry of an older version is replaced
            self.entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                self._pop(next(iter(self.entries)))

    def delete(self, key):
        with self.lock:
            self._pop(key)

    def _pop(self, key):
        value = self.entries.pop(key, None)
        if value is not None:
            self.bytes -= len(value[-1])

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.bytes = 0


_local = _LocalPages()


def _is_anonymous(request):
    """No session cookie, or one that holds no session (junk, expired, empty).

    Such a cookie is dropped from the request, so the layers below see the anonymous
    visitor the page is cached for: sending a made-up cookie does not make a visitor
    skip the page cache. A real session read here is kept for ``SessionMiddleware``.
    """
    anonymous = getattr(request, "_papershelf_anonymous", None)
    if anonymous is None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        anonymous = key is None or not _holds_session(request, key)
        request._papershelf_anonymous = anonymous
    return anonymous


def _holds_session(request, key):
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    if not store.keys():  # one primary-key read (none for a malformed key)
        del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return False
    request._papershelf_session = store
    return True


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's, reusing the session the page cache has read: one session query, not two."""

    def process_request(self, request):
        store = getattr(request, "_papershelf_session", None)
        if store is None:
            super().process_request(request)
        else:
            request.session = store


def _cacheable(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= MAX_CACHED_BYTES
        and "private" not in response.get("Cache-Control", "")
    )


def _validators(version):
    """The ``ETag`` and ``Last-Modified`` (seconds) of every public page at ``version``."""
    return quote_etag(f"{version}-{release()}"), int(version) // 1_000_000_000


def _set_validators(response, version):
    etag, last_modified = _validators(version)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _wants_cache(request):
    return request.method in ("GET", "HEAD") and _is_anonymous(request)


# Every query parameter a public page reads, site-wide: the paper, report and session
# lists' filters (papers/filters.py, blog/filters.py), search (config/search.py), tag
# pages (config/tags.py: type, sort), pagination (page; the sitemaps' p; the API's limit
# and offset), the papers list's exports (format, part) and the API's filters (its
# *Query schemas: upcoming). For anonymous visitors any other parameter is dropped before
# the page is looked up or rendered, so the cached page is the one the view would render;
# tests/papers/test_cache_keys.py checks that no form, filter or API schema reads a name
# missing here.
QUERY_PARAMETERS = frozenset(
    {
        "author", "format", "kind", "like", "limit", "offset", "p", "page", "part", "q", "sort",
        "tag", "type", "upcoming", "venue", "year", "year_max", "year_min",
    }
)  # fmt: skip
_QUERY_NAMES = frozenset(name.encode() for name in QUERY_PARAMETERS)


def _canonical_query(request):
    """The raw query string with only the known parameters, sorted by name (bytes).

    Works on the raw ``name=value`` pieces, so a cache hit parses no query string. The
    view is given exactly this string as ``request.GET`` (``public_page``), so the key and
    what the view reads cannot disagree: a name spelt another way (``ta%67=``) is not a
    known name here, and so is not seen by the view either.
    """
    query = getattr(request, "_papershelf_query", None)
    if query is None:
        pieces = [
            piece
            for piece in get_bytes_from_wsgi(request.META, "QUERY_STRING", "").split(b"&")
            if piece.partition(b"=")[0] in _QUERY_NAMES
        ]
        pieces.sort(key=lambda piece: piece.partition(b"=")[0])  # stable: values keep order
        query = request._papershelf_query = b"&".join(pieces)
    return query


def _page_address(request):
    """Scheme, host, path and known parameters (a digest): what a stored page depends on.

    Pages hold no request-dependent address (papers.site.addresses builds every absolute URL from
    SITE_URL); the scheme and host are in the key anyway, so that a page could never be
    served to a visitor of another host even if one did. ``get_host()`` also refuses a
    Host not in ALLOWED_HOSTS (DisallowedHost: the plain 400 page) before the cache is
    read at all.
    """
    return _digest(request.scheme, request.get_host(), request.path, _canonical_query(request))


def mark_stale(request):
    """This request shows something older than the current version (served while it is
    made again off the request): its page is not stored as the current one."""
    if request is not None:
        request._papershelf_stale = True


def public_page(view):
    """Mark ``view`` as a public page: ETag/Last-Modified, 304s, and page caching.

    For anonymous visitors the view sees only the query parameters the page's cache key
    holds (``QUERY_PARAMETERS``); a repeat visit with a current validator is a 304 without
    running the view, and a 200 without cookies is marked for ``PageCacheMiddleware`` to
    store. Signed-in users (staff see admin links) always get a fresh page; errors and
    redirects are never stored.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _wants_cache(request):
            return view(request, *args, **kwargs)
        # The view sees only the parameters the page cache's key holds.
        request.GET = QueryDict(_canonical_query(request), encoding=request.encoding)
        version = content_version(request)
        etag, last_modified = _validators(version)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            rendering = _rendering.set(request)
            try:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response = response.render()  # a TemplateResponse (the sitemap's)
            finally:
                _rendering.reset(rendering)
            if not _cacheable(response) or getattr(request, "_papershelf_stale", False):
                return response
            response._papershelf_version = version
        _set_validators(response, version)
        return response

    return wrapper


# How long one worker may hold a stale page's rebuild before another may try: far above
# any render, so only a crashed worker's lock ever expires.
REBUILD_LOCK_TIMEOUT = 30


class PageCacheMiddleware:
    """Answer anonymous visitors from stored pages, before sessions, CSRF, auth and routing.

    Stores the responses that ``public_page`` marked, with the headers the middleware
    below it added (X-Frame-Options, Vary…) and the content version they were rendered
    at, under ``_page_address``. A hit costs one cache read for the version (the page
    itself is usually in the in-process LRU) and none of the work below this middleware;
    it sits right after SecurityMiddleware and WhiteNoise.

    After a change, the first visitor of a page takes its rebuild lock and gets the new
    page; visitors arriving while it renders get the page of the previous version
    instead of all rendering it at once (stale-while-revalidate, no stampede).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _wants_cache(request):
            return self.get_response(request)
        version = content_version(request, lookup=False)
        key = f"papershelf:page:{release()}:{_page_address(request)}"
        stored = _local.get(key)
        if stored is None or stored[0] != version:
            stored = cache.get(key) or stored
            if stored is not None:
                _local.set(key, stored)
        if stored is not None and request._papershelf_due_unknown:
            settle_schedule(request)
            version = request._content_version
        lock = f"{key}:rebuild"
        # add() is also False with the cache down: then nobody holds the lock, and this
        # request renders (a page kept in this process is not served through an outage).
        locked = (
            stored is not None
            and stored[0] != version
            and (cache.add(lock, 1, REBUILD_LOCK_TIMEOUT) or cache.get(lock) is None)
        )
        if stored is not None and not locked:
            return self._stored_response(request, *stored)
        try:
            response = self.get_response(request)
            # The page was rendered from the rows as they are now, under the version known
            # before; if a scheduled moment has passed meanwhile the next request moves on.
            settle_schedule(request, response)
            # The entry holds the version read before rendering: a save during the render
            # bumps it, so the next visitor rebuilds this page rather than keep it.
            if getattr(response, "_papershelf_version", None) == version and _cacheable(response):
                stored = (version, response.status_code, list(response.items()), response.content)
                cache.set(key, stored, TIMEOUT)
                _local.set(key, stored)
            elif locked:
                cache.delete(key)  # gone, moved or an error now: never serve the old page
                _local.delete(key)
        finally:
            if locked:
                cache.delete(lock)
        return response

    @staticmethod
    def _stored_response(request, version, status, headers, content):
        etag, last_modified = _validators(version)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is not None:
            _set_validators(response, version)
            return response
        response = HttpResponse(content, status=status)
        for header, value in headers:
            response[header] = value
        return response
