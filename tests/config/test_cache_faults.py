"""The cache is an accelerator, not a dependency: Redis stopped, frozen or back again.

Each test runs a real redis-server on its own port (tests/config/redis_server.py) and
stops it with SIGKILL (the port refuses connections) or freezes it with SIGSTOP (the
kernel still accepts connections and data, nothing answers: the slow case). The site
uses config.resilient_cache.ResilientRedisCache, as in production (config/settings.py).
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client

from config.resilient_cache import ResilientRedisCache
from papers.models import Author
from papers.site.cache import content_version
from tests.config.redis_server import SOCKET_TIMEOUT, RedisServer, cache_settings
from tests.config.test_database_failures import (  # noqa: F401 - postgres, static_root: fixtures
    Server,
    database_url,
    postgres,
    production_env,
    static_root,
)
from tests.factories import AuthorFactory, PaperFactory
from tests.ports import free_port

RETRY_AFTER = 0.5  # as in cache_settings()


@pytest.fixture
def redis_server():
    server = RedisServer(free_port()).start()
    yield server
    if server.process.poll() is None:
        server.thaw()  # a frozen process cannot die
    server.kill()


def backend(location):
    return ResilientRedisCache(location, cache_settings(location)["default"])


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def wait_out_the_breaker():
    time.sleep(RETRY_AFTER + 0.1)


# --- the backend ---------------------------------------------------------------------


def test_with_redis_stopped_one_call_fails_fast_and_the_next_thousand_cost_nothing(
    redis_server, caplog
):
    store = backend(redis_server.url(1))
    store.set("k", "v")
    assert store.get("k") == "v"

    redis_server.kill()
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        value, first = timed(lambda: store.get("k", "missing"))
        assert value == "missing" and first < SOCKET_TIMEOUT, f"the first call took {first:.3f} s"

        def thousand_calls():
            for n in range(250):
                assert store.get(f"k{n}") is None
                assert store.set(f"k{n}", n) is None
                assert store.add(f"k{n}", n) is False
                assert store.get_many([f"k{n}", "k"]) == {}

        _, rest = timed(thousand_calls)
    # 0.1 ms a call at most (about 0.01 ms unloaded): none of them touches the network.
    assert rest < 0.1, f"1000 calls with the breaker open took {rest:.3f} s"
    assert store.delete("k") is False and store.has_key("k") is False
    with pytest.raises(ValueError):
        store.incr("k")  # a missing key, as in every backend
    assert store.is_available() is False
    unavailable = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(unavailable) == 1  # logged once, not once per call


def test_the_outage_is_logged_without_the_password_of_the_cache_url(caplog):
    port = free_port()  # nothing listens there
    store = backend(f"redis://:s3cret-pass@127.0.0.1:{port}/0")
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        assert store.get("k") is None
    (record,) = caplog.records
    assert f"redis://127.0.0.1:{port}/0 is unavailable" in record.getMessage()
    assert "s3cret" not in record.getMessage()


def test_with_redis_frozen_one_call_waits_the_socket_timeout_then_none_waits(redis_server):
    store = backend(redis_server.url(2))
    store.set("k", "v")
    redis_server.freeze()
    value, first = timed(lambda: store.get("k"))
    assert value is None
    assert first < SOCKET_TIMEOUT + 0.1, f"the first call waited {first:.3f} s"
    _, rest = timed(lambda: [store.get("k") for _ in range(1000)])
    # 0.1 ms a call at most (about 0.01 ms unloaded): none of them touches the network.
    assert rest < 0.1, f"1000 calls with the breaker open took {rest:.3f} s"

    redis_server.thaw()
    wait_out_the_breaker()
    assert store.is_available() is True  # the probe: Redis answers, the breaker closes
    assert store.get("k") == "v"


def test_redis_restarted_on_the_same_port_is_used_again_without_a_restart(redis_server):
    store = backend(redis_server.url(3))
    store.set("k", "v")
    redis_server.kill()
    assert store.get("k") is None
    redis_server.start()  # empty, same port
    assert store.get("k", "skipped") == "skipped"  # still inside the retry period
    wait_out_the_breaker()
    store.get("k")  # the probe
    store.set("k", "again")
    assert store.get("k") == "again"
    assert redis_server.keys() == 1


# --- the site ------------------------------------------------------------------------


@pytest.fixture
def site_on_redis(redis_server, settings):
    settings.CACHES = cache_settings(redis_server.url(4))
    return redis_server


@pytest.fixture
def published_author(db):
    author = AuthorFactory(name="Ada Cachefree")
    PaperFactory(title="Pages Without Redis", authors=[author])
    return author


def login(client, username, password):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/", response
    return client


PAGES = ["/", "/papers/", "/papers/?q=pages", "/tags/", "/healthz"]


def test_with_redis_stopped_pages_render_login_works_and_saves_succeed(
    site_on_redis, published_author, superuser, caplog
):
    author_page = published_author.get_absolute_url()
    visitor = Client()
    for path in [*PAGES, author_page]:
        assert visitor.get(path).status_code == 200
    assert site_on_redis.keys() > 0  # the pages were cached

    site_on_redis.kill()
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        for path in [*PAGES, author_page, author_page]:
            response, seconds = timed(lambda path=path: visitor.get(path))
            assert response.status_code == 200, path
            assert seconds < 2, f"{path} took {seconds:.2f} s"
        assert b"Ada Cachefree" in visitor.get(author_page).content
        health = visitor.get("/healthz")
        assert health.status_code == 200
        assert health.content == b"status: degraded\ndatabase: ok\ncache: unavailable\n"

        staff = login(Client(), "boss", "pw-boss-123")
        change = f"/admin/papers/author/{published_author.pk}/change/"
        response = staff.post(change, {"name": "Ada Renamed"})
        assert response.status_code == 302, response
        assert Author.objects.get(pk=published_author.pk).name == "Ada Renamed"
        assert b"Ada Renamed" in visitor.get(author_page).content
    unavailable = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(unavailable) == 1, [r.getMessage() for r in caplog.records]

    site_on_redis.start()  # empty, same port, same process
    wait_out_the_breaker()
    for path in [*PAGES, author_page]:
        assert visitor.get(path).status_code == 200
    assert site_on_redis.keys() > 0  # caching works again
    assert visitor.get("/healthz").content == b"status: ok\ndatabase: ok\ncache: ok\n"


def test_a_save_while_redis_is_frozen_is_visible_once_it_answers_again(
    site_on_redis, published_author, superuser
):
    """Redis keeps its pages through a freeze; the save it missed must not be hidden."""
    author_page = published_author.get_absolute_url()
    visitor, staff = Client(), login(Client(), "boss", "pw-boss-123")
    assert b"Ada Cachefree" in visitor.get(author_page).content  # cached now
    version = content_version()

    site_on_redis.freeze()
    change = f"/admin/papers/author/{published_author.pk}/change/"
    (response, seconds) = timed(lambda: staff.post(change, {"name": "Ada Frozen"}))
    assert response.status_code == 302 and seconds < 2
    assert b"Ada Frozen" in visitor.get(author_page).content

    site_on_redis.thaw()  # its old version and old pages are still there
    wait_out_the_breaker()
    assert cache.get("anything") is None  # the probe
    assert content_version() != version
    assert b"Ada Frozen" in visitor.get(author_page).content


# --- the production server -----------------------------------------------------------


@pytest.mark.django_db
def test_production_server_with_redis_stopped_serves_pages_healthz_and_login_form(
    postgres,  # noqa: F811 - the imported fixture
    static_root,  # noqa: F811
    tmp_path,
):
    """gunicorn with the production settings (CACHE_URL), Redis killed and restarted."""
    redis_server = RedisServer(free_port()).start()
    server = Server(
        production_env(
            DATABASE_URL=database_url(postgres, postgres["PORT"] or 5432),
            STATIC_ROOT=str(static_root),
            CACHE_URL=redis_server.url(),
            CACHE_RETRY_AFTER="1",
        ),
        tmp_path / "gunicorn.log",
    )
    paths = ["/", "/papers/", "/tags/", "/admin/login/"]
    try:
        assert [server.get(path)[0] for path in paths] == [200] * len(paths)
        assert redis_server.keys() > 0

        redis_server.kill()
        timings = {}
        for path in [*paths, "/papers/?q=down", "/"]:
            status, _, timings[path] = server.get(path)
            assert status == 200, path
        print(
            "Redis down:", {path: f"{seconds * 1000:.0f} ms" for path, seconds in timings.items()}
        )
        assert max(timings.values()) < 1, timings
        status, body, _ = server.get("/healthz")
        assert (status, body) == (200, "status: degraded\ndatabase: ok\ncache: unavailable\n")

        redis_server.start()  # same port; the app server is not restarted
        time.sleep(1.1)
        assert [server.get(path)[0] for path in paths] == [200] * len(paths)
        assert redis_server.keys() > 0
        assert server.get("/healthz")[:2] == (200, "status: ok\ndatabase: ok\ncache: ok\n")
        assert server.process.poll() is None
    finally:
        server.stop()
        redis_server.kill()
        print(server.log.read_text())
