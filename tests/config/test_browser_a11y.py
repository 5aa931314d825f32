"""axe-core in Chromium: every kind of public page has no accessibility violation, in the
light and in the dark colour scheme.

One browser page walks them all; on each, axe runs once per colour scheme (the scheme is
switched in place, the page is not loaded twice). axe is injected by Playwright into a
context that bypasses the site's CSP: the policy rightly refuses a script the site does
not serve, and the audit is of the page, not of the policy (test_csp.py checks that).
"""

import pytest

from tests.pages import QUERY_PAGES, make_content, public_pages
from tests.validators import axe_script

SCHEMES = ("light", "dark")
# What a colour scheme can change: the colours (a CSS media query changes no markup).
DARK_RULES = ["color-contrast", "link-in-text-block"]
# Pages per route for this walk (the HTML check takes more): axe takes a second a page.
PER_ROUTE = 4


def axe_violations(page, rules=None):
    """axe's violations on the loaded page, each as "rule (impact): help — targets"."""
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    results = page.evaluate("(options) => axe.run(document, options)", options)
    found = []
    for violation in results["violations"]:
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


@pytest.fixture
def audit_page(_allow_orm_beside_playwright, live_server, browser):
    context = browser.new_context(bypass_csp=True, color_scheme="light")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page, live_server.url
    context.close()


def audit(page, url, script):
    """``{scheme: [violation, …]}`` for the page at ``url``: every rule in the light
    scheme; in the dark one only what the scheme changes (colours), which halves the time."""
    page.goto(url)
    page.add_script_tag(path=str(script))
    page.emulate_media(color_scheme="light")
    found = {"light": axe_violations(page)}
    page.emulate_media(color_scheme="dark")
    found["dark"] = axe_violations(page, DARK_RULES)
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_public_page_passes_axe_in_light_and_dark(audit_page):
    script = axe_script()
    page, base = audit_page
    make_content()
    urls = public_pages(PER_ROUTE) + list(QUERY_PAGES)
    assert "/api/docs" in urls and "/search/" in urls

    problems = {scheme: {} for scheme in SCHEMES}
    for url in urls:
        for scheme, found in audit(page, f"{base}{url}", script).items():
            if found:
                problems[scheme][url] = found

    counts = {scheme: sum(len(v) for v in by_url.values()) for scheme, by_url in problems.items()}
    report = "\n".join(
        f"[{scheme}] {url}\n  " + "\n  ".join(found)
        for scheme, by_url in problems.items()
        for url, found in sorted(by_url.items())
    )
    assert counts == {"light": 0, "dark": 0}, (
        f"axe violations {counts} on {len(urls)} pages:\n{report}"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_reports_what_it_should_on_a_bad_page(audit_page):
    """The walk above can fail: axe, injected this way, sees a missing alt and bad contrast."""
    script = axe_script()
    page, base = audit_page
    page.goto(f"{base}/no-such-page/")
    page.evaluate(
        """() => {
          const img = document.createElement('img');
          img.src = '/static/img/favicon.svg';
          const faint = document.createElement('p');
          faint.textContent = 'faint text';
          faint.style.color = '#bbb';
          faint.style.background = '#fff';
          document.querySelector('main').append(img, faint);
        }"""
    )
    page.add_script_tag(path=str(script))
    rules = {line.split(" ")[0] for line in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= rules
