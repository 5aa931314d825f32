"""Fixtures shared by the whole suite: users, a clean media folder, database checks."""

import hashlib
import os
import sys
import tempfile
import unittest
from pathlib import Path

import pytest
from django.db import connection

from tests import database_template
from tests.login import log_in


@pytest.fixture(scope="session")
def _media_folders(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, _media_folders):
    """Each test writes uploads to its own new folder, so tests can check what was stored.
    Not under ``tmp_path``: pytest numbers each one by listing every earlier test's folder
    and re-points a symlink, ~1 ms of CPU and ~3 ms of wall per test, for every test; one
    ``mkdtemp`` is 0.06 ms. Kept, as ``tmp_path`` is, under this run's pytest folder."""
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="media-", dir=_media_folders))
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages cached by another test are not its data,
    nor are the slides checker's remembered verdicts (a test may make the checker fail)."""
    from django.core.cache import cache

    from readinggroup import pdf

    cache.clear()
    with pdf._verdicts_lock:
        pdf._verdicts.clear()


@pytest.fixture(scope="session", autouse=True)
def _slides_checker_verdicts():
    """The slides checker's verdicts, kept for this test process: its answer for a file.

    The checker (readinggroup/pdf.py) starts a fresh, bounded interpreter per file, ~0.2 s
    of CPU, and ``_empty_cache`` forgets the site's own few verdicts before each test; the
    tests that upload the same drawn deck (tests/readinggroup/pdfs.py) started ~15 checkers
    for one file in tests/readinggroup alone. A verdict depends on the file, the checker's
    limits, its timeout and its program, all in the key, so a test that changes one runs it
    afresh; only what the site itself remembers is kept (a cover, or a refusal for what the
    file holds, not running out of time or memory). A test that replaces
    ``subprocess.run`` gets no kept verdict. The dictionary is the value, for the tests of
    this (tests/config/test_slides_verdicts_kept.py)."""
    from readinggroup import pdf

    verdict, run = pdf._verdict, pdf.subprocess.run
    kept = {}

    def remembered(data, timeout=None):
        if pdf.subprocess.run is not run:
            return verdict(data, timeout)
        key = (
            hashlib.sha256(data).digest(),
            timeout or pdf.CHECK_TIMEOUT_SECONDS,
            pdf.CHECK_CPU_SECONDS,
            pdf.CHECK_MEMORY_BYTES,
            str(pdf.WORKER),
            sys.executable,
        )
        if key not in kept:  # the verdict as the site remembers it (pdf._verdict)
            kept[key] = verdict(data, timeout)
        return kept[key]

    pdf._verdict = remembered
    yield kept
    pdf._verdict = verdict


@pytest.fixture
def staff_user(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    return user


@pytest.fixture
def editor_user(django_user_model):
    """Staff with the permissions to add and change papers (and so to use the editor)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("writer", password="pw-writer-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="papers", codename__in=["add_paper", "change_paper"]
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor_user):
    log_in(client, editor_user)
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")


@pytest.fixture
def admin_client(client, superuser):
    log_in(client, superuser)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    log_in(client, staff_user)
    return client


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """``manage.py demo`` run once in this test process, on the clean test database, and
    undone: its rows, files and output (tests/demo_state.py)."""
    from tests.demo_state import DemoSnapshot

    with django_db_blocker.unblock():
        return DemoSnapshot.take(tmp_path_factory.mktemp("demo-media"))


@pytest.fixture
def demo_loaded(db, demo_snapshot, _media_root):
    """The database and media folder as a fresh ``manage.py demo`` leaves them; the value is
    what the command printed. Seconds cheaper than running it (see tests/demo_state.py)."""
    return demo_snapshot.restore(_media_root)


def pytest_configure(config):
    database_template.start(config)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_keepdb, django_db_modify_db_settings, django_db_blocker):
    """In a parallel run, this worker's database is a migrated copy (tests/database_template.py):
    pytest-django opens it as ``--reuse-db`` does, and it is dropped here at the end, as
    pytest-django drops the ones it makes."""
    name = connection.creation._get_test_db_name()
    if django_db_keepdb or not database_template.copy_for_this_worker(name):
        return django_db_keepdb

    def drop():
        with django_db_blocker.unblock():
            connection.close()
            if connection.vendor == "sqlite":
                os.remove(name)
                return
            # By name: a worker whose tests need no database never switched to it. FORCE: a
            # connection a test left open (a thread's, a killed process's) would otherwise
            # keep it; a failure is a warning, as in pytest-django's own teardown.
            try:
                with connection._nodb_cursor() as cursor:
                    quoted = connection.ops.quote_name(name)
                    cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            except Exception as error:  # noqa: BLE001
                request.node.warn(pytest.PytestWarning(f"could not drop {name}: {error!r}"))

    request.addfinalizer(drop)  # after django_db_setup's teardown, which keeps it
    return True


def pytest_report_header(config):
    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    return f"papershelf database: {vendor}"


@pytest.fixture(scope="session", autouse=True)
def _require_postgres(django_db_setup, django_db_blocker):
    """With REQUIRE_POSTGRES=1 (CI), a run that silently fell back to SQLite fails."""
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "REQUIRE_POSTGRES=1 but not on PostgreSQL"


# --- browser tests -------------------------------------------------------------------
# Playwright drives Debian's Chromium; no browser is ever downloaded.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# For Playwright's browser only (Lighthouse's keeps Chrome's usual process model): fewer
# processes doing the same work, cheaper on the suite's two cores. The GPU "process" only
# composites in software here (--disable-gpu); in the browser process it costs no IPC.
# Cross-origin frames (an embedded video, the PDF viewer) share their page's renderer:
# each frame still gets its origin's policy. Nothing here reads the accessibility tree
# Chromium builds for assistive technology (axe and get_by_role compute their own).
# The public walk: Chromium 45.7 -> 39.7 s of CPU on SQLite, 40.3 -> 37.7 s on PostgreSQL.
PLAYWRIGHT_CHROMIUM_FLAGS = [
    "--in-process-gpu",
    "--disable-site-isolation-trials",
    "--disable-renderer-accessibility",
]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    _refuse_duplicate_ids(items)
    _keep_shared_setups_on_one_worker(items)
    _skip_browser_tests_without_chromium(items)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker sends the ids to schedule
def pytest_collection_finish(session):
    """Make ``--dist loadgroup`` see the groups. pytest-xdist 3.8 marks a grouped test by
    setting ``item._nodeid`` to "<id>@<group>", which pytest 9 no longer reads (the id
    lives in ``item._id``): without this, every group is ignored and tests sharing a setup
    are spread over the workers, each making the setup again."""
    from _pytest.nodeid import NodeId

    for item in session.items:
        grouped = item.__dict__.get("_nodeid")
        if grouped and grouped != item.nodeid:
            item._id = NodeId.parse(grouped)


def _refuse_duplicate_ids(items):
    """Two items with one id would be one test to pytest-xdist (it schedules by id): the
    other would silently never run in ``make test``."""
    seen, duplicates = set(), set()
    for item in items:
        (duplicates if item.nodeid in seen else seen).add(item.nodeid)
    if duplicates:
        raise pytest.UsageError(f"tests sharing an id (only one would run): {sorted(duplicates)}")


def _keep_shared_setups_on_one_worker(items):
    """``make test`` spreads tests one by one over the workers (``--dist loadgroup``), for
    balance: one long module no longer holds up a worker at the end. Tests that share an
    expensive setup stay together, so it is made once: a module's module- and
    session-scoped fixtures (servers, clusters, archives), a class's class-scoped ones and
    ``setUpTestData``. A group a test names itself (an ``xdist_group`` mark: a setup shared
    across modules, such as the production stack) is kept.
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        info = getattr(item, "_fixtureinfo", None)
        # Fixtures of test modules only: the plugins' (pytest-django's class-scoped no-op
        # for every test) and this file's cost nothing worth grouping for.
        scopes = {
            fixturedef.scope
            for fixturedefs in (info.name2fixturedefs.values() if info else ())
            for fixturedef in fixturedefs
            if ".py" in fixturedef.baseid
        }
        cls = getattr(item, "cls", None)
        if "class" in scopes or (cls is not None and issubclass(cls, unittest.TestCase)):
            group = item.nodeid.rsplit("::", 1)[0]
        elif scopes & {"module", "package", "session"}:
            group = item.nodeid.split("::", 1)[0]
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))


def _skip_browser_tests_without_chromium(items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium"
        )
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*CHROMIUM_FLAGS, *PLAYWRIGHT_CHROMIUM_FLAGS],
    }


@pytest.fixture(scope="session")
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread, and Django refuses ORM
    calls from a thread with a running loop. The test's own ORM calls (and the database
    flush after it) are still synchronous, so the check is lifted once browser tests run.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def site(_allow_orm_beside_playwright, live_server, page):
    """A Playwright page and the live server's base URL, for browser tests."""
    page.set_default_timeout(10_000)
    return page, live_server.url


@pytest.fixture(scope="session", autouse=True)
def _fork_server():
    """The fork server (tests/forkserver.py) a test may have started ends with the run: its
    CPU, and its children's, is counted in the run's own."""
    from tests import forkserver

    yield
    forkserver.close_shared()


@pytest.fixture
def real_worker(tmp_path):
    """Start a real job worker process (tests/jobs_worker.py); it is stopped afterwards."""
    from tests.jobs_worker import RealWorker

    workers = []

    def start(**kwargs):
        worker = RealWorker(tmp_path, **kwargs).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
