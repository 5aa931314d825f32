"""A real redis-server on its own port that a test can stop, freeze, fill and restart."""

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis

# .ci/run installs redis-server and sets REQUIRE_REDIS=1, so there a missing one fails.
REDIS_SERVER = shutil.which("redis-server")
if REDIS_SERVER is None and os.environ.get("REQUIRE_REDIS") != "1":
    pytest.skip(
        "redis-server is not installed (apt-get install redis-server)", allow_module_level=True
    )

SOCKET_TIMEOUT = 0.1  # the production default (CACHE_TIMEOUT_MS=100)


def cache_settings(location, retry_after=0.5):
    """The production CACHES entry (config/settings.py), retrying after 0.5 s, not 5."""
    return {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "socket_timeout": SOCKET_TIMEOUT,
                "RETRY_AFTER": retry_after,
                "ON_RECOVERY": "papers.site.cache.bump_everything",
            },
        }
    }


class RedisServer:
    """redis-server on ``port``, without persistence, with ``args`` (e.g. maxmemory)."""

    def __init__(self, port, *args):
        self.port, self.args, self.process = port, args, None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self):
        """Gone: the port refuses connections (open connections are closed)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def freeze(self):
        """Hung: the kernel still accepts connections and data, nothing ever answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def keys(self):
        """How many keys it holds, in all databases."""
        return sum(db["keys"] for db in self.client().info("keyspace").values())
