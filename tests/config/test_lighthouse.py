"""Lighthouse (the npm package, at the version .ci/node pins) scores the production profile:
gunicorn with DEBUG=0, PostgreSQL, Redis and S3 media as tests/config/test_production.py
starts them, with the demo content. Home, the paper list, a paper with figures, a report
and a session with slides must each score at least 95 in all four categories.

Lighthouse's defaults: a mobile phone on a throttled network, throttling simulated. The
CPU time it scales is what this machine took, so a machine busy with other work makes the
page look slower than it is: a page that falls short is run again with the slowdown
calibrated to the machine (cpu_slowdown). Pages that would reach the internet (a recording's
YouTube frame) are not chosen, and Chromium is kept from calling home: tests stay offline.
"""

import json
import os
import statistics
import subprocess
import urllib.request
from urllib.parse import urljoin

import pytest

from tests import validators
from tests.config import test_production as production
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.ports import free_port

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 95

pytestmark = [*production.pytestmark, pytest.mark.browser]

# The pages scored, as the site itself names them.
_FIND_PAGES = """
import json
from django.urls import reverse
from blog.models import Report
from papers.models import Paper
from readinggroup.models import Presentation
paper = Paper.objects.published().filter(figures__isnull=False).first()
report = Report.objects.published().exclude(cover="").first()
session = (
    Presentation.objects.published().exclude(slides="").filter(recording_url="").first()
)
print(json.dumps({
    "home": "/",
    "paper list": reverse("papers:paper_list"),
    "paper": paper.get_absolute_url(),
    "report": report.get_absolute_url(),
    "session": session.get_absolute_url(),
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lighthouse")
    port = free_port()
    steps = (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("demo",))
    with production.production_services(
        directory, f"http://127.0.0.1:{port}", steps=steps, suffix="lighthouse"
    ) as services:
        base_url = production.start_gunicorn(services, port, directory / "gunicorn.log")
        found = production._manage(services.serving_env, "shell", "-c", _FIND_PAGES)
        assert found.returncode == 0, found.stderr
        yield base_url, json.loads(found.stdout.strip().splitlines()[-1]), directory


def warm(url):
    """Ask once for the page and robots.txt, as a visitor before Lighthouse would: a live
    site serves pages from its cache, and a first render on a loaded test machine (seconds,
    not what gunicorn takes on its own) would be scored as the server's response time."""
    for address in (url, urljoin(url, "/robots.txt")):
        with urllib.request.urlopen(address, timeout=60) as response:  # noqa: S310
            assert response.status == 200


def cpu_slowdown(benchmark_index):
    """The CPU slowdown that makes this machine a mid-range phone, from the benchmark index
    Lighthouse measured on it (its docs/throttling.md, "calibrating the CPU slowdown": the
    formula of the throttling calculator it links to). 4 assumes a fast desktop; a machine
    shared by busy test runs needs less, or the phone it emulates is far slower than one."""
    if benchmark_index >= 1300:
        multiplier = 3 + (benchmark_index - 1300) / 233
    elif benchmark_index >= 800:
        multiplier = 2 + (benchmark_index - 800) / 500
    else:
        multiplier = 1 + (benchmark_index - 150) / 650
    return min(4.0, max(1.0, multiplier))


def lighthouse_run(url, report, slowdown=None):
    """``({category: score out of 100}, audits under 0.9, benchmark index)`` of one
    Lighthouse run on ``url`` (the JSON report is kept at ``report``)."""
    warm(url)
    command = [
        *validators.lighthouse(), url, "--quiet", "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
        "--max-wait-for-load=60000",
    ]  # fmt: skip
    if slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={slowdown:.2f}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)  # noqa: S603
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(report.read_text())
    assert data.get("runtimeError") is None, data["runtimeError"]
    failing = {
        audit["id"]: audit.get("displayValue") or audit["score"]
        for audit in data["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9
        and audit["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
    }  # fmt: skip
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    return scores, failing, data["environment"]["benchmarkIndex"]


@pytest.mark.parametrize("page", ["home", "paper list", "paper", "report", "session"])
def test_lighthouse_scores_at_least_95_in_every_category(site, page):
    base_url, pages, directory = site
    url, stem = base_url + pages[page], directory / page.replace(" ", "-")
    runs = [lighthouse_run(url, stem.with_suffix(".1.json"))]

    def median():
        return {name: statistics.median(run[0][name] for run in runs) for name in CATEGORIES}

    # When the first run falls short, more runs, each with the CPU slowdown calibrated to
    # the machine as the run before measured it (a shared machine's speed swings by 3x
    # within minutes), and the median is judged: of 3 runs, else of 5 (Lighthouse's advice
    # on variance). On a quiet fast machine the calibrated slowdown is the default 4.
    while min(median().values()) < MINIMUM and len(runs) < 5:
        for _ in range(2):
            slowdown = cpu_slowdown(runs[-1][2])
            runs.append(lighthouse_run(url, stem.with_suffix(f".{len(runs) + 1}.json"), slowdown))
    scores = median()
    print(
        f"lighthouse {page} {pages[page]}: median {scores} of {[run[0] for run in runs]}, "
        f"benchmark index {[run[2] for run in runs]}"
    )
    failing = [run[1] for run in runs]
    assert min(scores.values()) >= MINIMUM, f"{page}: {scores}; audits below 0.9: {failing}"


def test_cpu_slowdown_follows_lighthouse_calibration_and_stays_between_1_and_4():
    assert cpu_slowdown(2500) == 4.0  # fast desktop: Lighthouse's default
    assert cpu_slowdown(1300) == 3.0
    assert cpu_slowdown(800) == 2.0
    assert cpu_slowdown(475) == 1.5
    assert cpu_slowdown(100) == 1.0  # slower than a mid-range phone: no slowdown
