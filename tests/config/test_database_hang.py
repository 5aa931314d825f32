"""A PostgreSQL that hangs fails requests fast, and the site recovers when it resumes.

The database is a cluster of the test's own (tests/config/postgres_cluster.py) frozen
with SIGSTOP, postmaster and backends: on loopback the kernel still accepts connections
and acknowledges data and keepalives, so only the client-side deadline of
config/postgresql notices. The site runs as in production (gunicorn, DEBUG off).
"""

import subprocess
import time

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from tests.config.postgres_cluster import Cluster, program
from tests.config.test_database_failures import (  # noqa: F401 - postgres, static_root: fixtures
    CONNECT_TIMEOUT,
    LIMIT,
    Server,
    assert_polite_500,
    database_url,
    postgres,
    production_env,
    static_root,
)
from tests.ports import free_port

# The site's database here is the cluster's, not the suite's: running it again in the
# SQLite pass would prove nothing new.
if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    pytest.skip("runs in the PostgreSQL pass of the suite", allow_module_level=True)

# The mark makes pytest-django create (and migrate) the suite's test database, copied
# into the cluster below.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(free_port()).start()
    cluster.create_database("papershelf")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def site_database(cluster, postgres):  # noqa: F811 - the imported fixture
    """The site's tables in the cluster: a copy of the suite's migrated test database
    (pg_dump | psql takes a second; running the migrations again takes ten)."""
    source = database_url(postgres, postgres["PORT"] or 5432)
    url = cluster.url("papershelf")
    dump = subprocess.run(  # noqa: S603
        [program("pg_dump"), "--no-owner", "--no-privileges", "--dbname", source],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        [program("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", url],
        input=dump.stdout, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return url


@pytest.fixture
def server(site_database, static_root, tmp_path):  # noqa: F811 - the imported fixture
    server = Server(
        production_env(DATABASE_URL=site_database, STATIC_ROOT=str(static_root)),
        tmp_path / "gunicorn.log",
    )
    yield server
    server.stop()
    print(server.log.read_text())  # shown by pytest when the test failed


def test_a_frozen_database_fails_requests_fast_then_the_site_recovers(
    cluster,
    server,
    postgres,  # noqa: F811 - the imported fixture
):
    assert server.get("/papers/")[0] == 200  # the worker holds an open connection now
    assert server.get("/healthz")[0] == 200
    # The server waits CONNECT_TIMEOUT to connect; production's wait is this much longer,
    # so each request must end this much sooner than LIMIT (each connects once).
    longer = postgres["OPTIONS"]["connect_timeout"] - CONNECT_TIMEOUT

    cluster.freeze()
    try:
        # A query string the page cache has never seen: the view must query.
        page = server.get("/papers/?q=frozen", timeout=10)
        health = server.get("/healthz", timeout=10)  # a new connection: connect_timeout
        print(f"frozen: page {page[2]:.2f} s, healthz {health[2]:.2f} s")
        assert_polite_500(*page, limit=LIMIT - longer)
        assert health[0] == 503 and "database: unavailable\n" in health[1]
        assert health[2] < LIMIT - longer, f"/healthz took {health[2]:.1f} s"
    finally:
        cluster.thaw()

    # The same worker, without a restart, reconnects.
    assert server.get("/papers/?q=thawed")[0] == 200
    assert server.get("/healthz")[:2] == (200, "status: ok\ndatabase: ok\ncache: ok\n")
    assert server.process.poll() is None


def test_a_query_on_an_open_connection_gives_up_at_the_deadline(
    site_database, cluster, django_db_blocker
):
    """The deadline itself, without the health check: the server freezes mid-request."""
    handler = ConnectionHandler(
        {"default": {"ENGINE": "config.postgresql", "NAME": "papershelf", "USER": "postgres",
                    "HOST": "127.0.0.1", "PORT": cluster.port, "OPTIONS": {"query_deadline": 2}}}
    )  # fmt: skip
    database = handler["default"]
    with django_db_blocker.unblock():  # the cluster's own database, not the test database
        query_a_freezing_cluster(database, cluster)


def query_a_freezing_cluster(database, cluster):
    try:
        with database.answer_within(database.request_deadline):  # as in a request
            with database.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM papers_paper")
                assert cursor.fetchone() == (0,)
            cluster.freeze()
            try:
                started = time.monotonic()
                with (
                    pytest.raises(OperationalError, match="did not answer within 2 s"),
                    database.cursor() as cursor,
                ):
                    cursor.execute("SELECT count(*) FROM papers_paper")
                seconds = time.monotonic() - started
            finally:
                cluster.thaw()
            assert 2 <= seconds < 3, f"gave up after {seconds:.1f} s"
            database.close_if_unusable_or_obsolete()  # what the end of a request does
            with database.cursor() as cursor:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
    finally:
        database.close()
