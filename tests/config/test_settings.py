"""Settings read the environment and refuse bad values at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list
from tests import forkserver

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a.example , b.example,, ")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a.example", "b.example"]
    assert env_bool("X_MISSING", default=True) is True


@pytest.mark.parametrize(
    ("name", "value", "reader"), [("X", "maybe", env_bool), ("X", "soon", env_int)]
)
def test_env_helpers_fail_loudly(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader(name, 0) if reader is env_int else reader(name)


def run_check(**env):
    """Start Django in a process of its own with exactly this environment (forked by
    tests/forkserver.py: the libraries imported, the settings not read)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SITE_URL"}
    }
    clean.update(env)
    return forkserver.shared().run(["manage.py", "check"], cwd=ROOT, env=clean, timeout=60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not usable"),
        ({"DEBUG": "1", "CONN_MAX_AGE": "soon"}, "CONN_MAX_AGE='soon' is not a whole number"),
        ({"DEBUG": "1", "CACHE_URL": "memcached://x"}, "CACHE_URL must be a redis"),
        ({"DEBUG": "1", "CSRF_TRUSTED_ORIGINS": "papers.example.org"}, "must start with http"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "SITE_URL must be set when DEBUG is off"),
        ({"DEBUG": "1", "SITE_URL": "papers.example.org"}, "must be a scheme and host"),
        ({"DEBUG": "1", "SITE_URL": "https://papers.example.org/blog/"}, "with no path"),
        ({"DEBUG": "1", "SITE_URL": "ftp://papers.example.org"}, "must be a scheme and host"),
    ],
)
def test_bad_environment_stops_start_up_with_a_clear_message(env, message):
    result = run_check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_environment_starts():
    result = run_check(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="papers.example.org",
        SITE_URL="https://papers.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_site_url_loses_a_trailing_slash_and_defaults_to_the_dev_server_in_debug():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    for env, expected in [
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50, "SITE_URL": "https://Papers.Example.org/"},
         "https://papers.example.org"),
        ({"DEBUG": "1"}, "http://127.0.0.1:8000"),
    ]:  # fmt: skip
        clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SITE_URL"}}
        # Only the settings module is read: ``manage.py shell`` would also set up every app
        # and import every model (1.2 s of CPU per run, not what is tested).
        result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.splitlines()[-1] == expected, result.stderr
