"""Lighthouse (the npm package, at the version .ci/node pins) scores the production profile:
gunicorn with DEBUG=0, PostgreSQL, Redis and S3 media, with the demo content: the stack
tests/config/test_production.py checks (the same one, built once for both modules). Home,
the paper list, a paper with figures, a report and a session with slides must each score
at least 95 in all four categories.

Lighthouse's defaults (a mobile phone on a throttled network, throttling simulated), with
the CPU slowdown calibrated to this machine as Lighthouse's docs/throttling.md describes
("Calibrating the CPU slowdown"). Its default 4x "moves a typical run in the high-end
desktop bracket somewhere into the mid-tier mobile bracket"; a machine whose benchmark
index (every report's ``environment.benchmarkIndex``, "CPU/Memory Power") is lower takes
the multiplier Lighthouse's CPU slowdown calculator computes from that index
(cpu_slowdown). The simulated metrics scale the CPU time this machine took, so a machine
busy with other work (this one's index swung between ~200 and ~1,800 from one run to the
next) would otherwise be scored as a far slower phone than a mid-tier one. Every run is
calibrated from the index the run before it measured; the first from Lighthouse's
benchmark alone (run twice, ~2 s). When each page's first run had the default 4x, 5 of
40 fell short at load 2-16 and were run twice more, calibrated (docs/PERFORMANCE.md,
lighthouse91).
Pages that would reach the internet (a recording's YouTube frame) are not chosen, and
Chromium is kept from calling home: tests stay offline.
"""

import itertools
import json
import queue
import signal
import statistics
import subprocess
import threading
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

# Lighthouse's settings (its default config): only these categories, a minute for a load
# on a busy machine. The full-page screenshot only illustrates the HTML report's elements
# (no audit reads it, so no score changes): 1-2 s a run not spent on it.
FLAGS = {
    "onlyCategories": list(CATEGORIES),
    "maxWaitForLoad": 60_000,
    "disableFullPageScreenshot": True,
}

# Lighthouse's errors for a trace it failed to record ("Please run Lighthouse again"): a
# fault of the tool's run, not a finding about the page. Such a run is made again.
TRACE_ERRORS = ["NO_TRACING_STARTED", "NO_RESOURCE_REQUEST", "NO_NAVSTART", "NO_DCL", "NO_FMP"]
TRACE_ATTEMPTS = 3
RUN_TIMEOUT = 240  # seconds for a run (and its runs again)


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
    formula of the throttling calculator it links to), at most Lighthouse's default 4. 4
    assumes a fast desktop; a machine shared by busy test runs needs less, or the phone it
    emulates is far slower than one."""
    if benchmark_index >= 1300:
        multiplier = 3 + (benchmark_index - 1300) / 233
    elif benchmark_index >= 800:
        multiplier = 2 + (benchmark_index - 800) / 500
    else:
        multiplier = 1 + (benchmark_index - 150) / 650
    return min(4.0, max(1.0, multiplier))


class Lighthouse:
    """The module's Lighthouse runs, one after the other, in one node process and one
    Chromium (.ci/node/lighthouse-pages.mjs, Lighthouse's Node API): the CLI paid a node
    start, Lighthouse's import and a Chromium for every run. Each run has a browser
    context of its own, as a fresh Chromium's profile (the script says why).

    Each run's CPU slowdown is cpu_slowdown of ``benchmark_index``: the index the last run
    reported, or before the first, the one Lighthouse's benchmark measured on its own."""

    def __init__(self, directory):
        self.log = directory / "lighthouse-node.log"
        self.process = None
        self.benchmark_index = None

    def start(self):
        settings = {
            "chromePath": CHROMIUM,
            "chromeFlags": CHROMIUM_FLAGS,
            "flags": FLAGS,
            "retryCodes": TRACE_ERRORS,
            "attempts": TRACE_ATTEMPTS,
        }
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [*validators.lighthouse(), json.dumps(settings)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
        # Answers are read by a thread, so that a run that never ends fails after a time.
        self.answers = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout):
        for line in stdout:
            self.answers.put(line)
        self.answers.put("")  # the process ended

    def _ask(self, request, what):
        """The script's answer to ``request`` (``what`` names it in a failure)."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        try:
            line = self.answers.get(timeout=RUN_TIMEOUT)
        except queue.Empty:
            self.close()
            pytest.fail(f"lighthouse {what}: no answer after {RUN_TIMEOUT} s")
        assert line, f"lighthouse {what}: node ended: {self.log.read_text()[-3000:]}"
        answer = json.loads(line)
        assert answer["error"] is None, f"lighthouse {what}: {answer['error']}"
        return answer

    def slowdown(self):
        """The CPU slowdown calibrated to the machine as last measured."""
        if self.benchmark_index is None:
            self.benchmark_index = self._ask({"benchmark": True}, "benchmark")["benchmarkIndex"]
        return cpu_slowdown(self.benchmark_index)

    def run(self, url, report, diagnostics=False):
        """``({category: score out of 100}, audits under 0.9, benchmark index, slowdown)``
        of one Lighthouse run on ``url`` with the calibrated CPU slowdown (the JSON report
        is kept at ``report``). Without ``diagnostics``, the audits no category score reads
        are skipped (the script says which): the scores are the same, the audits under 0.9
        only the scored ones."""
        warm(url)
        slowdown = self.slowdown()
        request = {
            "url": url, "output": str(report), "slowdown": slowdown, "diagnostics": diagnostics,
        }  # fmt: skip
        answer = self._ask(request, url)
        for code in answer["retried"]:
            print(f"lighthouse {url}: {code}, run again")
        data = json.loads(report.read_text())
        self.benchmark_index = data["environment"]["benchmarkIndex"]
        assert data.get("runtimeError") is None, f"lighthouse {url}: {data['runtimeError']}"
        failing = {
            audit["id"]: audit.get("displayValue") or audit["score"]
            for audit in data["audits"].values()
            if audit.get("score") is not None and audit["score"] < 0.9
            and audit["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        }  # fmt: skip
        # A category has no score when one of its audits failed to run.
        errors = {
            audit["id"]: audit.get("errorMessage")
            for audit in data["audits"].values()
            if audit["scoreDisplayMode"] == "error"
        }
        unscored = [name for name in CATEGORIES if data["categories"][name]["score"] is None]
        assert not unscored, f"lighthouse {url}: no {unscored} score; audits in error: {errors}"
        scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
        return scores, failing, self.benchmark_index, slowdown

    def close(self):
        if self.process is None:
            return
        self.process.stdin.close()  # the script's loop ends, and it stops Chromium
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # A run still going: chrome-launcher stops its Chromium on SIGINT (a killed
            # node would leave it running, in a process group of its own).
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def lighthouse(production_stack):
    runner = Lighthouse(production_stack.directory)
    yield runner
    runner.close()


@pytest.mark.parametrize("page", ["home", "paper list", "paper", "report", "session"])
def test_lighthouse_scores_at_least_95_in_every_category(production_stack, lighthouse, page):
    pages = {
        **production_stack.pages,
        "session": production_stack.pages["session without recording"],
    }
    url = production_stack.base_url + pages[page]
    stem = production_stack.directory / "lighthouse" / page.replace(" ", "-")
    stem.parent.mkdir(exist_ok=True)
    runs = [lighthouse.run(url, stem.with_suffix(".1.json"))]

    def median():
        return {name: statistics.median(run[0][name] for run in runs) for name in CATEGORIES}

    # When the first run falls short, more runs (each calibrated as the run before measured
    # the machine: a shared machine's speed swings by 3x within minutes), and the median is
    # judged: of 3 runs, else of 5 (Lighthouse's advice on variance). Runs 4 and 5, made
    # only when three left the page short, also run the audits that score nothing: a
    # failure's message then names the diagnostics (render-blocking CSS, long tasks, the
    # LCP element...) besides the metrics.
    while min(median().values()) < MINIMUM and len(runs) < 5:
        for _ in range(2):
            report = stem.with_suffix(f".{len(runs) + 1}.json")
            runs.append(lighthouse.run(url, report, diagnostics=len(runs) >= 3))
    scores = median()
    print(
        f"lighthouse {page} {pages[page]}: median {scores} of {[run[0] for run in runs]}, "
        f"benchmark index {[run[2] for run in runs]}, slowdown {[run[3] for run in runs]}"
    )
    short = {name: score for name, score in scores.items() if score < MINIMUM}
    failing = [run[1] for run in runs]
    assert not short, f"{page} {pages[page]}: {short} below {MINIMUM}; audits below 0.9: {failing}"


def test_runs_without_diagnostics_leave_only_scored_audits_in_the_categories(production_stack):
    """The audits a run skips are those no category score reads: in its report every audit
    of weight 0 is one Lighthouse found not applicable (it zeroes their weights); a run
    with diagnostics (the 4th and 5th of a page) also has the unscored ones. Reads the
    module's reports; a run of its own only if the module made none (e.g. ``-k``)."""
    reports = sorted((production_stack.directory / "lighthouse").glob("*.json"))
    if not reports:
        runner = Lighthouse(production_stack.directory)
        reports = [production_stack.directory / "skip.1.json"]
        try:
            runner.run(production_stack.base_url + "/", reports[0])
        finally:
            runner.close()
    for report in reports:
        data = json.loads(report.read_text())
        unscored = [
            ref["id"]
            for name in CATEGORIES
            for ref in data["categories"][name]["auditRefs"]
            if ref["weight"] == 0 and data["audits"][ref["id"]]["scoreDisplayMode"] != "notApplicable"
        ]  # fmt: skip
        diagnostics = int(report.suffixes[-2][1:]) >= 4  # <page>.<run>.json
        assert bool(unscored) == diagnostics, f"{report.name}: {unscored}"


def test_every_run_has_the_slowdown_calibrated_from_the_benchmark_index_before_it(
    production_stack,
):
    """Each run's CPU slowdown (in its report's settings, logged by the script in the
    order the runs were made) is cpu_slowdown of the benchmark index the run before it
    reported, or for a node process's first run, of the benchmark made before it; a run
    made again after a trace error keeps its run's slowdown. Reads the module's log; runs
    of its own only if the module made fewer than two (e.g. ``-k``)."""

    def logged():
        log = production_stack.directory / "lighthouse-node.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [json.loads(line) for line in lines if line.startswith("{")]

    runs = logged()
    if sum("slowdown" in run for run in runs) < 2:
        runner = Lighthouse(production_stack.directory)
        try:
            for number in (1, 2):
                report = production_stack.directory / f"calibrated.{number}.json"
                runner.run(production_stack.base_url + "/", report)
        finally:
            runner.close()
        runs = logged()
    assert runs[0].get("benchmark"), runs[0]  # a node process measures before it runs
    for before, run in itertools.pairwise(runs):
        if run.get("benchmark"):
            continue
        if run["attempt"] > 1:  # the same run made again: the same slowdown
            assert run["slowdown"] == before["slowdown"], run
        else:
            assert run["slowdown"] == pytest.approx(cpu_slowdown(before["benchmarkIndex"])), run
    assert all(1 <= run["slowdown"] <= 4 for run in runs if "slowdown" in run), runs


def test_cpu_slowdown_follows_lighthouse_calibration_and_stays_between_1_and_4():
    assert cpu_slowdown(2500) == 4.0  # fast desktop: Lighthouse's default
    assert cpu_slowdown(1300) == 3.0
    assert cpu_slowdown(800) == 2.0
    assert cpu_slowdown(475) == 1.5
    assert cpu_slowdown(100) == 1.0  # slower than a mid-range phone: no slowdown
