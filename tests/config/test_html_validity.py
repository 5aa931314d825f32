"""Every kind of public page is valid HTML for the Nu Html Checker (the W3C's validator).

All pages are saved to files and checked in one Java run (the JVM starts slowly), and a
failure lists each error with its page, line and the markup around it.
"""

import datetime
import json
import re
import subprocess  # noqa: S404 - runs the checker, a fixed local command

import pytest
from django.test import Client

from tests.pages import QUERY_PAGES, add_walk_content, public_responses_by_route
from tests.validators import java, vnu

pytestmark = pytest.mark.django_db

CANARY = "/canary-with-one-error/"


def check_with_vnu(pages, folder):
    """``{url: [message, …]}`` from one vnu run over ``{url: html}``; errors only."""
    files = {}
    for n, (url, html) in enumerate(sorted(pages.items())):
        path = folder / f"page-{n:03d}-{re.sub(r'[^a-z0-9]+', '-', url)[:60]}.html"
        path.write_bytes(html)
        files[str(path.resolve())] = url
    # Plain paths: given file:// URIs, vnu checks nothing and reports no message at all.
    run = subprocess.run(  # noqa: S603
        [*vnu(), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        timeout=600,
        check=True,
    )
    found = {}
    for message in json.loads(run.stderr)["messages"]:
        if message["type"] != "error" and message.get("subType") != "fatal":
            continue
        path = message.get("url", "").removeprefix("file:")
        url = files.get(path, path)
        where = f"line {message.get('lastLine', '?')}"
        found.setdefault(url, []).append(
            f"{where}: {message['message']} …{' '.join(message.get('extract', '').split())}…"
        )
    return found


def test_every_kind_of_public_page_is_valid_html(demo_loaded, tmp_path):
    java()  # skip early (before rendering anything) when the checker is missing
    add_walk_content()
    # The crawl's own responses: each page is rendered once, as the crawl found it.
    pages = {
        url: response.content
        for responses in public_responses_by_route().values()
        for url, response in responses.items()
    }
    client = Client()
    # A page with one known error proves, in this very run, that the files were checked.
    pages[CANARY] = b'<!doctype html><html lang="en"><title>x</title><form action=""></form>'
    for url, status in QUERY_PAGES.items():
        response = client.get(url)
        assert response.status_code == status, url
        pages[url] = response.content
    assert len(pages) > 40, sorted(pages)  # the walk really reached lists and details

    errors = check_with_vnu(pages, tmp_path)
    assert len(errors.pop(CANARY, [])) == 1, "vnu did not check the pages"

    report = "\n".join(
        f"{url}\n  " + "\n  ".join(messages) for url, messages in sorted(errors.items())
    )
    count = sum(len(m) for m in errors.values())
    assert not errors, f"{count} HTML errors on {len(errors)} of {len(pages)} pages:\n{report}"


def test_the_checker_reports_an_invalid_page(tmp_path):
    """The check above can fail: vnu finds the errors the templates had (issue 16)."""
    bad = (
        b'<!doctype html><html lang="en"><head><title>x</title></head><body>'
        b'<form action=""></form><time>March 2024</time>'
        b'<time datetime="2024-03-01T10:00:00.123456+00:00">x</time>'
        b'<span aria-label="x">y</span></body></html>'
    )
    errors = check_with_vnu({"/bad/": bad}, tmp_path)["/bad/"]
    assert len(errors) == 4, errors
    assert any("action" in message for message in errors)
    assert any("aria-label" in message for message in errors)


def test_machine_times_have_no_microseconds_and_paper_dates_keep_their_precision():
    from papers.models import Paper
    from papers.site.templatetags.site_tags import machine_time

    moment = datetime.datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    assert machine_time(moment) == "2024-03-01T10:00:00+00:00"
    assert machine_time(datetime.date(2024, 3, 1)) == "2024-03-01"
    assert Paper(year=2021, month=3).date_iso == "2021-03"
    assert Paper(year=2021).date_iso == "2021"
