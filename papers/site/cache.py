"""Caches for the public pages, all invalidated at once by a "content version".

Any save or delete of a watched model (papers, authors, tags and their links; other apps
call ``watch()`` for theirs) replaces the version, so every cached page, count and facet
is a miss on the next request: a change is visible at once, with no per-key bookkeeping.
Old entries are never read again and expire on their own (``TIMEOUT``).

The version is also the pages' ``ETag`` and ``Last-Modified``: a browser coming back
gets a 304 for the price of one cache read.

The cache is bounded: every entry has a TTL, and a stored page's key holds only what
decides its content (scheme, host, path and the query parameters of ``QUERY_PARAMETERS``,
sorted), so ``?utm_source=…`` or a random cache-buster cannot fill Redis with copies.
Production Redis also runs with ``maxmemory`` and ``maxmemory-policy allkeys-lru``
(README, "Production checklist"): when full, it drops the least recently used entries.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

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
# the "next session" on the home page moves on. The version therefore also moves on every
# minute, so such a page is at most a minute late (one re-render per page and minute).
CLOCK_STEP_NS = 60 * 1_000_000_000


def content_version(request=None):
    """The current content version (one cache read, remembered on ``request``)."""
    if request is not None and hasattr(request, "_content_version"):
        return request._content_version
    version = _stored_version()
    if version is None:
        version = _new_version()
        # add(): of two processes starting at once, both end up with the first one's value.
        if not cache.add(VERSION_KEY, version, timeout=VERSION_TIMEOUT):
            version = cache.get(VERSION_KEY) or version
    version = str(max(int(version), time.time_ns() // CLOCK_STEP_NS * CLOCK_STEP_NS))
    if request is not None:
        request._content_version = version
    return version


def bump_content_version(**kwargs):
    """Invalidate every cached page and count (call after changes that send no signals)."""
    cache.set(VERSION_KEY, _new_version(), timeout=VERSION_TIMEOUT)


def _changed(sender, using=None, **kwargs):
    # Bump now, so this request and the tests see the change, and again after the commit,
    # so a page rendered from the old rows in between is not kept under the new version.
    bump_content_version()
    transaction.on_commit(bump_content_version, using=using)


def watch(*models):
    """Bump the content version whenever one of ``models`` is saved, deleted or relinked."""
    for model in models:
        uid = f"papershelf-cache-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(_changed, sender=model, dispatch_uid=f"{uid}-m2m")


def _digest(*parts):
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


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


def cached_value(request, name, parts, compute):
    """``compute()``, cached under ``name`` and ``parts`` until the content changes."""
    # The release is in the key too: a deploy never unpickles values of the old code.
    key = f"papershelf:{content_version(request)}:{name}:{release()}:{_digest(*parts)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


class _LocalPages:
    """A small in-process LRU in front of the shared cache, for the hottest pages.

    Safe without invalidation: its keys hold the content version, which is read from the
    shared cache on every request, so a page is never served after a change. It saves a
    round trip and the transfer of the page on the most frequent requests.
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
        size = len(value[2])
        if size > self.max_bytes // 8:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, _, content) = self.entries.popitem(last=False)
                self.bytes -= len(content)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.bytes = 0


_local = _LocalPages()


def _is_anonymous(request):
    # Judged by the cookie alone: reading request.user would cost a session query.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


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
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()  # a TemplateResponse (the sitemap's)
            if not _cacheable(response):
                return response
            response._papershelf_version = version
        _set_validators(response, version)
        return response

    return wrapper


class PageCacheMiddleware:
    """Answer anonymous visitors from stored pages, before sessions, CSRF, auth and routing.

    Stores the responses that ``public_page`` marked, with the headers the middleware
    below it added (X-Frame-Options, Vary…), under the content version and ``_page_key``.
    A hit costs one cache read for the version (the page itself is usually in the
    in-process LRU) and none of the work below this middleware; it sits right after
    SecurityMiddleware and WhiteNoise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _wants_cache(request):
            return self.get_response(request)
        address = _page_address(request)
        version = content_version(request)
        key = f"papershelf:{version}:page:{release()}:{address}"
        stored = _local.get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _local.set(key, stored)
        if stored is not None:
            status, headers, content = stored
            etag, last_modified = _validators(version)
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is not None:
                _set_validators(response, version)
                return response
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response[header] = value
            return response
        response = self.get_response(request)
        # The key holds the version read before rendering: a save during the render bumps
        # it, so this page becomes unreachable rather than stale under the new version.
        if getattr(response, "_papershelf_version", None) == version and _cacheable(response):
            stored = (response.status_code, list(response.items()), response.content)
            cache.set(key, stored, TIMEOUT)
            _local.set(key, stored)
        return response
