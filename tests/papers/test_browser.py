"""What a visitor and an editor do with the paper database, in headless Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from papers.models import Author, Paper
from tests.factories import AuthorFactory, PaperFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def editor_logs_in(page, base, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-editor-123")
    page.click("input[type=submit]")


def test_visitor_filters_by_tag_and_year_then_reads_math(site):
    page, base = site
    PaperFactory(
        title="Denoising Diffusion Probabilistic Models",
        year=2020,
        tags=["diffusion", "vision"],
        notes="Forward process:\n\n$$q(x_t|x_{t-1}) = \\mathcal{N}(x_t; \\sqrt{1-\\beta_t}x_{t-1}, \\beta_t I)$$",
    )
    PaperFactory(title="Latent Diffusion", year=2022, tags=["diffusion"])
    PaperFactory(title="BERT", year=2018, tags=["language"])

    page.goto(f"{base}/papers/")
    expect(page.locator(".paper-card")).to_have_count(3)
    page.locator("#facet-tags").get_by_role("link", name="diffusion").click()
    expect(page.locator(".paper-card")).to_have_count(2)
    page.locator("#facet-years").get_by_role("link", name="2020").click()
    expect(page.locator(".paper-card")).to_have_count(1)
    assert "tag=diffusion" in page.url and "year=2020" in page.url
    shot(page, "papers-filtered")

    page.get_by_role("link", name="Denoising Diffusion Probabilistic Models").click()
    expect(page.locator("h1")).to_contain_text("Denoising Diffusion")
    math = page.locator(".notes math[display='block']")
    expect(math).to_have_count(1)
    # Chromium lays MathML out natively: the formula has a real size on the page.
    box = math.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 10
    shot(page, "paper-detail")


def test_editor_adds_a_paper_in_the_admin_and_finds_it_on_the_site(site, django_user_model):
    page, base = site
    AuthorFactory(name="Alec Radford")
    AuthorFactory(name="Ilya Sutskever")

    editor_logs_in(page, base, django_user_model)
    page.goto(f"{base}/admin/papers/paper/add/")
    page.fill("#id_title", "Language Models are Unsupervised Multitask Learners")
    page.fill("#id_alias", "GPT-2")
    page.select_option("#id_status", "published")
    page.fill("#id_tags", "language, LLM")
    page.fill("#id_year", "2019")
    page.select_option("#id_month", "2")
    for row, name in enumerate(["Alec Radford", "Ilya Sutskever"]):
        if row:
            page.locator("#authorships-group .add-row a").click()
        page.fill(f"#id_authorships-{row}-position", str(row))
        page.locator(f"#authorships-{row} .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill(name.split()[-1])
        page.locator(".select2-results__option", has_text=name).click()
    shot(page, "admin-add-paper")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    paper = Paper.objects.get(alias="GPT-2")
    assert [a.name for a in paper.ordered_authors()] == ["Alec Radford", "Ilya Sutskever"]
    page.goto(f"{base}/papers/?tag=llm")
    card = page.locator(
        ".paper-card", has_text="Language Models are Unsupervised Multitask Learners"
    )
    expect(card).to_contain_text("Alec Radford, Ilya Sutskever")
    expect(card).to_contain_text("February 2019")
    shot(page, "public-list-after-admin")


def test_the_plus_beside_an_author_proposes_the_stored_one_and_using_it_fills_the_byline(
    site, django_user_model
):
    # The issue: "+" silently created a second "Stefano Ermon". Now the popup proposes the
    # stored author, and "Use" puts that author in the paper's byline and closes the popup.
    page, base = site
    known = AuthorFactory(name="Stefano Ermon")
    editor_logs_in(page, base, django_user_model)
    page.goto(f"{base}/admin/papers/paper/add/")
    page.fill("#id_title", "Score-Based Generative Modeling through SDEs")
    page.fill("#id_year", "2021")
    with page.expect_popup() as opened:
        page.locator("#add_id_authorships-0-author").click()
    popup = opened.value
    popup.fill("#id_name", "stefano ermon")
    popup.locator("input[name=_save]").click()
    expect(popup.locator(".errornote")).to_be_visible()
    shot(popup, "admin-author-popup-similar")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Use Stefano Ermon").click()
    expect(page.locator("#id_authorships-0-author")).to_have_value(str(known.pk))
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    paper = Paper.objects.get(year=2021)
    assert [a.pk for a in paper.ordered_authors()] == [known.pk]
    assert Author.objects.filter(name__iexact="stefano ermon").count() == 1
