"""axe-core in Chromium: every kind of public page has no accessibility violation, in the
light and in the dark colour scheme.

The pages are those of the public-page walk (tests/config/browser_pages.py), which loads
each page once for this audit and the CSP check: axe runs on the page as a visitor gets
it, with the site's policy in force (axe is evaluated through the DevTools protocol, which
the policy does not govern), once per colour scheme (switched in place).
"""

import pytest

from tests.config.browser_pages import (
    SCHEMES,
    WALK_GROUP,
    audit,
)
from tests.pages import QUERY_PAGES
from tests.validators import axe_script


@pytest.mark.browser
@pytest.mark.xdist_group(WALK_GROUP)
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_public_page_passes_axe_in_light_and_dark(public_walk):
    axe_script()  # skip (or fail, in CI) when axe-core is missing
    urls = [visit.url for visit in public_walk.audited]
    assert "/api/docs" in urls and "/search/" in urls
    assert set(QUERY_PAGES) <= set(urls)
    assert len(urls) > 40, urls  # up to browser_pages.AXE_PER_ROUTE of every route

    problems = {scheme: {} for scheme in SCHEMES}
    for visit in public_walk.audited:
        for scheme, found in visit.axe.items():
            if found:
                problems[scheme][visit.url] = found

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
def test_axe_reports_what_it_should_on_a_bad_page_in_both_schemes(site):
    """The walk can fail: axe, injected and run as the walk does (under the site's CSP,
    :func:`audit`), sees a missing alt and bad contrast in the light scheme, and the bad
    contrast in the dark one, whichever scheme the page was loaded in."""
    page, base = site
    for loaded in SCHEMES:
        page.emulate_media(color_scheme=loaded)
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
        found = audit(page, axe_script(), loaded)
        rules = {scheme: {line.split(" ")[0] for line in found[scheme]} for scheme in SCHEMES}
        assert {"image-alt", "color-contrast"} <= rules["light"], (loaded, found)
        assert "color-contrast" in rules["dark"], (loaded, found)
