"""Benchmark: imports through the job queue with a real worker (not a test).

    .venv/bin/python bench/queue_imports.py                 # SQLite in a temporary folder
    .venv/bin/python bench/queue_imports.py --postgres postgres://postgres@127.0.0.1:5432/x

For a 5,000-entry BibTeX library (bench/intake_bibtex.py, 1% refused), a 1,000-entry
notes file (bench/intake_notes.py) and the same 5,000 entries as CSL-JSON, as an editor
in the admin: the upload request (which only checks the file and queues a preview job),
the preview job to done, the "Import" request, and the import job to done; meanwhile the
job's status endpoint is polled every 0.1 s as the job's page does (every 1 s), counting
the distinct progress figures seen.
Then every paper is exported (--exports: BibTeX and CSL-JSON) through the admin's export
page: the request that queues the job, the job to done and the download.
A ``manage.py db_worker`` process runs the jobs. With --postgres the database named in
the URL is dropped and created again. At the end every job of the run is listed with how
long it waited in the queue and how long it ran.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

POLL = 0.1


def fresh_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def follow(client, job_id):
    """Poll the job's status until it ends; ``(seconds, progress figures seen, status)``."""
    from django.urls import reverse

    url = reverse("admin:papers_job_status", args=[job_id])
    started = time.perf_counter()
    seen = set()
    while True:
        status = client.get(url).json()
        if status["state"] == "running" and status["total"]:
            seen.add((status["done"], status["refused"]))
        if not status["active"]:
            return time.perf_counter() - started, len(seen), status
        time.sleep(POLL)


def make_csljson(n):
    """The BibTeX library of ``make_bibtex(n)`` as a CSL-JSON array (Zotero's shape): the
    same titles, bylines, venues and years; its refused entries stay refused (no title)."""
    import json

    from intake_bibtex import make_bibtex

    from papers.intake.batch import Problem
    from papers.intake.bibtex_import import parse_bibtex

    items = []
    for number, record in enumerate(parse_bibtex(make_bibtex(n, invalid_every=100)), start=1):
        if isinstance(record, Problem):
            items.append({"id": f"bad{number}", "type": "paper-conference"})
            continue
        items.append(
            {
                "id": f"key{number}",
                "type": "paper-conference",
                # Titles of their own: after the BibTeX run these are new papers, not
                # duplicates the preview would find nothing to import in.
                "title": f"{record.title} (CSL-JSON)",
                "author": [{"literal": name} for name in record.authors],
                "container-title": record.venue,
                "issued": {"date-parts": [[record.year]]},
            }
        )
    return json.dumps(items, indent=2).encode()


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, (time.perf_counter() - started) * 1000


def run(client, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from papers.jobs.models import Job

    url = reverse("admin:papers_paper_import_bibtex")
    upload = SimpleUploadedFile(name, data)
    response, upload_ms = timed(lambda: client.post(url, {"file": upload, "existing": "fill"}))
    assert response.status_code == 302, response.content[:500]
    preview = Job.objects.get(kind="intake.preview_file", payload_name=name)
    preview_s, preview_seen, status = follow(client, preview.pk)
    assert status["state"] == "done", status["message"]
    response, import_ms = timed(lambda: client.post(url, {"preview": preview.pk}))
    assert response.status_code == 302
    imported = Job.objects.get(kind="intake.import_file", payload_name=name)
    import_s, import_seen, status = follow(client, imported.pk)
    assert status["state"] == "done", status["message"]
    print(
        f"{name} ({len(data) / 2**20:.1f} MB): upload request {upload_ms:.0f} ms; preview "
        f"done in {preview_s:.1f} s ({preview_seen} progress figures seen); Import request "
        f"{import_ms:.0f} ms; import done in {import_s:.1f} s ({import_seen} progress figures "
        f"seen); {status['text']}"
    )


def run_export(client, format):
    """The admin's export of every paper (past the in-request limit): the POST that queues
    it, the job to done, the download. (The GET before it shows a form: a template, which
    needs collected static files with DEBUG off, so it is not timed here.)"""
    from django.urls import reverse

    from papers.jobs.models import Job

    url = reverse(f"admin:papers_paper_export_{format}")
    response, queue_ms = timed(lambda: client.post(url))
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.filter(kind="papers.export").latest("pk")
    job_s, seen, status = follow(client, job.pk)
    assert status["state"] == "done", status["message"]
    response, file_ms = timed(lambda: client.get(reverse("admin:papers_job_file", args=[job.pk])))
    print(
        f"export {format}: queueing request {queue_ms:.0f} ms; job done "
        f"in {job_s:.1f} s ({seen} progress figures seen); {status['text']}; download "
        f"{len(response.content) / 2**20:.1f} MB in {file_ms:.0f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bibtex", type=int, default=5000, help="entries (default 5,000; 0: none)")
    parser.add_argument("--notes", type=int, default=1000, help="entries (default 1,000; 0: none)")
    parser.add_argument(
        "--csljson", type=int, default=5000, help="CSL-JSON items (default 5,000; 0: none)"
    )
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
    parser.add_argument(
        "--exports", default="bibtex,csljson", help="then export every paper in these formats"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="papershelf-bench-queue-"))
    if args.postgres:
        fresh_postgres(args.postgres)
        os.environ["DATABASE_URL"] = args.postgres
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # As in production (DEBUG off), but served to the test client over plain HTTP.
    os.environ.update(
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        MEDIA_ROOT=str(workdir / "media"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from intake_bibtex import make_bibtex
    from intake_notes import make_notes

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", "b@example.org", "x"))
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Warm up (URLs, the first connection), as a running server is.
        client.post(
            reverse("admin:papers_paper_import_bibtex"),
            {
                "file": SimpleUploadedFile("warm-up.bib", b"@misc{a, title={A}, year={2020}}"),
                "existing": "fill",
            },
        )
        print(f"Database: {'PostgreSQL' if args.postgres else 'SQLite'}; polling every {POLL} s")
        if args.bibtex:
            run(client, "library.bib", make_bibtex(args.bibtex, invalid_every=100).encode())
        if args.notes:
            run(client, "reading.md", make_notes(args.notes).encode())
        if args.csljson:
            run(client, "library.json", make_csljson(args.csljson))
        for format in args.exports.split(","):
            if format:
                run_export(client, format)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print_jobs()
    print(f"load average {os.getloadavg()[0]:.1f}")


def print_jobs():
    """Every job the run queued, in order, with how long it waited and ran: a job that
    waits behind another (a preview behind the wiki-link job an import queued) shows here,
    not in its own figures."""
    from papers.jobs.models import Job

    for job in Job.objects.order_by("pk"):
        if job.started_at is None or job.finished_at is None:
            print(f"{job.kind:22} {job.label[:50]:50} {job.state}")
            continue
        waited = (job.started_at - job.created_at).total_seconds()
        ran = (job.finished_at - job.started_at).total_seconds()
        print(f"{job.kind:22} {job.label[:50]:50} waited {waited:6.1f} s, ran {ran:6.1f} s")


if __name__ == "__main__":
    main()
