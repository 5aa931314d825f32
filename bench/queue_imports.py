"""Benchmark: imports through the job queue with a real worker (not a test).

    .venv/bin/python bench/queue_imports.py                 # SQLite in a temporary folder
    .venv/bin/python bench/queue_imports.py --postgres postgres://postgres@127.0.0.1:5432/x

For a 5,000-entry BibTeX library (bench/intake_bibtex.py, 1% refused) and a 1,000-entry
notes file (bench/intake_notes.py), as an editor in the admin: the upload request (which
only checks the file and queues a preview job), the preview job to done, the "Import"
request, and the import job to done; meanwhile the job's status endpoint is polled every
0.1 s as the job's page does (every 1 s), counting the distinct progress figures seen.
A ``manage.py db_worker`` process runs the jobs. With --postgres the database named in
the URL is dropped and created again.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bibtex", type=int, default=5000, help="entries (default 5,000)")
    parser.add_argument("--notes", type=int, default=1000, help="entries (default 1,000)")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
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
        run(client, "library.bib", make_bibtex(args.bibtex, invalid_every=100).encode())
        run(client, "reading.md", make_notes(args.notes).encode())
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
