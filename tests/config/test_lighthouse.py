"""Lighthouse (the npm package, at the version .ci/node pins) scores the production profile:
gunicorn with DEBUG=0, PostgreSQL, Redis and S3 media, with the demo content: the stack
tests/config/test_production.py checks (the same one, built once for both modules). Home,
the paper list, a paper with figures, a report and a session with slides must each score
at least 95 in all four categories.

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

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 95

pytestmark = [
    *production.PRODUCTION_MARKS,
    pytest.mark.browser,
    pytest.mark.xdist_group(production.STACK_GROUP),
]

# Lighthouse's errors for a trace it failed to record ("Please run Lighthouse again"): a
# fault of the tool's run, not a finding about the page. Such a run is made again.
TRACE_ERRORS = {"NO_TRACING_STARTED", "NO_RESOURCE_REQUEST", "NO_NAVSTART", "NO_DCL", "NO_FMP"}
TRACE_ATTEMPTS = 3


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
    for attempt in range(1, TRACE_ATTEMPTS + 1):
        report.unlink(missing_ok=True)
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)  # noqa: S603
        error = report.exists() and (json.loads(report.read_text()).get("runtimeError") or {})
        if result.returncode == 0 or not error or error.get("code") not in TRACE_ERRORS:
            break
        print(f"lighthouse {url}: {error['code']} (run {attempt} of {TRACE_ATTEMPTS})")
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
def test_lighthouse_scores_at_least_95_in_every_category(production_stack, page):
    pages = {
        **production_stack.pages,
        "session": production_stack.pages["session without recording"],
    }
    url = production_stack.base_url + pages[page]
    stem = production_stack.directory / "lighthouse" / page.replace(" ", "-")
    stem.parent.mkdir(exist_ok=True)
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
