"""Papershelf settings, read from the environment (see README.md for every variable)."""

import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.storage import IMMUTABLE, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG is on and no key was given.
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with http:// or https://."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "markdownx",
    "django_filters",
    # Not "ninja": the API (config/api.py) needs no app of it, and its docs page is the
    # site's own template (config/api_docs.py), not ninja's Swagger UI. Installed, its 8 MB
    # of unused Swagger and ReDoc bundles went through every collectstatic (half its CPU;
    # 27 MB collected instead of 6.6) and every process imported ninja and pydantic at start.
    "csp",
    "axes",
    "django.contrib.postgres",
    # Background jobs: Django's task API (django.tasks in Django 6; the backport here) with
    # its database backend, so jobs need nothing beyond the database (docs/DEPLOY.md).
    "django_tasks",
    "django_tasks_db",
    "papers",
    "papers.site",
    "blog",
    "readinggroup",
]

MIDDLEWARE = [
    # A database that stops answering fails the request within DB_QUERY_DEADLINE.
    "config.postgresql.middleware.QueryDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip for anonymous text responses only (BREACH: config/compression.py); above the
    # page cache, so stored pages are compressed on the way out too.
    "config.compression.PublicTextGZipMiddleware",
    # Serves stored public pages to anonymous visitors before the rest runs (papers/site/cache.py).
    "papers.site.cache.PageCacheMiddleware",
    # Django's, reusing the session the page cache read to tell a real one from junk.
    "papers.site.cache.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "config.middleware.ReadOnlyApiCorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "papers.site.context_processors.site",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.config(
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            # A connection that died (database restarted, network cut) is dropped and
            # reopened at the start of the next request instead of failing it.
            conn_health_checks=True,
        )
    }
except ValueError as exc:  # dj-database-url raises ValueError for unknown schemes
    raise ImproperlyConfigured(f"DATABASE_URL is not usable: {exc}") from None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`) has a web server and a worker writing one file:
    # WAL lets pages read while a job writes, IMMEDIATE takes the write lock at BEGIN (no
    # deadlocked lock upgrades), and a writer waits up to 20 s for the other's commit.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus a client-side deadline on every answer (config/postgresql/).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Values given in DATABASE_URL's query string (?connect_timeout=…) win over these.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    for _key, _value in {
        # An unreachable database fails the request fast (a styled 500, /healthz 503)
        # instead of holding a worker until gunicorn kills it.
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3),
        # A runaway query is cancelled by PostgreSQL itself and the request ends in a 500
        # well before gunicorn's 30 s worker timeout. 0 turns the limit off (long
        # maintenance commands: DB_STATEMENT_TIMEOUT=0 manage.py …).
        "options": f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT', 15_000)}",
        # While serving a request, a server that stops answering on an open connection
        # (frozen, or a network cut the kernel does not report) fails the query after
        # this many seconds: the styled 500 within 5 s (with the 1 s health check and
        # the 3 s connect timeout of the next attempt), /healthz a 503. 0 = no limit.
        "query_deadline": env_int("DB_QUERY_DEADLINE", 4),
        # A real network cut: TCP keepalives find a dead idle connection within ~25 s,
        # and data unacknowledged for 10 s closes the connection.
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
    }.items():
        _db_options.setdefault(_key, _value)

# --- Background jobs (papers/jobs/) ----------------------------------------------------
# Jobs are rows in the database; `manage.py db_worker` runs them (`make run` starts one).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
        # A job's task gets the id chosen with the job (papers/jobs/task_ids.py).
        "OPTIONS": {"id_function": "papers.jobs.task_ids.task_id"},
    }
}
# A running job whose worker has not written a heartbeat for this long is marked failed
# (its worker was killed or the machine restarted); the admin can retry it.
JOB_STALE_AFTER = env_int("JOB_STALE_AFTER", 60)
# How often a job's admin page asks for its status while it runs (static/papers/admin/
# job_progress.js), in milliseconds.
JOB_STATUS_POLL_MS = 1000

_CACHE_URL = env_str("CACHE_URL")
if _CACHE_URL:
    if not _CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL.")
    # The cache only speeds pages up: when Redis is stopped, frozen or full, every call is
    # a miss and the site serves uncached pages (config/resilient_cache.py). One failing
    # call costs at most CACHE_TIMEOUT_MS; then Redis is skipped for CACHE_RETRY_AFTER
    # seconds before one call tries again. On its return, every cached page is invalidated
    # (saves made meanwhile could not say so).
    _cache_timeout = env_int("CACHE_TIMEOUT_MS", 100) / 1000
    CACHES = {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": _CACHE_URL,
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
                "RETRY_AFTER": env_int("CACHE_RETRY_AFTER", 5),
                "ON_RECOVERY": "papers.site.cache.bump_everything",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not _CACHE_URL and DEBUG:
    # `make run` (DEBUG, no Redis): a cache in files, shared by the web server and the job
    # worker, so what a job changes (a session's cover, notes rendered again) invalidates
    # the pages the web server cached; one folder per database, so two sites never share.
    # Production uses Redis (CACHE_URL, docs/DEPLOY.md).
    _db_key = hashlib.sha256(str(DATABASES["default"]["NAME"]).encode()).hexdigest()[:12]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / ".cache" / _db_key)),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (django-axes) ---------------------------------------------------
# Axes checks every authentication, so its backend comes first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock that pair out (429) until the
# cool-off ends; a successful login clears the count. Other users and other addresses
# are not affected, so an attacker cannot lock the owner out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# Behind a proxy REMOTE_ADDR is the proxy's own address; see config/security.py.
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"

# --- Reading-group members: login and e-mail (invitations, password resets) -------------
# Members sign in at the reading group's own login (not the admin's); staff use /admin/.
LOGIN_URL = "readinggroup:login"
LOGIN_REDIRECT_URL = "readinggroup:queue"
# Development prints mails on the console; production sets EMAIL_HOST (SMTP; docs/DEPLOY.md).
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "papershelf@localhost")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

# --- HTTPS, cookies and headers -------------------------------------------------------
# BEHIND_PROXY=1: a reverse proxy terminates TLS and sets X-Forwarded-Proto and appends
# the client address to X-Forwarded-For. Only set it when the proxy overwrites these
# headers, or a client could claim HTTPS or any address. PROXY_COUNT is the number of
# proxies in front of Django (their addresses are the right-most X-Forwarded-For entries).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "same-origin": YouTube and Vimeo refuse to play embeds that send no referrer.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Secure cookies are refused over plain HTTP, so they follow DEBUG (make run is HTTP).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The fitted related-papers model (papers/related_model.py), read and written by the job
# workers; empty: MEDIA_ROOT/var, which is never served. Several worker boxes: a shared folder.
RELATED_MODEL_DIR = env_str("RELATED_MODEL_DIR", "")

# --- Uploaded media: figures, covers, slides, editor images (docs/DEPLOY.md) ------------
# MEDIA_STORAGE=local (one box): files in MEDIA_ROOT, served at MEDIA_URL by
# papers.site.media.serve_media, which allows only the upload folders and known image/PDF
# types and adds nosniff, a sandboxing CSP and a one-year immutable cache (stored names
# are random and never reused). MEDIA_ACCEL_REDIRECT=/_media/ hands the bytes to nginx.
# MEDIA_STORAGE=s3 (several app servers): an S3-compatible bucket through django-storages;
# images are public objects with plain URLs (pages are cached for hours, so a signed URL
# in them would expire), slides stay private behind short signed URLs.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
if MEDIA_ACCEL_REDIRECT and not (
    MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured("MEDIA_ACCEL_REDIRECT must start and end with '/'.")
# MEDIA_ORIGINS: where pages load media from besides 'self' (the CSP below).
_media_storage, MEDIA_URL, MEDIA_ORIGINS = media_storage(MEDIA_STORAGE, MEDIA_URL)
MEDIA_CACHE_CONTROL = IMMUTABLE

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        # The manifest storage needs collectstatic; DEBUG serves files straight from static/.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tags: "ML" and "ml" are the same tag.
TAGGIT_CASE_INSENSITIVE = True

# No MARKDOWNX_* settings: the editor's preview and upload URLs are the site's own views
# (papers/site/editor.py: same renderer as the pages, Pillow re-encoding, staff only), so
# markdownx's upload and markdownify settings would configure code that never runs.

SITE_NAME = env_str("SITE_NAME", "Papershelf")

# --- The site's public address ---------------------------------------------------------
# Every absolute URL the site writes (canonical links, OpenGraph, JSON-LD, feeds and their
# ids, sitemaps, robots.txt, the API's html_url, calendar UIDs) is built from SITE_URL,
# never from the request's Host header: one request with an odd Host must not change what
# other visitors get from the page cache, and feed ids and calendar UIDs must not change.
# papers.site.addresses.absolute_url() is the one place that joins it to a path.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off: the site's public address, "
        "e.g. SITE_URL=https://papers.example.org"
    )
_site = urlsplit(SITE_URL)
if (
    _site.scheme not in ("http", "https")
    or not _site.hostname
    or _site.path not in ("", "/")
    or _site.query
    or _site.fragment
    or "@" in _site.netloc
):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be a scheme and host with no path, "
        "e.g. https://papers.example.org"
    )
SITE_URL = f"{_site.scheme}://{_site.netloc.lower()}"

# Paper intake: Crossref asks API clients for a contact address (sent in the User-Agent).
INTAKE_CONTACT_EMAIL = env_str("INTAKE_CONTACT_EMAIL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Content-Security-Policy (django-csp) ----------------------------------------------
# No inline script and no eval anywhere: the admin (Django 5.2 has no inline scripts),
# markdownx and the site's own scripts are static files. A template that truly needs an
# inline <script> gives it nonce="{{ request.csp_nonce }}" (NONCE below adds it to the
# header). JSON-LD <script type="application/ld+json"> is data, not script: CSP ignores it.
#
# Frames: the site embeds YouTube (privacy-enhanced domain) and Vimeo recordings, and its
# own slides PDFs. The slides are embedded with <iframe> (frame-src 'self'), never
# <object>/<embed>, so object-src stays 'none' (plugins are the classic CSP bypass). The
# view serving an embeddable PDF relaxes its own response with
# @xframe_options_sameorigin and @csp_replace({"frame-ancestors": [SELF]}) (replace, not
# update: 'none' beside 'self' would be ignored); every other page refuses to be framed
# at all (frame-ancestors 'none', X-Frame-Options: DENY).
#
# Images: figures and covers are ours ('self', or the bucket's MEDIA_ORIGINS with
# MEDIA_STORAGE=s3, which also serve the slides frame); notes may also show https images
# from elsewhere, and data: is used by the admin's widgets. Tables in Markdown align
# cells with the align attribute, so no inline style is needed anywhere either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, *MEDIA_ORIGINS],
        "frame-src": [
            SELF,
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            *MEDIA_ORIGINS,
        ],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        **({"report-uri": [env_str("CSP_REPORT_URI")]} if env_str("CSP_REPORT_URI") else {}),
    },
}
