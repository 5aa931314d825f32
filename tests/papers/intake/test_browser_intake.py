"""An editor adds papers by identifier and imports BibTeX in a real browser."""

import os

import pytest
from django.conf import settings as django_settings
from django.test import Client

from papers.models import Paper, Status

WORKER_TRANSPORT = "tests.papers.intake.conftest.worker_transport"

SHOTS = os.environ.get("INTAKE_SCREENSHOTS")  # a folder, to look at the pages


def _login(page, base_url, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"intake-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_adds_papers_by_identifier(site, superuser, real_worker):
    page, base_url = site
    # The lookups run in a worker process, which answers from reconstructed files.
    real_worker(env={"PAPERSHELF_TEST_INTAKE_TRANSPORT": WORKER_TRANSPORT})
    _login(page, base_url, superuser)
    page.goto(f"{base_url}/admin/papers/paper/")
    _shot(page, "changelist")
    page.get_by_role("link", name="Add by identifier").click()
    page.get_by_label("Identifiers").fill(
        "https://arxiv.org/abs/2103.00020v1\n10.1038/s41586-024-08328-6"
    )
    page.get_by_role("button", name="Fetch metadata").click()
    # The job's page follows the lookups, then offers the review.
    page.get_by_role("link", name="Review and save").click(timeout=60_000)
    page.get_by_text("Learning Transferable Visual Models").first.wait_for()
    _shot(page, "preview")
    page.locator("input[name='papers-0-alias']").fill("CLIP")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Added 2 draft paper(s)").wait_for()
    _shot(page, "saved")
    clip = Paper.objects.get(arxiv_id="2103.00020")
    assert (clip.alias, clip.status) == ("CLIP", Status.DRAFT)
    assert Paper.objects.filter(doi="10.1038/s41586-024-08328-6").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_imports_bibtex_after_a_preview(site, superuser, tmp_path, real_worker):
    page, base_url = site
    real_worker()
    bib = tmp_path / "library.bib"
    bib.write_text(
        "@article{a, title={Auto-Encoding Variational {B}ayes}, author={Kingma, Diederik P. "
        "and Welling, Max}, year={2013}, eprint={1312.6114}, archiveprefix={arXiv}}\n"
        "@misc{b, title={M{\\\"u}ller's notes}, year={20xx}}\n"
    )
    _login(page, base_url, superuser)
    page.goto(f"{base_url}/admin/papers/paper/import-bibtex/")
    page.set_input_files("input[name='file']", str(bib))
    # By default the valid entries are imported and the others listed.
    page.get_by_role("button", name="Preview").click()
    # The job's page polls its status and shows the preview once the job is done.
    page.get_by_text("the year “20xx” is not a year").wait_for(timeout=60_000)
    assert page.locator("progress").get_attribute("value") == "2"
    assert "2 of 2, 1 refused" in page.locator(".job-progress-text").inner_text()
    _shot(page, "bibtex-preview")
    assert Paper.objects.count() == 0
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported —").wait_for(timeout=60_000)
    page.get_by_role("link", name="Auto-Encoding Variational Bayes").wait_for()
    assert list(Paper.objects.values_list("title", flat=True)) == [
        "Auto-Encoding Variational Bayes"
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_imports_a_zip_of_a_notes_repository_after_a_preview(
    site, superuser, tmp_path, real_worker
):
    from blog.models import Report
    from readinggroup.models import Presentation
    from tests.papers.intake.test_notes_repository import REPORTS, build_repository, zip_of

    page, base_url = site
    real_worker()
    archive = tmp_path / "notes.zip"
    archive.write_bytes(zip_of(build_repository(tmp_path / "notes")))
    _login(page, base_url, superuser)
    page.goto(f"{base_url}/admin/papers/paper/")
    page.get_by_role("link", name="Import notes or a library").click()
    page.set_input_files("input[name='file']", str(archive))
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Report: Segment Anything").wait_for(timeout=60_000)
    _shot(page, "repository-preview")
    assert Report.objects.count() == Presentation.objects.count() == 0
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported —").wait_for(timeout=60_000)
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    assert Presentation.objects.exclude(slides="").count() == 3
