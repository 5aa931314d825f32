"""The reading group running itself, in headless Chromium (issue 19, "Done when"):
invite → sign up → suggest → vote → volunteer → organiser schedules → presenter uploads
slides → public session page."""

import re

import pytest

from readinggroup.members import Member, Suggestion, SuggestionState
from readinggroup.models import Presentation, SlidesState
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.pdfs import pdf_bytes
from tests.readinggroup.test_browser import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_sign_up_suggest_vote_volunteer_schedule_upload_and_the_public_page(
    browser,  # noqa: F811 - the imported fixture
    superuser,
    tmp_path,
):
    organiser, base_url = browser
    paper = PaperFactory(title="Attention Is All You Need", year=2017, slug="transformer")

    # The organiser invites someone from the admin; the link is shown once.
    organiser.goto(base_url + "/admin/login/?next=/admin/readinggroup/invitation/add/")
    organiser.fill("#id_username", "boss")
    organiser.fill("#id_password", "pw-boss-123")
    organiser.click("input[type=submit]")
    organiser.wait_for_url(re.compile(r".*/admin/readinggroup/invitation/add/$"))
    organiser.fill("#id_note", "Kim from the lab")
    organiser.locator("input[name=_save]").click()
    link = organiser.locator(".messagelist code").inner_text()
    assert re.fullmatch(r"http://testserver/reading-group/join/[\w-]+/", link)

    # The invited person signs up in their own browser.
    member_context = organiser.context.browser.new_context()
    page = member_context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base_url + link.removeprefix("http://testserver"))
    page.fill("#id_name", "Kim Reader")
    page.fill("#id_username", "kim")
    page.fill("#id_email", "kim@example.org")
    page.fill("#id_password1", "kim-reads-papers-9")
    page.fill("#id_password2", "kim-reads-papers-9")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(base_url + "/reading-group/queue/")
    assert page.get_by_text("Welcome, Kim Reader!").is_visible()

    # Suggest a paper of the library, vote and volunteer.
    page.get_by_role("link", name="Suggest a paper").click()
    page.fill("#id_paper", "transformer")
    page.fill("#id_reason", "The paper *everything* since builds on.")
    page.get_by_role("button", name="Suggest").click()
    page.wait_for_url(base_url + "/reading-group/queue/")
    item = page.locator(".suggestion", has_text="Attention Is All You Need")
    assert item.locator("em", has_text="everything").is_visible()
    item.get_by_role("button", name="Vote").click()
    page.wait_for_url(re.compile(r".*/reading-group/queue/"))
    item = page.locator(".suggestion", has_text="Attention Is All You Need")
    assert item.get_by_text("1 vote").is_visible()
    item.get_by_role("button", name="I'll present").click()
    page.wait_for_url(re.compile(r".*/reading-group/queue/"))
    assert page.get_by_text("Will present: Kim Reader").is_visible()

    # The organiser schedules it in one step: the volunteer and the next slot prefilled.
    organiser.goto(base_url + "/admin/readinggroup/suggestion/")
    organiser.get_by_role("link", name="Schedule", exact=True).click()
    assert organiser.locator("#id_presenter option:checked").inner_text().startswith("Kim Reader")
    assert organiser.locator("#id_scheduled_at").input_value()
    organiser.get_by_role("button", name="Create the session").click()
    organiser.wait_for_url(re.compile(r".*/admin/readinggroup/presentation/\d+/change/$"))
    session = Presentation.objects.get()
    assert Suggestion.objects.get().state == SuggestionState.SCHEDULED
    assert session.paper == paper

    # The presenter adds slides to their own session from their profile.
    slides = tmp_path / "attention.pdf"
    slides.write_bytes(pdf_bytes(3, color=(150, 40, 40)))
    page.get_by_role("link", name="Your profile").first.click()
    page.get_by_role("link", name="slides and recording").click()
    page.set_input_files("#id_slides", str(slides))
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("New slides are checked before they appear").is_visible()
    run_queued_jobs()  # the worker checks the slides and renders the cover
    session.refresh_from_db()
    assert session.slides_state == SlidesState.READY and session.cover_is_generated

    # Anyone sees the session, its presenter and its slides.
    visitor = organiser.context.browser.new_context().new_page()
    visitor.goto(base_url + session.get_absolute_url())
    assert visitor.get_by_text("Kim Reader").first.is_visible()
    assert visitor.locator(f'a[href$="/reading-group/{session.number}/slides/download/"]').count()
    cover = visitor.locator(".session-cover img")
    cover.wait_for()
    assert Member.objects.get().user.is_staff is False
    member_context.close()
