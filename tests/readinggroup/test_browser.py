"""What a visitor and an editor do, in headless Chromium."""

import datetime
import re

import pytest
from django.utils import timezone

from readinggroup.models import Presentation
from tests.factories import PaperFactory
from tests.readinggroup.factories import (
    PresentationFactory,
    PresenterFactory,
    session_with_everything,
)
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A visitor far from the site's UTC, so their local time differs from the one shown.
    return {**browser_context_args, "timezone_id": "Asia/Tokyo", "locale": "en-GB"}


@pytest.fixture
def browser(site, settings):
    """The page with uploaded media served, and every request off this machine refused."""
    settings.ROOT_URLCONF = "tests.readinggroup.browser_urls"
    page, base_url = site
    page.route(
        re.compile(r"^(?!http://(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort()
    )
    return page, base_url


def _image_loaded(locator):
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_visitor_sees_the_next_session_and_watches_a_past_one(browser):
    page, base_url = browser
    past = session_with_everything(title="One-Shot Machine Unlearning with Mnemonic Code")
    upcoming = PresentationFactory(
        title="Mamba: Linear-Time Sequence Modeling",
        scheduled_at=timezone.now().replace(microsecond=0) + datetime.timedelta(days=5),
        presenters=[PresenterFactory(name="Sam Okafor")],
    )

    page.goto(base_url + "/")
    home_block = page.locator(".home-next-session")
    assert home_block.get_by_text("Mamba: Linear-Time Sequence Modeling").is_visible()
    # The site shows UTC; the script adds the Tokyo visitor's own time.
    local_time = home_block.locator(".local-time")
    assert local_time.inner_text().startswith("Your time: ")
    assert "GMT+9" in local_time.inner_text() or "JST" in local_time.inner_text()

    page.get_by_role("link", name="Reading group", exact=True).click()
    page.wait_for_url(base_url + "/reading-group/")
    next_block = page.locator(".next-session")
    assert next_block.get_by_text(upcoming.title).is_visible()
    assert next_block.get_by_text("Sam Okafor").is_visible()

    page.get_by_role("link", name=past.title).first.click()
    page.wait_for_url(base_url + past.get_absolute_url())
    cover = page.locator(".session-cover img")
    cover.wait_for()
    page.wait_for_function("document.querySelector('.session-cover img').naturalWidth > 0")
    assert _image_loaded(cover)
    viewer = page.locator("iframe.pdf-viewer")
    assert viewer.is_visible()
    slides = page.request.get(base_url + viewer.get_attribute("src"))
    assert slides.headers["content-type"] == "application/pdf"
    assert slides.body().startswith(b"%PDF-")
    assert page.get_by_role("link", name="Download the slides (PDF)").is_visible()
    video = page.locator(".session-recording iframe")
    assert video.is_visible()
    assert video.get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/caP30Kq-_ME"
    )
    assert video.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("can_show_pdf", [True, False])
def test_slides_are_offered_in_the_form_the_browser_can_show(browser, can_show_pdf):
    page, base_url = browser
    session = session_with_everything()
    # Phones say they have no PDF viewer; desktop browsers say they have one.
    page.add_init_script(
        f"Object.defineProperty(navigator, 'pdfViewerEnabled', {{get: () => {str(can_show_pdf).lower()}}})"
    )
    page.goto(base_url + session.get_absolute_url())
    page.wait_for_function("document.querySelector('.pdf-viewer[hidden], .pdf-fallback[hidden]')")
    assert page.locator("iframe.pdf-viewer").is_visible() is can_show_pdf
    fallback = page.locator(".pdf-fallback")
    assert fallback.is_visible() is not can_show_pdf
    if not can_show_pdf:
        page.set_viewport_size({"width": 390, "height": 800})  # a phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert (
            fallback.locator("a").get_attribute("href")
            == f"/reading-group/{session.number}/slides.pdf"
        )
        assert _image_loaded(fallback.locator("img"))
    assert page.get_by_role("link", name="Download the slides (PDF)").is_visible()


def test_visitor_sees_when_nothing_was_recorded(browser):
    page, base_url = browser
    bare = PresentationFactory(title="LanguageBind")
    page.goto(base_url + bare.get_absolute_url())
    assert page.get_by_text("No slides or recording available").is_visible()


def test_editor_uploads_slides_and_the_cover_appears_on_the_public_page(
    browser, superuser, tmp_path, real_worker
):
    page, base_url = browser
    PaperFactory(title="One-Shot Machine Unlearning with Mnemonic Code")
    slides = tmp_path / "presentation_3.pdf"
    slides.write_bytes(pdf_bytes(3, color=(200, 40, 40)))

    page.goto(base_url + "/admin/login/?next=/admin/readinggroup/presentation/add/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-boss-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/add/$"))

    assert page.input_value("#id_number") == "1"
    page.fill("#id_title", "One-Shot Machine Unlearning")
    page.select_option("#id_status", "published")
    page.fill("#id_scheduled_at_0", "2025-04-10")
    page.fill("#id_scheduled_at_1", "17:00:00")
    # The paper is chosen through the admin's autocomplete.
    page.locator(".field-paper .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Unlearning")
    page.locator(".select2-results__option", has_text="Mnemonic Code").click()
    page.set_input_files("#id_slides", str(slides))
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))
    # The upload answered at once; a worker checks the slides and renders the cover.
    assert page.get_by_text("Slides queued for checking; the cover appears when done").is_visible()
    job = real_worker().wait_for(Presentation.objects.get().slides_job)
    assert job.state == "done", job.message
    page.reload()

    preview = page.locator("img.cover-preview")
    preview.wait_for()
    assert _image_loaded(preview)

    presentation = Presentation.objects.get()
    assert presentation.paper.title == "One-Shot Machine Unlearning with Mnemonic Code"
    assert presentation.cover_is_generated
    page.goto(base_url + presentation.get_absolute_url())
    cover = page.locator(".session-cover img")
    page.wait_for_function("document.querySelector('.session-cover img').naturalWidth > 0")
    assert cover.get_attribute("src") == presentation.cover.url
    # The cover is page 1 of the uploaded slides: the red the test drew.
    red, green, blue = cover.evaluate(
        """img => { const c = document.createElement('canvas'); c.width = img.naturalWidth;
        c.height = img.naturalHeight; const x = c.getContext('2d'); x.drawImage(img, 0, 0);
        return Array.from(x.getImageData(c.width / 2, c.height / 2, 1, 1).data.slice(0, 3)); }"""
    )
    assert red > 180 and green < 70 and blue < 70
