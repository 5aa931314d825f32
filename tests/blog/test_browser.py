"""In Chromium: an editor writes and publishes a report; a visitor follows a series."""

import base64
import re

import pytest
from playwright.sync_api import expect

from blog.models import Kind, Report
from tests.blog.factories import ReportFactory, SeriesFactory, days_ago
from tests.factories import png_bytes

DROP_IMAGE = """([b64, name]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const file = new File([bytes], name, {type: "image/png"});
    const transfer = new DataTransfer();
    transfer.items.add(file);
    document.querySelector("#id_body").dispatchEvent(
        new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""

# The same file, pasted (a screenshot from the clipboard arrives as an unnamed "image.png").
PASTE_IMAGE = DROP_IMAGE.replace(
    'new DragEvent("drop", {dataTransfer: transfer,',
    'new ClipboardEvent("paste", {clipboardData: transfer,',
)


def log_in(page, base_url, next_url):
    page.goto(f"{base_url}/admin/login/?next={next_url}")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-boss-123")
    page.click("input[type=submit]")


UPLOADED = re.compile(r"!\[\]\(/media/uploads/\d{4}/\d{2}/\w+\.png\)")


def send_image(page, script, name, size):
    """Drop or paste a PNG into the body editor and wait for its uploaded Markdown."""
    page.evaluate(script, [base64.b64encode(png_bytes(size=size)).decode(), name])
    expect(page.locator("#id_body")).to_have_value(UPLOADED)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_writes_a_report_with_math_and_an_image_and_publishes_it(site, superuser):
    page, base_url = site
    log_in(page, base_url, "/admin/blog/report/add/")
    page.fill("#id_title", "Energy and Mass")
    page.select_option("#id_kind", Kind.ARTICLE)
    page.fill("#id_teaser", "A formula and a picture.")
    page.fill("#id_body", "## The formula\n\nEnergy is $$E = mc^2$$\n\n")
    send_image(page, DROP_IMAGE, "fig.png", (30, 20))
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview.locator("math mi").first).to_have_text("E")
    expect(preview.locator("img[src^='/media/uploads/']")).to_have_count(1)

    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Report.objects.published().filter(title="Energy and Mass").exists()

    page.goto(f"{base_url}/reports/")
    page.get_by_role("link", name="Energy and Mass").click()
    expect(page.locator("h1")).to_have_text("Energy and Mass")
    expect(page.locator(".report-body math")).to_have_count(1)
    expect(page.locator(".report-body img[src^='/media/uploads/']")).to_have_count(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_sees_why_a_dropped_file_was_refused(site, superuser):
    page, base_url = site
    log_in(page, base_url, "/admin/blog/report/add/")
    page.fill("#id_body", "Text. ")
    page.evaluate(DROP_IMAGE, [base64.b64encode(b"<svg onload=alert(1)>").decode(), "x.png"])
    expect(page.locator(".markdownx-upload-error")).to_contain_text("not a readable PNG or JPEG")
    expect(page.locator("#id_body")).to_have_value("Text. ")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_follows_the_series_from_part_1_to_part_2(site):
    page, base_url = site
    series = SeriesFactory(title="The Principles of Deep Learning Theory")
    one = ReportFactory(
        kind=Kind.BOOK_REPORT,
        series=series,
        part=1,
        title="Networks at Initialization",
        published_at=days_ago(20),
    )
    ReportFactory(
        kind=Kind.BOOK_REPORT, series=series, part=2, title="Learning", published_at=days_ago(10)
    )
    page.goto(base_url + one.get_absolute_url())
    expect(page.locator(".series-banner")).to_contain_text("Part 1 of 2")
    page.locator(".series-nav").get_by_role("link", name=re.compile("Part 2: Learning")).click()
    expect(page.locator("h1")).to_have_text("Learning")
    expect(page.locator(".series-banner")).to_contain_text("Part 2 of 2")
    expect(page.locator(".series-previous")).to_have_attribute("href", one.get_absolute_url())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_report_heading_does_not_touch_the_site_header(site):
    # A report starts with a margin-less kicker line: the page's own top padding must apply.
    page, base_url = site
    report = ReportFactory(title="Spacing")
    page.goto(base_url + report.get_absolute_url())
    header = page.locator(".site-header").bounding_box()
    kicker = page.locator(".report-head .kicker").bounding_box()
    assert kicker["y"] - (header["y"] + header["height"]) >= 16


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_image_pasted_into_the_editor_is_uploaded_and_previewed(site, superuser):
    page, base_url = site
    log_in(page, base_url, "/admin/blog/report/add/")
    page.fill("#id_body", "Pasted: ")
    send_image(page, PASTE_IMAGE, "image.png", (24, 16))
    expect(page.locator(".markdownx-preview img[src^='/media/uploads/']")).to_have_count(1)
