"""A Redis cache the site can live without: when Redis is down every call is a miss.

The cache only speeds pages up, so a Redis that is stopped, frozen or out of memory must
not cost a visitor a 500 or a long wait. ``ResilientRedisCache`` is Django's
``RedisCache`` with

- short socket timeouts (``OPTIONS`` ``socket_connect_timeout`` / ``socket_timeout``,
  set in settings), so one failing call costs at most that long;
- a circuit breaker shared by the threads of a process: after a connection error or a
  timeout it opens for ``RETRY_AFTER`` seconds, during which every call returns at once
  as a miss (``get`` → default, ``set`` → nothing stored…) without touching the
  network. Then one call probes Redis again (half-open); if it answers, the cache is used
  again, otherwise the breaker stays open for another period. The outage and the
  recovery are logged once each, not once per call;
- a refused write (``OOM command not allowed`` under ``maxmemory-policy noeviction``, a
  read-only replica, a failed RDB save) is a miss too, without opening the breaker:
  reads still work.
"""

import logging
import re
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.module_loading import import_string
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

# Seconds the breaker stays open before one call probes Redis again.
DEFAULT_RETRY_AFTER = 5.0


class CircuitBreaker:
    """Closed (use Redis), open (skip it until ``open_until``), half-open (one probe)."""

    def __init__(self, name, retry_after):
        self.name, self.retry_after = name, retry_after
        self.lock = threading.Lock()
        self.failing = False  # read without the lock on the fast path: a bool is atomic
        self.open_until = 0.0
        self.probing = False
        self.refusals_logged_at = -float("inf")

    def allow(self):
        """Whether this call may use Redis (when failing: only the one probe per period)."""
        if not self.failing:
            return True
        with self.lock:
            if self.probing or time.monotonic() < self.open_until:
                return False
            self.probing = True
            return True

    def succeeded(self):
        """Record an answer; True when it ends an outage (this call was the probe)."""
        if not self.failing:
            return False
        with self.lock:
            was_failing, self.failing, self.probing = self.failing, False, False
        if was_failing:
            logger.warning("Cache %s answers again: pages are cached again.", self.name)
        return was_failing

    def failed(self, error):
        with self.lock:
            first = not self.failing
            self.failing, self.probing = True, False
            self.open_until = time.monotonic() + self.retry_after
        if first:
            logger.warning(
                "Cache %s is unavailable (%s): serving pages without it, retrying every %g s.",
                self.name,
                error,
                self.retry_after,
            )

    def abandoned(self):
        """A probe ended in an unexpected error: let a later call probe again."""
        with self.lock:
            self.probing = False

    def refused(self, error):
        """Redis answered but refused the command: a miss, logged once per period."""
        now = time.monotonic()
        with self.lock:
            log = now - self.refusals_logged_at >= self.retry_after
            if log:
                self.refusals_logged_at = now
        if log:
            logger.warning("Cache %s refused a command (%s): treated as a miss.", self.name, error)


# One breaker per Redis location and process: Django gives each thread its own cache
# object, but an outage concerns them all.
_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location, retry_after):
    with _breakers_lock:
        if location not in _breakers:
            # Named in the log without the password a URL may hold (redis://:secret@host).
            name = re.sub(r"//[^/@]*@", "//", location)
            _breakers[location] = CircuitBreaker(name, retry_after)
        return _breakers[location]


def _guarded(miss, *, reads_data=True):
    """Run a client method through the breaker; ``miss(*args)`` stands in when it fails."""

    def decorate(method):
        @wraps(method)
        def guarded(self, *args):
            breaker = self.breaker
            if not breaker.allow():
                return miss(*args)
            try:
                result = method(self, *args)
            except ResponseError as error:  # it answered, with a refusal
                if breaker.succeeded():
                    self.on_recovery()
                breaker.refused(error)
                return miss(*args)
            except RedisError as error:  # no connection, a timeout, a garbled answer
                breaker.failed(error)
                return miss(*args)
            except BaseException:
                breaker.abandoned()
                raise
            if breaker.succeeded():
                # Writes and invalidations made during the outage were dropped, so what
                # Redis holds may be stale: the site invalidates it (ON_RECOVERY), and
                # the probe's own answer, read before that, is not used.
                self.on_recovery()
                return miss(*args) if reads_data else result
            return result

        return guarded

    return decorate


def _no_key(key, delta):
    # incr() of a missing key raises ValueError in every Django backend.
    raise ValueError(f"Key {key!r} not found (the cache is unavailable).")


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, *, breaker, on_recovery, **options):
        super().__init__(servers, **options)
        self.breaker, self.on_recovery = breaker, on_recovery
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a redis-py client for every call (~0.4 ms of CPU, half of a cached
        # page's cost), so one client per pool is kept (the cache object is per thread).
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _ping(self):
        return bool(self.get_client().ping())

    add = _guarded(lambda key, value, timeout: False)(RedisCacheClient.add)
    get = _guarded(lambda key, default: default)(RedisCacheClient.get)
    set = _guarded(lambda key, value, timeout: None)(RedisCacheClient.set)
    touch = _guarded(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _guarded(lambda key: False)(RedisCacheClient.delete)
    get_many = _guarded(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _guarded(lambda key: False)(RedisCacheClient.has_key)
    incr = _guarded(_no_key)(RedisCacheClient.incr)
    set_many = _guarded(lambda data, timeout: None)(RedisCacheClient.set_many)
    delete_many = _guarded(lambda keys: None)(RedisCacheClient.delete_many)
    clear = _guarded(lambda: False)(RedisCacheClient.clear)
    ping = _guarded(lambda: False, reads_data=False)(_ping)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` behind a circuit breaker (see the module docstring).

    ``OPTIONS`` may hold ``RETRY_AFTER`` (seconds) and ``ON_RECOVERY`` (the dotted path
    of a function called with no arguments when Redis answers again after an outage, to
    invalidate what may be stale); the other options go to redis-py.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        options = dict(self._options)
        retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        on_recovery = options.pop("ON_RECOVERY", None)
        self._class = ResilientRedisCacheClient
        self._options = {
            **options,
            "breaker": breaker_for(",".join(self._servers), retry_after),
            "on_recovery": import_string(on_recovery) if on_recovery else lambda: None,
        }

    def is_available(self):
        """Whether Redis answers a PING now (False at once while the breaker is open)."""
        return self._cache.ping()
