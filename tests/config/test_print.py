"""Printed papers, reports and sessions (Chromium's print media and its PDF): no site
chrome, the address of each outside link written out, code wrapped rather than cut, figures
kept with their captions."""

from pathlib import Path

import pytest

from tests.blog.factories import ReportFactory
from tests.pages import add_walk_content
from tests.readinggroup.factories import session_with_everything

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def after_content(link):
    return link.evaluate("a => getComputedStyle(a, '::after').content")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_papers_reports_and_sessions_print_without_chrome_and_with_link_addresses(
    demo_loaded, site
):
    page, base = site
    paper = add_walk_content()  # after the demo (demo_loaded)
    SHOTS.mkdir(exist_ok=True)
    pages = {
        "paper": paper.get_absolute_url(),
        "report": ReportFactory(
            body="## Idea\n\nAs [the scaling-laws paper](https://arxiv.org/abs/2001.08361) "
            "puts it, $L(N) = (N_c / N)^{\\alpha_N}$.\n\n```python\nflops = "
            + " + ".join(f"layer_{i}" for i in range(40))
            + "\n```\n",
            with_cover=True,
        ).get_absolute_url(),
        "session": session_with_everything(number=900).get_absolute_url(),
    }
    for name, url in pages.items():
        assert page.goto(f"{base}{url}").status == 200, url
        page.emulate_media(media="print", color_scheme="dark")
        for chrome in (".site-header", ".site-footer", ".header-search"):
            assert page.locator(chrome).evaluate("e => getComputedStyle(e).display") == "none"
        assert page.locator("main a[href^='http']").count(), name
        outside = page.locator("main a[href^='http']").first
        href = outside.get_attribute("href")
        assert href in after_content(outside), (name, href)
        # Printed from a dark desktop, the page is still dark text on white.
        colours = page.evaluate(
            "() => [getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
        )
        assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], (name, colours)
        for pre in page.locator("main pre").all():
            assert pre.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
        for figure in page.locator("main figure").all():
            assert figure.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
        pdf = page.pdf(path=str(SHOTS / f"print-{name}.pdf"), format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
        page.screenshot(path=str(SHOTS / f"print-{name}.png"), full_page=True)
        page.emulate_media(media="screen", color_scheme="light")
        assert page.locator(".site-header").is_visible()
        assert after_content(outside) == "none"
    # The paper's code block and display math reach the printout.
    page.goto(f"{base}{paper.get_absolute_url()}")
    page.emulate_media(media="print")
    assert page.locator("main .highlight pre").is_visible()
    assert page.locator("main math[display=block]").is_visible()
