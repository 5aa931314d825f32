"""Scale-out, end to end: two gunicorn app servers and one job worker share one PostgreSQL,
one Redis and one S3 server (docs/DEPLOY.md, "Recipe 2" and "Workers").

Server A takes the editor's uploads and saves (through the admin, in Chromium); server B
serves visitors. What A stores, the worker processes and B shows: slides uploaded on A
get their cover from the worker and appear on B; a save on A is on B's cached pages at
the next request (the page cache's version lives in the shared Redis); an import started
on A is followed to the end from B (the upload and the job live in the database).
"""

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from tests.config.test_production import PRODUCTION_MARKS as production_marks
from tests.config.test_production import ROOT, _manage, production_services, start_gunicorn
from tests.ports import free_port
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = [*production_marks, pytest.mark.browser]

PASSWORD = "scale-out-pw-4821"  # noqa: S105 - a throwaway account in a throwaway database


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("scale-out")
    port_a, port_b = free_port(), free_port()
    steps = (("migrate", "--noinput"), ("collectstatic", "--noinput"))
    with production_services(
        directory,
        f"http://127.0.0.1:{port_a}",
        steps=steps,
        suffix="scale_out",
    ) as services:
        env = {**services.serving_env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
        made = _manage(env, "createsuperuser", "--noinput", "--username", "editor",
                       "--email", "editor@example.org")  # fmt: skip
        assert made.returncode == 0, made.stderr
        a = start_gunicorn(services, port_a, directory / "a.log")
        b = start_gunicorn(services, port_b, directory / "b.log")
        worker_log = directory / "worker.log"
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
            cwd=ROOT, env=services.serving_env, stdout=worker_log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        services.stack.callback(lambda: (worker.terminate(), worker.wait(timeout=30)))
        for server, log in ((a, "a.log"), (b, "b.log")):
            status, _, _, _ = _get(server + "/admin/login/")
            assert status == 200, (directory / log).read_text()
        yield SimpleNamespace(a=a, b=b, services=services, worker_log=worker_log)


def _get(url):
    """Status, headers and body of a GET as a visitor (no cookies), redirects followed."""
    try:
        # Generous: a gunicorn worker's first request imports the whole site (~10 s on a
        # loaded 2-core machine that also runs the other server, the worker and Chromium).
        with urllib.request.urlopen(url, timeout=90) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read(), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), url


def _wait_for(predicate, what, log, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} not seen after {seconds} s; worker log:\n{log.read_text()}")


@pytest.fixture
def editor_on_a(cluster, _allow_orm_beside_playwright, page):
    page.set_default_timeout(60_000)  # two app servers, a worker and Chromium on 2 cores
    page.goto(cluster.a + "/admin/login/?next=/admin/", wait_until="domcontentloaded")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    return page


def test_slides_uploaded_on_a_get_their_cover_from_the_worker_and_show_on_b(
    cluster, editor_on_a, tmp_path
):
    page = editor_on_a
    slides = tmp_path / "deck.pdf"
    slides.write_bytes(pdf_bytes(3, color=(30, 160, 60)))
    page.goto(cluster.a + "/admin/readinggroup/presentation/add/")
    page.fill("#id_title", "Two servers, one worker")
    page.select_option("#id_status", "published")
    page.fill("#id_scheduled_at_0", "2025-04-10")
    page.fill("#id_scheduled_at_1", "17:00:00")
    page.set_input_files("#id_slides", str(slides))
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))
    assert page.get_by_text("Slides queued for checking; the cover appears when done").count()
    number = page.input_value("#id_number")
    session_on_b = f"{cluster.b}/reading-group/{number}/"

    def cover_on_b():
        status, _, body, _ = _get(session_on_b)
        assert status == 200
        html = body.decode()
        found = re.search(r'<figure class="session-cover">.*?<img src="([^"]+)"', html, re.S)
        if found is None:  # not yet: B says so
            assert "The slides are being processed" in html, (
                re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[-1500:],
                cluster.worker_log.read_text()[-3000:],
            )
        return found and found.group(1)

    cover_url = _wait_for(cover_on_b, "the cover on server B", cluster.worker_log)

    assert cover_url.startswith(cluster.services.endpoint)  # in the shared bucket
    status, headers, body, _ = _get(cover_url)
    assert status == 200 and body.startswith(b"\x89PNG")
    status, headers, body, final_url = _get(f"{cluster.b}/reading-group/{number}/slides.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert final_url.startswith(cluster.services.endpoint)  # a signed URL of the private object
    assert body.startswith(b"%PDF-")


def test_a_save_on_a_is_on_b_cached_pages_at_the_next_request(cluster, editor_on_a):
    page = editor_on_a
    page.goto(cluster.a + "/admin/readinggroup/presentation/add/")
    page.fill("#id_title", "Cached before the save")
    page.select_option("#id_status", "published")
    page.fill("#id_scheduled_at_0", "2025-05-10")
    page.fill("#id_scheduled_at_1", "17:00:00")
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))
    number = page.input_value("#id_number")
    session_on_b, list_on_b = f"{cluster.b}/reading-group/{number}/", f"{cluster.b}/reading-group/"
    for url in (session_on_b, list_on_b, session_on_b):  # rendered, then served from Redis
        status, _, body, _ = _get(url)
        assert status == 200 and "Cached before the save" in body.decode()

    page.fill("#id_title", "Renamed on server A")
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))

    for url in (session_on_b, list_on_b):
        status, _, body, _ = _get(url)
        html = body.decode()
        assert status == 200
        assert "Renamed on server A" in html and "Cached before the save" not in html


LIBRARY = """@article{first2024,
  title = {Two Servers Share One Queue},
  author = {Ada Example and Ben Sample},
  year = {2024},
}
@inproceedings{second2023,
  title = {A Worker Nobody Serves Pages From},
  author = {Cy Placeholder},
  booktitle = {Proceedings of Examples},
  year = {2023},
}
"""


def test_an_import_started_on_a_is_followed_to_the_end_from_b(cluster, editor_on_a, tmp_path):
    page = editor_on_a
    library = tmp_path / "library.bib"
    library.write_text(LIBRARY)
    page.goto(cluster.a + "/admin/papers/paper/import-bibtex/")
    page.set_input_files("#id_file", str(library))
    page.locator("input[value=Preview]").click()
    page.wait_for_url(re.compile(r".*/admin/papers/job/\d+/change/$"))
    job_path = re.sub(r"^https?://[^/]+", "", page.url)

    # The rest happens on B: the same login (one session table), the same job.
    page.goto(cluster.b + job_path)
    page.get_by_text("Would create (2)").wait_for(timeout=120_000)
    page.locator("input[value=Import]").click()
    page.wait_for_url(re.compile(r".*/admin/papers/job/\d+/change/$"))
    assert page.url.startswith(cluster.b)
    page.get_by_text("Created (2)").wait_for(timeout=120_000)
    assert page.get_by_role("link", name="Two Servers Share One Queue").count()
