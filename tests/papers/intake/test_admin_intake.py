"""Admin intake pages: add by identifier, import and export BibTeX."""

import re

import bibtexparser
import httpx
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from papers.jobs.models import Job
from papers.models import Paper, Status
from tests.factories import PaperFactory, paper_with_everything
from tests.jobs_worker import run_queued_jobs
from tests.papers.intake.helpers import import_preview, upload, upload_and_preview

from .conftest import ARXIV_CLIP, ARXIV_PAIR, CROSSREF_TABPFN

pytestmark = pytest.mark.django_db

ADD = reverse("admin:papers_paper_add_by_identifier")
IMPORT = reverse("admin:papers_paper_import_bibtex")
EXPORT = reverse("admin:papers_paper_export_bibtex")
CHANGELIST = reverse("admin:papers_paper_changelist")


def preview_data(response):
    """The preview formset's fields as the browser would post them back."""
    html = response.content.decode()
    data = {}
    for name, value in re.findall(
        r'<input type="(?:hidden|text|number|url)" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = value
    for name in re.findall(r'<input type="(?:text|number|url)" name="([^"]+)"(?: [^>]*)?>', html):
        data.setdefault(name, "")
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = value.replace("&quot;", '"').replace("&amp;", "&")
    for name, value in re.findall(
        r'<input type="radio" name="([^"]+)" value="([^"]+)"[^>]*checked', html
    ):
        data[name] = value
    for name, value in re.findall(
        r'<select name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', html, re.S
    ):
        data[name] = value
    data["save"] = "Save"
    return data


def fetch(client, identifiers):
    """Ask for ``identifiers``: the request queues a lookup job and sends the editor to its
    page; the job runs (here, in this process); its "Review and save" page is returned."""
    response = client.post(ADD, {"identifiers": identifiers})
    job = Job.objects.get(kind="intake.lookup", state=Job.State.QUEUED)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    run_queued_jobs()
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"{ADD}?job={job.pk}" in page
    return client.get(ADD, {"job": job.pk})


def test_changelist_links_to_the_intake_pages(admin_client):
    body = admin_client.get(CHANGELIST).content.decode()
    assert f'href="{ADD}"' in body and f'href="{IMPORT}"' in body and EXPORT in body


def test_staff_without_add_permission_gets_403_and_no_links(client, staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_paper"))
    client.force_login(staff_user)
    assert client.get(ADD).status_code == 403
    assert client.post(IMPORT).status_code == 403
    body = client.get(CHANGELIST).content.decode()
    assert ADD not in body and EXPORT in body


def test_anonymous_is_sent_to_login(client):
    response = client.get(ADD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_fetch_preview_edit_and_save(admin_client, serve):
    serve({**ARXIV_PAIR, **CROSSREF_TABPFN})
    response = fetch(admin_client, "2010.11929\nhttps://doi.org/10.1038/s41586-024-08328-6")
    assert response.status_code == 200
    body = response.content.decode()
    assert "An Image is Worth 16x16 Words" in body and "Accurate predictions on small data" in body
    data = preview_data(response)
    assert data["papers-0-action"] == "create" and data["papers-0-tags"] == "cs.CV"
    data["papers-0-title"] = "An Image is Worth 16x16 Words (edited)"
    data["papers-0-alias"] = "ViT"
    response = admin_client.post(ADD, data)
    assert response.status_code == 302 and response["Location"].startswith(CHANGELIST)
    vit = Paper.objects.get(arxiv_id="2010.11929")
    assert (vit.title, vit.alias, vit.status) == (
        "An Image is Worth 16x16 Words (edited)",
        "ViT",
        Status.DRAFT,
    )
    assert [a.name for a in vit.ordered_authors()][:2] == ["Alexey Dosovitskiy", "Lucas Beyer"]
    assert [t.name for t in vit.tags.all()] == ["cs.CV"]
    tabpfn = Paper.objects.get(doi="10.1038/s41586-024-08328-6")
    assert tabpfn.authors.count() == 8 and tabpfn.venue == "Nature"
    vit.full_clean()
    tabpfn.full_clean()


def test_duplicate_is_flagged_and_updated_only_when_chosen(admin_client, serve):
    serve(ARXIV_CLIP)
    existing = PaperFactory(title="CLIP by hand", arxiv_id="2103.00020", year=2021)
    response = fetch(admin_client, "arXiv:2103.00020v1")
    body = response.content.decode()
    assert "Already in the database" in body
    assert reverse("admin:papers_paper_change", args=[existing.pk]) in body
    data = preview_data(response)
    assert data["papers-0-action"] == "skip"
    admin_client.post(ADD, data)
    existing.refresh_from_db()
    assert existing.title == "CLIP by hand" and Paper.objects.count() == 1

    data["papers-0-action"] = "create"  # refused: it would be a duplicate
    response = admin_client.post(ADD, data)
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert Paper.objects.count() == 1

    data["papers-0-action"] = "update"
    assert admin_client.post(ADD, data).status_code == 302
    existing.refresh_from_db()
    assert existing.title.startswith("Learning Transferable Visual Models")
    assert existing.authors.count() == 12


def test_bad_values_in_the_preview_are_form_errors_and_nothing_is_saved(admin_client, serve):
    serve(ARXIV_PAIR)
    data = preview_data(fetch(admin_client, "2010.11929 hep-th/9711200"))
    data["papers-0-year"] = "abc"
    data["papers-1-url"] = "javascript:alert(1)"
    data["papers-1-tags"] = "!!!"
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a whole number." in body and "Enter a valid URL." in body
    assert "has no letter or digit" in body
    assert Paper.objects.count() == 0


def test_fetch_failures_are_listed_not_500(admin_client, serve):
    serve({"export.arxiv.org": lambda request: httpx.Response(503, text="busy")})
    response = fetch(admin_client, "2103.00020 nonsense 10.1234/x")
    assert response.status_code == 200
    body = response.content.decode()
    assert "arXiv answered with an error (HTTP 503)" in body
    assert "is neither an arXiv id" in body
    assert "Could not reach Crossref" in body
    assert Paper.objects.count() == 0


def test_too_many_identifiers_is_a_form_error(admin_client):
    ids = " ".join(f"2103.{n:05d}" for n in range(30))
    response = admin_client.post(ADD, {"identifiers": ids})
    assert "add at most 25 at a time" in response.content.decode()


def test_tampered_formset_is_refused(admin_client):
    data = {"papers-TOTAL_FORMS": "1000", "papers-INITIAL_FORMS": "0", "save": "Save"}
    response = admin_client.post(ADD, data)
    assert response.status_code == 200 and Paper.objects.count() == 0


BIB = b"""@article{hollmann2025accurate,
  title = {Accurate predictions on small data with a tabular foundation model},
  author = {Hollmann, Noah and M{\\"u}ller, Samuel},
  journal = {Nature}, year = {2025}, doi = {10.1038/s41586-024-08328-6}
}
"""


def test_bibtex_upload_previews_then_imports(admin_client):
    body = upload_and_preview(admin_client, BIB).content.decode()
    assert "Preview: nothing is saved yet" in body and "Would create (1)" in body
    assert 'intake-where">line 1 (hollmann2025accurate)' in body
    assert Paper.objects.count() == 0
    body = import_preview(admin_client, body).content.decode()
    paper = Paper.objects.get()
    assert [a.name for a in paper.ordered_authors()] == ["Noah Hollmann", "Samuel Müller"]
    # The result page links to the paper it created.
    assert reverse("admin:papers_paper_change", args=[paper.pk]) in body and "Created (1)" in body
    # The preview is imported once: its page now links to the import instead.
    preview = Job.objects.get(kind="intake.preview_file")
    again = admin_client.post(IMPORT, {"preview": preview.pk})
    assert again["Location"] == Job.objects.get(kind="intake.import_file").get_absolute_url()
    run_queued_jobs()
    assert Paper.objects.count() == 1
    assert Job.objects.filter(kind__startswith="intake.").count() == 2
    assert preview.__class__.objects.get(pk=preview.pk).payload is None


def test_bibtex_upload_with_errors_lists_them_and_offers_the_valid_entries(admin_client):
    response = upload_and_preview(admin_client, BIB + b"@misc{bad, title={X}, year={20xx}}\n@misc{")
    body = response.content.decode()
    assert "the year “20xx” is not a year" in body and "Would create (1)" in body
    assert Paper.objects.count() == 0
    import_preview(admin_client, body)
    assert Paper.objects.count() == 1


def test_strict_bibtex_upload_with_errors_offers_no_import(admin_client):
    response = upload_and_preview(
        admin_client, BIB + b"@misc{bad, title={X}, year={20xx}}\n", strict="on"
    )
    body = response.content.decode()
    assert "the year “20xx” is not a year" in body
    assert 'name="preview"' not in body and "Nothing can be imported" in body
    assert Paper.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"caf\xe9", "is not UTF-8 text"),
        (b"no entries here", "No BibTeX entries were found"),
    ],
)
def test_bad_bibtex_files_fail_their_job_with_the_reason(admin_client, content, message):
    # The request does not read the file: it is queued, and the job says what is wrong.
    body = upload_and_preview(admin_client, content).content.decode()
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and message in job.message
    assert message in body and 'value="Retry"' in body
    assert Paper.objects.count() == 0


def test_an_empty_upload_is_a_form_error_and_queues_nothing(admin_client):
    response = upload(admin_client, b"")
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not Job.objects.exists()


def test_oversized_bibtex_upload_is_refused(admin_client, settings):
    response = upload(admin_client, b"%" * (8 * 2**20 + 1))
    assert "the limit is 8 MB" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("preview", ["forged", "999999"])
def test_a_forged_or_unknown_preview_is_refused(admin_client, preview):
    response = admin_client.post(IMPORT, {"preview": preview}, follow=True)
    assert response.status_code == 200 and "does not exist" in response.content.decode()
    assert not Job.objects.exists()


def test_export_follows_the_changelist_filters(admin_client):
    PaperFactory(title="Published paper", status=Status.PUBLISHED)
    PaperFactory(title="Draft paper", status=Status.DRAFT, tags=["x"])
    response = admin_client.get(EXPORT, {"status__exact": "draft"})
    assert response["Content-Disposition"] == 'attachment; filename="papers.bib"'
    library = bibtexparser.parse_string(response.content.decode())
    assert [entry["title"] for entry in library.entries] == ["Draft paper"]
    assert library.entries[0]["keywords"] == "x"
    everything = bibtexparser.parse_string(admin_client.get(EXPORT).content.decode())
    assert len(everything.entries) == 2


def test_export_action_on_selected_papers(admin_client):
    papers = [PaperFactory(title=f"Paper {n}") for n in range(3)]
    response = admin_client.post(
        CHANGELIST,
        {"action": "export_bibtex_action", "_selected_action": [papers[0].pk, papers[2].pk]},
    )
    library = bibtexparser.parse_string(response.content.decode())
    assert sorted(entry["title"] for entry in library.entries) == ["Paper 0", "Paper 2"]


@pytest.mark.parametrize("n", [2, 25])
def test_export_query_count_does_not_grow_with_papers(
    admin_client, django_assert_max_num_queries, n
):
    for _ in range(n):
        paper_with_everything(n_authors=4, tags=("a", "b"))
    # session, user, changelist count and filters, the ids (papers/exports.py tells a
    # small export from a large one by them), papers, bylines, tags, links, figures:
    # not per paper.
    with django_assert_max_num_queries(12):
        response = admin_client.get(EXPORT)
    assert response.content.decode().count("@") == n


@pytest.mark.parametrize("ids", [["2010.11929"], ["2010.11929", "hep-th/9711200"]])
def test_preview_query_count_does_not_grow_with_papers(
    admin_client, serve, django_assert_max_num_queries, ids
):
    serve(ARXIV_PAIR)
    for arxiv_id in ids:
        PaperFactory(arxiv_id=arxiv_id, year=2000)
    response = admin_client.post(ADD, {"identifiers": " ".join(ids)})
    run_queued_jobs()
    job = Job.objects.get(kind="intake.lookup")
    # session, user, the job, duplicate finding: not per paper; the admin's menu asks
    # whether the one site-settings row and the one group-settings row exist
    # (papers/identity_admin.py, the reading group's admin).
    with django_assert_max_num_queries(9):
        response = admin_client.get(ADD, {"job": job.pk})
    assert response.content.decode().count("Already in the database") == len(ids)
