"""In Chromium: a visitor searches from the header and narrows by year; a reader follows a
``[[wiki-link]]`` from a report to the paper and finds the backlink there."""

import pytest
from playwright.sync_api import expect

from tests.blog.factories import ReportFactory, at
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_searches_from_the_header_narrows_by_year_and_opens_a_result(site):
    page, base_url = site
    PaperFactory(title="Denoising Diffusion Probabilistic Models", alias="DDPM", year=2020)
    PaperFactory(
        title="High-Resolution Image Synthesis with Latent Diffusion Models",
        alias="Stable Diffusion",
        year=2021,
        abstract="Diffusion in the latent space of an autoencoder.",
    )
    ReportFactory(title="Why diffusion works", body="Noise, then denoise.", published_at=at(2022))
    PresentationFactory(title="A session on something else", scheduled_at=at(2021))

    page.goto(f"{base_url}/reading-group/")
    page.get_by_label("Search papers, reports and sessions").fill("diffusion")
    page.get_by_label("Search papers, reports and sessions").press("Enter")
    expect(page).to_have_url(f"{base_url}/search/?q=diffusion")
    expect(page.get_by_role("status")).to_have_text("3 results for “diffusion”")
    expect(page.locator(".search-hit mark").first).to_be_visible()

    page.locator("#facet-years").get_by_role("link", name="2021").click()
    expect(page.get_by_role("status")).to_have_text("1 result for “diffusion”")
    expect(page.locator(".search-hit")).to_have_count(1)
    page.get_by_role(
        "link", name="High-Resolution Image Synthesis with Latent Diffusion Models"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Latent Diffusion Models")
    expect(page).to_have_url(f"{base_url}/papers/stable-diffusion/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_follows_a_wikilink_to_the_paper_and_sees_the_backlink(site):
    page, base_url = site
    PaperFactory(
        title="Language Models are Few-Shot Learners", alias="GPT-3", arxiv_id="2005.14165"
    )
    report = ReportFactory(
        title="In-context learning, explained",
        body="The idea took off with [[GPT-3]]. A later model, [[GPT-5]], is not here yet.",
    )
    page.goto(f"{base_url}{report.get_absolute_url()}")
    missing = page.locator(".wikilink-missing")
    expect(missing).to_contain_text("GPT-5")
    expect(missing.locator(".wikilink-marker")).to_be_visible()
    page.get_by_role("link", name="GPT-3", exact=True).click()
    expect(page).to_have_url(f"{base_url}/papers/gpt-3/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Few-Shot Learners")
    mentions = page.locator("section.mentioned-in")
    expect(mentions.get_by_role("heading", name="Mentioned in")).to_be_visible()
    mentions.get_by_role("link", name="In-context learning, explained").click()
    expect(page).to_have_url(f"{base_url}{report.get_absolute_url()}")
