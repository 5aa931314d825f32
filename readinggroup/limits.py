"""Rate limits on what members write (suggestions, votes): a counter per member and window.

The counters live in the cache (Redis in production), so every web server shares them;
with the cache down the limit is not enforced rather than refusing every member (the
cache backend answers misses, config/resilient_cache.py).
"""

import time

from django.core.cache import cache

# (requests, seconds): generous for a person, tight for a script.
LIMITS = {
    "suggest": (10, 60 * 60),
    "vote": (60, 10 * 60),
}


def allow(action, member_pk, now=None):
    """Count one ``action`` by the member; False once the window's budget is spent."""
    limit, window = LIMITS[action]
    bucket = int((now or time.time()) // window)
    key = f"readinggroup:limit:{action}:{member_pk}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
