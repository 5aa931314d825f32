"""The organiser in Chromium: a form error after choosing the slides loses nothing."""

import re

import pytest

from readinggroup.models import Presentation
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.pdfs import pdf_bytes
from tests.readinggroup.test_browser import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_slides_chosen_before_a_form_error_are_saved_after_the_fix_without_choosing_again(
    browser,  # noqa: F811 - the imported fixture
    superuser,
    tmp_path,
):
    page, base_url = browser
    paper = PaperFactory(title="Accurate predictions on small data with a tabular model")
    slides = tmp_path / "presentation_1.pdf"
    data = pdf_bytes(2, color=(40, 160, 40))
    slides.write_bytes(data)

    page.goto(base_url + "/admin/login/?next=/admin/readinggroup/presentation/add/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-boss-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/add/$"))

    page.fill("#id_title", "")  # left blank: the paper's title is used
    page.fill("#id_scheduled_at_0", "2025-04-10")
    page.fill("#id_scheduled_at_1", "17:00:00")
    page.locator(".field-paper .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("tabular")
    page.locator(".select2-results__option", has_text="tabular model").click()
    page.fill("#id_recording_url", "ftp://not-a-video.example")  # the mistake
    page.set_input_files("#id_slides", str(slides))
    page.locator("input[name=_continue]").first.click()

    page.locator(".errornote").wait_for()
    assert page.get_by_text("The PDF you uploaded is kept").is_visible()
    page.fill("#id_recording_url", "")
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))

    session = Presentation.objects.get()
    assert session.title == paper.title
    with session.slides.open("rb") as stored:
        assert stored.read() == data
    assert page.get_by_text("Slides queued for checking").is_visible()
    run_queued_jobs()  # the slides' check renders page 1 as the cover
    page.reload()
    page.locator("img.cover-preview").wait_for()
