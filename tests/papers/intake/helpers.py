"""Small helpers shared by the intake tests."""

import re
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from papers.jobs.models import Job
from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag, TaggedPaper


def assert_everything_valid():
    """Every stored object of the paper database passes ``full_clean()``."""
    for model in (Paper, Author, Authorship, PaperLink, Figure, Tag, TaggedPaper):
        for obj in model.objects.all():
            obj.full_clean()


def run_import_notes(path, *args):
    """``manage.py import_notes PATH ARGS…``; returns what it printed."""
    out = StringIO()
    call_command("import_notes", str(path), *args, stdout=out)
    return out.getvalue()


IMPORT = reverse("admin:papers_paper_import_bibtex")


def upload(client, content, name="library.bib", **fields):
    """Post ``content`` as the file ``name`` to the admin's import page."""
    data = {"existing": "fill", **fields, "file": SimpleUploadedFile(name, content)}
    return client.post(IMPORT, data)


def upload_and_preview(client, content, name="library.bib", **fields):
    """Upload a file: a preview job is queued; run it and return its page (the preview)."""
    from tests.jobs_worker import run_queued_jobs

    response = upload(client, content, name=name, **fields)
    job = Job.objects.filter(kind="intake.preview_file").first()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == job.get_absolute_url()
    run_queued_jobs()
    return client.get(job.get_absolute_url())


def preview_of(body):
    """The preview job named by the "Import" button of a preview's page."""
    return re.search(r'name="preview" value="(\d+)"', body).group(1)


def import_preview(client, body):
    """Click "Import" on a preview's page; the import job runs; its page is returned."""
    from tests.jobs_worker import run_queued_jobs

    response = client.post(IMPORT, {"preview": preview_of(body)})
    assert response.status_code == 302
    run_queued_jobs()
    return client.get(response["Location"])
