"""Two editors in two browsers save the same paper: the later, stale save is refused."""

import pytest
from playwright.sync_api import expect

from papers.models import Paper
from tests.factories import PaperFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, next_url):
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-123-editor")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_second_editor_is_told_who_saved_and_keeps_what_they_typed(site, django_user_model):
    page_a, base = site
    for name in ("alice", "bob"):
        django_user_model.objects.create_superuser(name, f"{name}@example.org", "pw-123-editor")
    paper = PaperFactory(notes="The first notes.")
    url = f"/admin/papers/paper/{paper.pk}/change/"
    page_b = page_a.context.browser.new_context().new_page()
    log_in(page_a, base, "alice", url)
    log_in(page_b, base, "bob", url)

    page_a.fill("#id_notes", "Alice rewrote the notes.")
    page_a.locator("input[name=_save]").first.click()
    expect(page_a.locator(".messagelist")).to_contain_text("was changed successfully")

    page_b.fill("#id_notes", "Bob's notes, typed on the page he opened before.")
    page_b.locator("input[name=_save]").first.click()
    expect(page_b.locator(".errornote")).to_be_visible()
    expect(page_b.locator(".errorlist.nonfield")).to_contain_text("changed by alice at")
    expect(page_b.locator(".errorlist.nonfield")).to_contain_text("reload the page")
    expect(page_b.locator("#id_notes")).to_have_value(
        "Bob's notes, typed on the page he opened before."
    )
    assert Paper.objects.get(pk=paper.pk).notes == "Alice rewrote the notes."
    page_b.context.close()
