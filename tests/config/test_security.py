"""Production profile: deploy checks, HTTPS behind a proxy, cookies and security headers."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.security import client_ip
from tests import forkserver

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "papers.example.org",
    "SITE_URL": "https://papers.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://papers.example.org",
    "BEHIND_PROXY": "1",
}
# Whatever the test run itself set (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE) must not
# leak into the "production" process.
_DROPPED = {
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BEHIND_PROXY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def run_django(args, **env):
    """Run ``manage.py`` (or ``python -c``) in a process of its own with exactly this
    environment (``manage.py``: forked by tests/forkserver.py, the libraries imported)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in _DROPPED and not k.startswith("SECURE_")
    }
    clean.update(env)
    if args[0] == "manage.py":
        return forkserver.shared().run(args, cwd=ROOT, env=clean, timeout=120)
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_pass_with_production_environment():
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_fail_when_a_production_value_is_weakened():
    """The check above can fail: turning HSTS off is reported as a warning that fails it."""
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION_ENV,
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


# Only the settings module is read (as test_settings.py's SITE_URL test does): a
# ``django.setup()`` would also import every app and model, ~0.35 s of CPU a process that
# changes none of these values.
SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
]} | {"db_options": s.DATABASES["default"].get("OPTIONS", {})}))
"""


def show_settings(**env):
    result = run_django(["-c", SHOW_SETTINGS], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# libpq's own detection of a dead peer on a real network (config/settings.py).
TCP_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


def test_production_values_come_from_the_environment():
    values = show_settings(**PRODUCTION_ENV, DATABASE_URL="postgres://u@db.example.org:5432/papers")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["db_options"] == {
        "connect_timeout": 3,
        "options": "-c statement_timeout=15000",
        "query_deadline": 4,
        **TCP_KEEPALIVES,
    }


def test_proxy_header_is_trusted_only_behind_a_proxy_and_values_can_be_overridden():
    values = show_settings(
        **(PRODUCTION_ENV | {"BEHIND_PROXY": "0"}),
        SECURE_HSTS_SECONDS="600",
        DATABASE_URL="postgres://u@db.example.org/papers?connect_timeout=1",
        DB_STATEMENT_TIMEOUT="2000",
        DB_QUERY_DEADLINE="3",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["db_options"] == {
        "connect_timeout": 1,
        "options": "-c statement_timeout=2000",
        "query_deadline": 3,
        **TCP_KEEPALIVES,
    }


def test_development_profile_serves_plain_http():
    """make run (DEBUG=1, http://127.0.0.1:8000) must neither redirect nor drop cookies."""
    values = show_settings(DEBUG="1")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get(reverse("home"), secure=True)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_ssl_redirect_behind_a_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/papers/?year=2021")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/papers/?year=2021"
    assert client.get("/papers/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    # Load balancers probe over plain HTTP.
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_session_cookie_is_secure_and_httponly(client, superuser):
    response = client.post(
        reverse("admin:login"), {"username": "boss", "password": "pw-boss-123"}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert response.cookies["csrftoken"]["secure"] is True


def _request(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_client_ip_ignores_forwarded_for_unless_behind_a_proxy(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_client_ip_behind_a_proxy_takes_the_address_the_proxy_appended(settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
