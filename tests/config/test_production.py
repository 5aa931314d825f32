"""The production stack, end to end: what docs/DEPLOY.md's scale-out recipe runs.

gunicorn with DEBUG=0 and the real settings (config.settings), a PostgreSQL database of
its own on the shared server, a Redis of its own, and uploads in an S3-compatible bucket
(moto in server mode, tests/s3server.py). migrate, collectstatic and ``manage.py demo``
run as an operator would; then headless Chromium walks the pages that show figures,
covers and slides, and every image and PDF must answer 200 with no console error.

The server speaks plain HTTP on loopback, so it runs with SECURE_SSL_REDIRECT=0 and
SECURE_COOKIES=0 (README: only where no TLS proxy exists); ``check --deploy`` is run on
the same environment with those two at their production defaults.

The stack is built once per test process (``build_stack``, by the ``production_stack``
fixture of tests/config/conftest.py) for this module and test_lighthouse.py, which scores
its pages: both carry the xdist group ``STACK_GROUP``, so one worker builds it, once.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import s3server
from tests.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SUITE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
BUCKET = "papershelf-production-test"
STACK_GROUP = "production_stack"

# Also the marks of test_lighthouse.py and test_scale_out.py (which builds its own stack).
PRODUCTION_MARKS = [
    pytest.mark.production,
    pytest.mark.skipif(
        not SUITE_DATABASE_URL.startswith(("postgres://", "postgresql://"))
        and os.environ.get("REQUIRE_POSTGRES") != "1",
        reason="the production test needs PostgreSQL (set DATABASE_URL; CI's PostgreSQL run)",
    ),
]
pytestmark = [*PRODUCTION_MARKS, pytest.mark.xdist_group(STACK_GROUP)]


@contextlib.contextmanager
def _database(suffix="production"):
    """A database of its own next to the suite's: <suite database>_<suffix>[_<xdist worker>]."""
    import psycopg

    parts = urlsplit(SUITE_DATABASE_URL)
    name = (parts.path.strip("/") or "papershelf") + "_" + suffix
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):  # parallel runs: one each
        name += "_" + worker
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _redis(directory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing (apt-get install redis-server; .ci/run does)")
    port = free_port()
    log = directory / "redis.log"
    process = subprocess.Popen(  # noqa: S603
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory), "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, process, log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _manage(env, *args, timeout=120):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    return result


@contextlib.contextmanager
def production_services(directory, site_url, *, steps, suffix="production"):
    """A PostgreSQL database, a Redis and an S3 server (bucket and policy) of their own,
    the environment that points the real settings at them with DEBUG=0, and ``steps``
    (manage.py commands, as an operator runs them) run in it."""
    timings = {}
    with contextlib.ExitStack() as stack:
        started = time.monotonic()
        database_url = stack.enter_context(_database(suffix))
        cache_url = stack.enter_context(_redis(directory))
        endpoint = stack.enter_context(s3server.s3_server(directory / "moto.log"))
        client = s3server.client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        policy = (ROOT / "docs" / "deploy" / "s3-bucket-policy.json").read_text()
        client.put_bucket_policy(Bucket=BUCKET, Policy=policy.replace("BUCKET", BUCKET))
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(
            s3server.s3_env(endpoint, BUCKET),
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=site_url,
            DATABASE_URL=database_url,
            CACHE_URL=cache_url,
            STATIC_ROOT=str(directory / "static"),
            MEDIA_ROOT=str(directory / "no-local-media"),  # must stay empty
            # The workers' fitted related-papers model: local disk, never media (DEPLOY.md).
            RELATED_MODEL_DIR=str(directory / "related-model"),
        )
        # Plain HTTP on loopback: no TLS proxy here (check --deploy runs without these).
        serving_env = {**env, "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"}
        timings["services"] = time.monotonic() - started
        for step in steps:
            begun = time.monotonic()
            result = _manage(serving_env, *step)
            assert result.returncode == 0, f"{step}: {result.stdout}\n{result.stderr}"
            timings[step[0]] = time.monotonic() - begun
        yield SimpleNamespace(
            env=env,
            serving_env=serving_env,
            endpoint=endpoint,
            client=client,
            directory=directory,
            timings=timings,
            stack=stack,
        )


def start_gunicorn(services, port, log):
    """A gunicorn app server (2 workers, 30 s timeout) in ``services``' environment, stopped
    with them."""
    gunicorn = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "30", "--graceful-timeout", "1"],
        cwd=ROOT, env=services.serving_env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    services.stack.callback(lambda: (gunicorn.terminate(), gunicorn.wait(timeout=10)))
    wait_for_port(port, gunicorn, log)
    return f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def build_stack(directory):
    """Everything the scale-out recipe runs: the services, migrate, collectstatic and
    ``manage.py demo``, and gunicorn serving the site."""
    port = free_port()
    steps = (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("demo",))
    with production_services(directory, f"http://127.0.0.1:{port}", steps=steps) as services:
        log = directory / "gunicorn.log"
        base_url = start_gunicorn(services, port, log)
        # One process, not two (a Django start is ~0.8 s of CPU): the serving environment's
        # deploy check (its warnings go to stderr), then the pages, printed last.
        found = _manage(services.serving_env, "shell", "-c", _CHECK_DEPLOY + _FIND_PAGES)
        assert found.returncode == 0, found.stderr
        yield SimpleNamespace(
            base_url=base_url,
            env=services.env,
            serving_env=services.serving_env,
            endpoint=services.endpoint,
            client=services.client,
            directory=directory,
            pages=json.loads(found.stdout.strip().splitlines()[-1]),
            serving_deploy_check=found.stdout + found.stderr,
            timings=services.timings,
            log=log,
        )


# ``manage.py check --deploy`` in the serving environment (plain HTTP on loopback).
_CHECK_DEPLOY = """
from django.core.management import call_command
call_command("check", deploy=True)
"""

# The pages the tests visit, as the site itself names them: the walk's media (a paper with
# figures, a report with a cover, a session with slides) and the pages Lighthouse scores
# (its session has no recording: the YouTube frame would reach the internet).
_FIND_PAGES = """
import json
from django.urls import reverse
from blog.models import Report
from papers.models import Paper
from readinggroup.models import Presentation
paper = Paper.objects.published().filter(figures__isnull=False).first()
report = Report.objects.published().exclude(cover="").first()
with_slides = Presentation.objects.published().exclude(slides="")
print(json.dumps({
    "home": "/",
    "paper list": reverse("papers:paper_list"),
    "paper": paper.get_absolute_url(),
    "report": report.get_absolute_url(),
    "session": with_slides.first().get_absolute_url(),
    "session without recording": with_slides.filter(recording_url="").first().get_absolute_url(),
}))
"""


def test_demo_media_is_in_the_bucket_and_not_on_local_disk(production_stack):
    keys = {
        item["Key"]
        for item in production_stack.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    }
    for folder in ("figures/", "covers/", "readinggroup/slides/", "readinggroup/covers/"):
        assert any(key.startswith(folder) for key in keys), f"no {folder} in the bucket"
    local = production_stack.directory / "no-local-media"
    assert not local.exists() or not any(local.rglob("*"))


def test_health_check_answers_200(production_stack):
    with urllib.request.urlopen(production_stack.base_url + "/healthz", timeout=10) as response:  # noqa: S310
        assert response.status == 200


@pytest.mark.browser
def test_browser_walk_finds_every_image_and_pdf(
    production_stack, _allow_orm_beside_playwright, page
):
    # (_allow_orm_beside_playwright: Playwright's loop stays in this thread for later tests.)
    errors, failed, media = [], [], {}
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else 0)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    # Only the site's, the bucket's and other web requests (not the browser's PDF viewer).
    page.on(
        "requestfailed",
        lambda r: failed.append(f"{r.url}: {r.failure}") if r.url.startswith("http") else 0,
    )

    def seen(response):
        if response.request.resource_type == "image" or "application/pdf" in (
            response.headers.get("content-type", "")
        ):
            media[response.url] = response.status
        elif response.status >= 400:
            failed.append(f"{response.url}: {response.status}")

    page.on("response", seen)
    # The web requests under way (the site's and the bucket's); the browser's own PDF viewer
    # loads dozens of chrome-extension:// modules, which are not the site's to wait for.
    in_flight, pdfs, finished = set(), set(), set()
    web = lambda r: r.url.startswith("http")  # noqa: E731
    page.on("request", lambda r: in_flight.add(r) if web(r) else 0)
    page.on("requestfinished", lambda r: (in_flight.discard(r), finished.add(r.url)))
    page.on("requestfailed", lambda r: in_flight.discard(r))
    page.on(
        "response",
        lambda r: pdfs.add(r.url) if "application/pdf" in r.headers.get("content-type", "") else 0,
    )

    def settle(images, frames, timeout=60.0):
        """Wait for what the walk checks, not for the network to go quiet: every shown image
        loaded (or broken), each slides frame's PDF received in full, no web request left.
        (``networkidle`` also waits on the PDF viewer's own loads: in CI it once took > 15 s.)"""
        if images:
            page.wait_for_function(
                "imgs => imgs.every(img => img.complete)",
                arg=[image.element_handle() for image in images],
                timeout=timeout * 1000,
            )
        deadline = time.monotonic() + timeout
        while (len(pdfs & finished) < frames or in_flight) and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright deliver the events
        assert len(pdfs & finished) >= frames, f"slides not received: {pdfs - finished}"
        assert not in_flight, [r.url for r in in_flight]

    # Tests never reach the internet: the recording's YouTube frame gets an empty page.
    page.route(
        re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=""),
    )
    page.set_default_timeout(15_000)
    started = time.monotonic()
    for path in [production_stack.pages[name] for name in ("home", "paper", "report", "session")]:
        pdfs.clear()
        finished.clear()
        page.goto(production_stack.base_url + path, wait_until="load")
        # Lazy images and the slides frame load once they are near the viewport.
        shown = [e for e in page.locator("img, iframe.pdf-viewer").all() if e.is_visible()]
        for element in shown:
            element.scroll_into_view_if_needed()
        settle(
            [e for e in shown if e.evaluate("e => e.tagName") == "IMG"],
            frames=sum(e.evaluate("e => e.tagName") == "IFRAME" for e in shown),
        )
        images = page.locator("img").all()
        assert images, f"{path} shows no image"
        for image in images:
            src = image.evaluate("img => img.currentSrc || img.src")
            if image.is_visible():
                assert image.evaluate("img => img.complete && img.naturalWidth > 0"), src
            else:  # e.g. the first-slide fallback, shown where a browser has no PDF viewer
                media[src] = page.request.get(src).status
        for frame in page.locator("iframe.pdf-viewer").all():
            # The viewer's address redirects to a signed URL of the private object.
            slides = page.request.get(production_stack.base_url + frame.get_attribute("src"))
            assert slides.status == 200, slides.url
            assert slides.headers["content-type"] == "application/pdf"
            assert slides.url.startswith(production_stack.endpoint)
            media[slides.url] = slides.status
    walk_seconds = time.monotonic() - started

    bucket_urls = [url for url in media if url.startswith(production_stack.endpoint)]
    assert any("/figures/" in url for url in bucket_urls)
    assert any("/covers/" in url for url in bucket_urls)
    assert any("/readinggroup/covers/" in url for url in bucket_urls)
    assert any("/readinggroup/slides/" in url for url in bucket_urls)
    assert {url: status for url, status in media.items() if status != 200} == {}
    assert failed == []
    assert errors == [], "\n".join(errors)
    print(
        f"timings: {production_stack.timings}, walk {walk_seconds:.1f}s, {len(media)} media files"
    )


def test_check_deploy_is_clean_in_the_production_environment(production_stack):
    result = _manage(production_stack.env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_only_the_loopback_http_overrides_are_flagged_by_check_deploy(production_stack):
    """The walk's two plain-HTTP settings are all that separates it from production. The
    check ran with the stack's page lookup, in the environment gunicorn serves with."""
    output = production_stack.serving_deploy_check
    flagged = set(re.findall(r"\(security\.W\d+\)", output))
    # W010, not W012: our SessionMiddleware (papers/site/cache.py) subclasses Django's, and
    # Django's check names the insecure session cookie by the app when it cannot find its
    # own middleware's path; both say SESSION_COOKIE_SECURE is off.
    assert flagged == {"(security.W008)", "(security.W010)", "(security.W016)"}, output
