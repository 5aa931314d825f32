"""One Chromium visit per public page, for the whole-site browser checks.

The CSP walk (test_csp.py) and the accessibility audit (test_browser_a11y.py) look at the
same pages. Each page is loaded once, under the site's real Content-Security-Policy: its
violations are collected, then axe-core audits it in the light and the dark colour scheme.
The results are kept per page; each test asserts its own part, so a failure names the
check and the page. ``tests/config/conftest.py`` runs the walk once per xdist worker, and
both tests carry the xdist group ``WALK_GROUP`` so that they land on the same worker.

A page counts as loaded when its ``load`` event has fired, its fonts are ready and no
request it started is still open (counted from Playwright's request events): the page's
own resources, without the 500 ms of network silence per page that ``networkidle`` waits.
"""

import contextlib
import time
from dataclasses import dataclass, field

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.pages import QUERY_PAGES, public_pages_by_route

WALK_GROUP = "public_page_walk"

# Pages per route: every one the CSP walk visits; the first AXE_PER_ROUTE of each route are
# also audited by axe (most of a page's cost), plus every page behind a query string.
PER_ROUTE = 6
AXE_PER_ROUTE = 4

# Runs before any page script (Playwright injects it outside the page's CSP) and records
# every violation the browser reports, which the console alone may summarise.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""

# Fonts ready, then two animation frames: lazy images near the viewport have asked for
# their files, and violation events already queued have been dispatched. Returns the
# document's violation events (:meth:`Violations._keep_events`), so the last wait of a
# visit also collects them, without a round trip of its own.
_FRAMES = """async () => {
  await document.fonts.ready;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [performance.timeOrigin, window.__csp || []];
}"""
_EVENTS = "[performance.timeOrigin, window.__csp || []]"


class Violations:
    """Collects CSP complaints from the console and from securitypolicyviolation events,
    and knows when the page's requests are done (:meth:`settle`)."""

    def __init__(self, page):
        self.page, self.console, self.events, self.open = page, [], [], set()
        self._kept = (None, 0)  # (the document's timeOrigin, how many of its events kept)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("request", self._opened)
        page.on("requestfinished", self._closed)
        page.on("requestfailed", self._closed)

    def _opened(self, request):
        self.open.add(request)

    def _closed(self, request):
        self.open.discard(request)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def settle(self, timeout=15):
        """Wait until the loaded page's fonts are ready and none of its requests is open;
        returns the document's events then (``[timeOrigin, events]``)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.page.evaluate(_FRAMES)
            if not self.open:
                return events
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.page.url}: still loading {[r.url for r in self.open]}")
            self.page.wait_for_timeout(20)

    def visit(self, url):
        """Load ``url``, wait for its own resources, keep the violations its events reported
        (the init script starts a new list on every page)."""
        self.open.clear()  # what the previous page left open was cancelled by leaving it
        response = self.page.goto(url)
        self._keep_events(self.settle())
        return response

    def _keep_events(self, read=None):
        """Keep the current document's events not kept yet (a test that acts on a loaded
        page sees what its actions caused; a new document starts a new list). ``read``:
        ``[timeOrigin, events]`` just read from the page (by :meth:`settle`)."""
        document, events = read or self.page.evaluate(_EVENTS)
        kept = self._kept[1] if self._kept[0] == document else 0
        self.events += [f"{self.page.url}: {event}" for event in events[kept:]]
        self._kept = (document, len(events))

    def prove_they_are_seen(self):
        """Inject an inline script: ``{check: bool}``, each True when the browser blocked it
        and reported it (event and console); clears what the proof itself caused."""
        self.page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = true'; document.body.append(s); }"
        )
        with contextlib.suppress(PlaywrightTimeoutError):  # then "event" is False
            self.page.wait_for_function("window.__csp.length > 0", timeout=5_000)
        seen = {
            "blocked": self.page.evaluate("window.__ran === undefined"),
            "event": self.page.evaluate("window.__csp.length > 0"),
        }
        deadline = time.monotonic() + 5
        while not self.console and time.monotonic() < deadline:
            self.page.wait_for_timeout(20)
        seen["console"] = any("inline script" in message for message in self.console)
        self.console.clear()
        self.page.evaluate("window.__csp = []")
        self._kept = (None, 0)
        return seen

    def found(self):
        self._keep_events()
        return self.console + self.events


# --- axe-core ---------------------------------------------------------------------------

SCHEMES = ("light", "dark")
# What a colour scheme can change: the colours (a CSS media query changes no markup; the
# dark scheme's CSS sets nothing else: test_browser_a11y.py's
# test_the_dark_scheme_changes_only_colours).
DARK_RULES = ["color-contrast", "link-in-text-block"]


def inject_axe(page, script):
    """Define ``window.axe`` in every document ``page`` loads from now on. An init script of
    the DevTools protocol, which the page's CSP does not govern (a <script> tag would
    rightly be refused), so the page is audited as a visitor gets it, with the policy in
    force. Sent once, not with each page (~0.5 MB through node and the browser process,
    ~45 ms of CPU a page), and run before the page's own scripts, which never read it.
    (Evaluated in the audited pages only instead, 49 of the walk's 71 loads, it cost as
    much: docs/PERFORMANCE.md, helper browserwalk90.)"""
    page.add_init_script(script=script.read_text(encoding="utf-8"))


# The page's own document, not its frames: axe is in them too (an init script runs in every
# frame), and auditing them would add the browser's PDF viewer and the error page of an
# unreachable video to the site's pages. (A frame without axe costs axe.run a 500 ms wait.)
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": False}


def axe_violations(page, rules=None):
    """axe's violations on the loaded page, each as "rule (impact): help — targets"."""
    options = AXE_OPTIONS | ({"runOnly": rules} if rules else {})
    # Only the violations cross the protocol: the passes, incomplete and inapplicable
    # lists (one node each, every rule) were most of the JSON the test process parsed.
    violations = page.evaluate(
        "(options) => axe.run(document, options).then((results) => results.violations)", options
    )
    found = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:4]) + (
            f" and {len(targets) - 4} more" if len(targets) > 4 else ""
        )
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(targets)} elements): "
            f"{violation['help']} — {shown} — {summary[:200]}"
        )
    return found


def audit(page, scheme):
    """``{scheme: [violation, …]}`` for the loaded page, shown in ``scheme`` (axe defined
    by :func:`inject_axe`). Every rule in the light scheme; in the dark one only what the
    scheme changes (colours), which halves the time. The page is audited in ``scheme``,
    then switched in place to the other and left in it: the next page loads in that one and
    is audited in it first, so each page costs one switch (a restyle of the whole page)."""
    other = SCHEMES[1 - SCHEMES.index(scheme)]
    found = {}
    for shown in (scheme, other):
        if shown != scheme:
            page.emulate_media(color_scheme=shown)
        found[shown] = axe_violations(page, DARK_RULES if shown == "dark" else None)
    return {name: found[name] for name in SCHEMES}


# --- the walk ---------------------------------------------------------------------------


@dataclass
class Visit:
    url: str
    status: int
    expected_status: int
    axe: dict = field(default_factory=dict)  # {scheme: [violation, …]}, audited pages only


@dataclass
class Walk:
    visits: list
    csp_violations: list  # every complaint, "url: text", console and events
    csp_proof: dict  # prove_they_are_seen() on the home page
    paper: dict  # what the paper with everything showed (figure, table)

    @property
    def audited(self):
        return [visit for visit in self.visits if visit.axe]


def walk_public_pages(page, base, paper, axe):
    """Visit every public page once (see the module docstring); ``paper`` is the one
    :func:`tests.pages.add_walk_content` made, ``axe`` the path of axe.min.js (None: no audit)."""
    by_route = public_pages_by_route(PER_ROUTE)
    sample = {url for urls in by_route.values() for url in urls[:AXE_PER_ROUTE]}
    pages = {url: 200 for urls in by_route.values() for url in urls} | QUERY_PAGES
    violations = Violations(page)
    if axe:
        inject_axe(page, axe)
    scheme = "light"  # the context's; each audit leaves the page in the other one
    violations.visit(f"{base}/")
    proof = violations.prove_they_are_seen()
    visits = []
    for url, expected in sorted(pages.items()):
        visit = Visit(url, violations.visit(f"{base}{url}").status, expected)
        if axe and (url in sample or url in QUERY_PAGES):
            visit.axe = audit(page, scheme)
            scheme = SCHEMES[1 - SCHEMES.index(scheme)]
        visits.append(visit)
    # The paper page really shows what the policy could block: a figure, a table.
    violations.visit(f"{base}{paper.get_absolute_url()}")
    figure = page.locator("figure img").first
    shown = {
        "figure visible": figure.is_visible(),
        "figure width": figure.evaluate("img => img.naturalWidth"),
        "right-aligned cells": page.locator("td[align=right]").count(),
    }
    # Late console messages (the browser sends them apart from the page's events).
    page.wait_for_timeout(200)
    return Walk(visits, violations.found(), proof, shown)
