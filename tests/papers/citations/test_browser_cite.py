"""The Cite box in headless Chromium: the copy button puts the citation on the clipboard
under the site's Content-Security-Policy; without JavaScript the text is still there."""

import pytest
from playwright.sync_api import expect

from papers.models import Paper
from tests.factories import AuthorFactory, PaperFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lora():
    paper = PaperFactory(title="LoRA: Low-Rank Adaptation of Large Language Models",
                         year=2021, month=6, venue="ICLR", arxiv_id="2106.09685")  # fmt: skip
    paper.authorships.create(author=AuthorFactory(name="Edward J. Hu"), position=0)
    return Paper.objects.get(pk=paper.pk)


def test_copy_button_copies_the_apa_citation_without_csp_violations(site):
    page, base = site
    paper = _lora()
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)  # fmt: skip
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + paper.get_absolute_url())
    expect(page.get_by_role("button", name="Copy APA")).to_be_visible()
    button = page.locator("button[data-copy=citation-apa]")  # its name changes on click
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#citation-apa").inner_text().strip()
    assert copied.startswith("Hu, E. J. (2021, June). LoRA: Low-Rank Adaptation")
    expect(button).to_have_text("Copy APA", timeout=10_000)
    page.locator("button[data-copy=bibtex]").click()
    expect(page.locator("button[data-copy=bibtex]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").startswith("@inproceedings{hu2021lora,")
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_without_javascript_the_citations_are_text_and_no_button_shows(browser, live_server):
    paper = _lora()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + paper.get_absolute_url())
        expect(page.locator("#citation-ieee")).to_contain_text("E. J. Hu, “LoRA")
        expect(page.locator("button.copy")).to_have_count(4)
        for button in page.locator("button.copy").all():
            expect(button).to_be_hidden()
        expect(page.get_by_role("link", name="RIS")).to_have_attribute(
            "href", f"/papers/{paper.slug}.ris"
        )
    finally:
        context.close()
