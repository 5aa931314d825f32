"""When PostgreSQL is unreachable or slow, the site fails fast, politely, and recovers.

The tests run the production stack (gunicorn, DEBUG off, whitenoise, the real
settings) in a subprocess whose DATABASE_URL points at a port the test controls: a TCP
relay to the local PostgreSQL that the tests cut and restore (one relay and one server
for a module's tests), or a listener that never answers (a server of its own). The real database is never stopped, so other test runs are not disturbed.
"""

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.ports import free_port

# The marker makes pytest-django create the test database that the servers connect to.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5.0  # seconds a failing request may take with the production settings
# The servers here wait 2 s to connect (libpq's minimum) instead of production's 3 s
# (config/settings.py, pinned in test_security.py): a request that waits for one connect
# must then end within LIMIT less the second saved, the same budget for everything else.
CONNECT_TIMEOUT = 2


@pytest.fixture(scope="session")
def postgres(django_db_setup, django_db_blocker):
    """The test database's connection settings; PostgreSQL only (REQUIRE_POSTGRES=1 in CI)."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("database failure tests need PostgreSQL (set DATABASE_URL)")
        return dict(connection.settings_dict)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once per run: production serves hashed files through whitenoise.

    The fault modules import this fixture, so pytest makes it once per module, and they may
    run in either xdist worker; the files are the same for all (same settings, same static
    folder), so the first builds them in the run's shared folder (``popen-gw*``'s parent)
    and the others wait on the lock and read them: 1.4 s of CPU each.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    root = shared / "production-static"
    with open(shared / "production-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        # The manifest is written last: a build that failed half-way is made again.
        if not (root / "staticfiles.json").exists():
            subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", "collectstatic", "--noinput"],
                cwd=ROOT, env=production_env(STATIC_ROOT=str(root)), check=True,
                capture_output=True, timeout=120,
            )  # fmt: skip
    return root


def production_env(**extra):
    dropped = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}
    env.update(
        DEBUG="0",
        DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        SECRET_KEY="database-failure-tests-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="tests.server_settings",
        **extra,
    )
    return env


class Relay:
    """A TCP relay from a local port to PostgreSQL that can be cut and restored."""

    def __init__(self, target):
        self.target, self.port = target, free_port()
        self.listener, self.sockets, self.lock = None, [], threading.Lock()

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        """Close the port and every open connection: the database is gone."""
        if self.listener is None:
            return  # cut already
        # shutdown() wakes the thread blocked in accept(); close() alone would leave the
        # port listening until the next connection arrives.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
            self.sockets.clear()


class Silent:
    """A port that accepts TCP connections and never says a word (a hung database).

    It counts the connections, so a test tells one connect timeout from two.
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = []  # held open and never read: the client waits out its timeout
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return  # closed

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.sock.close()
        for sock in self.accepted:
            sock.close()


class Server:
    """gunicorn serving the site in a subprocess."""

    def __init__(self, env, log, port=None):
        self.port, self.log = port or free_port(), log
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "30", "--graceful-timeout", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

    def get(self, path, timeout=30):
        """(status, body, seconds) of one request."""
        started = time.monotonic()
        try:
            with urllib.request.urlopen(  # noqa: S310 - a local test server
                f"http://127.0.0.1:{self.port}{path}", timeout=timeout
            ) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        return status, body, time.monotonic() - started

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def database_url(settings_dict, port):
    return f"postgres://{settings_dict['USER']}@127.0.0.1:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="module")
def _module_relay(postgres):
    relay = Relay((postgres["HOST"] or "127.0.0.1", int(postgres["PORT"] or 5432)))
    relay.start()
    yield relay
    relay.cut()


@pytest.fixture
def relay(_module_relay):
    """The module's relay, open at the start of each test whatever the last test did."""
    if _module_relay.listener is None:
        _module_relay.start()
    yield _module_relay
    if _module_relay.listener is None:
        _module_relay.start()


@pytest.fixture(scope="module")
def _module_server(_module_relay, postgres, static_root, tmp_path_factory):
    """One gunicorn through the relay for the module's tests: they cut and restore the
    relay, never the server (each asserts it was not restarted), so they can share it; a
    start is ~1.2 s of CPU (the master, the worker's imports of the site)."""
    server = Server(
        production_env(
            DATABASE_URL=database_url(postgres, _module_relay.port),
            STATIC_ROOT=str(static_root),
            DB_STATEMENT_TIMEOUT="1000",
        ),
        tmp_path_factory.mktemp("through") / "gunicorn.log",
    )
    yield server
    server.stop()


@pytest.fixture
def server_through(relay, _module_server):
    start = _module_server.log.stat().st_size
    yield _module_server
    with _module_server.log.open() as log:
        log.seek(start)
        print(log.read())  # this test's part of the log, shown by pytest when it failed


def assert_polite_500(status, body, seconds, limit=LIMIT):
    assert status == 500
    assert seconds < limit, f"the 500 took {seconds:.1f} s"
    assert "Something went wrong" in body
    assert '<link rel="stylesheet" href="/static/css/site.' in body  # the styled page
    for leak in ("Traceback", "psycopg", "OperationalError", "5432", "connection"):
        assert leak not in body


def test_database_down_gives_a_styled_500_and_healthz_503_then_recovers(relay, server_through):
    server = server_through
    assert server.get("/")[0] == 200
    assert server.get("/healthz")[:2] == (200, "status: ok\ndatabase: ok\ncache: ok\n")

    relay.cut()  # the port is closed now: connections are refused
    # A page already in the page cache is still served: it needs no database.
    assert server.get("/")[0] == 200
    # A page that must query fails politely (a page or search not asked before is a cache
    # miss; unknown parameters such as ?after=cut are dropped from the cache key).
    assert_polite_500(*server.get("/search/?q=asked-after-the-cut"))
    assert_polite_500(*server.get("/papers/?q=never-asked-before"))
    status, body, seconds = server.get("/healthz")
    assert status == 503 and "database: unavailable\n" in body and seconds < LIMIT
    # The error page's stylesheet comes from whitenoise, which needs no database.
    stylesheet = server.get("/static/css/site.css")
    assert stylesheet[0] == 200 and "--" in stylesheet[1]

    relay.start()  # the database is back: the same worker reconnects by itself
    assert server.get("/papers/?sort=title")[0] == 200
    assert server.get("/healthz")[:2] == (200, "status: ok\ndatabase: ok\ncache: ok\n")
    assert server.process.poll() is None  # no restart happened


def test_a_query_over_statement_timeout_ends_in_a_500_within_the_limit(server_through):
    server = server_through
    assert server.get("/papers/")[0] == 200  # the worker has loaded everything and connected
    status, body, seconds = server.get("/_test/slow-query/")
    assert status == 500 and "Something went wrong" in body
    # pg_sleep(20) is cancelled by PostgreSQL after the server's 1 s statement_timeout.
    assert 1.0 <= seconds < 2.0, f"took {seconds:.1f} s with a 1 s statement_timeout"
    assert server.get("/papers/")[0] == 200  # the connection is usable afterwards


def test_a_database_that_never_answers_fails_within_one_connect_timeout(
    postgres, static_root, tmp_path
):
    silent = Silent()
    server = Server(
        production_env(
            DATABASE_URL=database_url(postgres, silent.port),
            STATIC_ROOT=str(static_root),
        ),
        tmp_path / "gunicorn.log",
    )
    # What production's longer connect timeout would add to a request that waits once.
    longer = postgres["OPTIONS"]["connect_timeout"] - CONNECT_TIMEOUT
    assert longer >= 0

    def get(path, connects):
        """The request, which opened ``connects`` connections to the database."""
        before = len(silent.accepted)
        status, body, seconds = server.get(path)
        assert len(silent.accepted) - before == connects, path
        return status, body, seconds

    try:
        # A 404 needs no database but for the header's site settings (one wait, then the
        # defaults, not remembered): the worker imports the URLconf, views and templates
        # on the first.
        assert get("/no-such-page/", connects=1)[0] == 404
        status, _, seconds = get("/no-such-page/", connects=1)
        # No scheduled-moment lookup before it.
        assert status == 404 and seconds < LIMIT - longer
        status, body, seconds = get("/papers/", connects=1)
        # Only the view waits for the database (one connect timeout), then the polite 500:
        # the page cache's scheduled-moment lookup waits for a render that used it.
        assert_polite_500(status, body, seconds, limit=LIMIT - longer)
        # It did wait for connect_timeout, not fail at once (2.5 s of 3 before).
        assert seconds >= CONNECT_TIMEOUT - 0.5
        status, body, seconds = get("/healthz", connects=1)
        assert status == 503 and seconds < LIMIT - longer  # one wait, as above
    finally:
        server.stop()
        silent.close()
