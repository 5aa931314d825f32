"""A flood of unique URLs against a Redis with a memory limit never gives a 500.

Redis runs with a small ``maxmemory`` under the policy the README recommends
(``allkeys-lru``: old entries are evicted) and under Redis's default (``noeviction``:
every write is refused with "OOM command not allowed", which the cache backend treats
as a miss). The flood is two parts: thousands of page-sized entries written through the
site's cache (cheap: no rendering), then a hundred distinct search URLs (each renders
and is stored by the page cache, ~20 ms each) until Redis is at its limit.
"""

import secrets

import pytest
from django.core.cache import cache
from django.test import Client

from tests.config.redis_server import RedisServer, cache_settings
from tests.factories import PaperFactory
from tests.ports import free_port

MAXMEMORY = 3 * 1024 * 1024
PAGE = b"<!doctype html>" + b"x" * 4000  # about the size of a search page
ENTRIES = 3000  # 12 MB written into 3 MB
URLS = 100


@pytest.fixture(params=["allkeys-lru", "noeviction"])
def full_redis(request, settings):
    server = RedisServer(
        free_port(), "--maxmemory", str(MAXMEMORY), "--maxmemory-policy", request.param
    ).start()
    settings.CACHES = cache_settings(server.url())
    yield server
    server.kill()


@pytest.mark.django_db
def test_a_flood_of_unique_urls_into_a_full_redis_gives_no_500(full_redis):
    PaperFactory(title="Bounded Caches in Practice")
    visitor = Client()
    assert visitor.get("/papers/").status_code == 200  # the content version is stored

    for n in range(ENTRIES):  # as many pages as unknown URLs would have stored
        assert cache.set(f"papershelf:flood:{n}", (200, [], PAGE), 6 * 3600) is None
    info = full_redis.client().info("memory")
    assert info["used_memory"] > MAXMEMORY * 0.8, "the flood did not fill Redis"

    statuses = {}
    for _ in range(URLS):
        path = f"/papers/?q={secrets.token_hex(6)}"
        status = visitor.get(path).status_code
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {200: URLS}
    assert b"Bounded Caches in Practice" in visitor.get("/papers/?q=bounded").content
    # 200 whatever the cache's state: a read that times out on a loaded machine may open
    # the breaker ("degraded"), which is still a site that serves.
    health = visitor.get("/healthz")
    assert health.status_code == 200
    assert b"database: ok" in health.content
    # Redis kept to its limit (a little slack: its own buffers are counted too).
    assert full_redis.client().info("memory")["used_memory"] < MAXMEMORY * 1.1
