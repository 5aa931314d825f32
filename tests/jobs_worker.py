"""Run background jobs in tests: a real ``manage.py db_worker`` process, or in-process.

Every job kind is run at least once by a real worker (``RealWorker``): a separate process
that loads the test settings and reads the test database (a file on SQLite, see
tests/settings.py), so the test must commit what the job reads
(``@pytest.mark.django_db(transaction=True)``). ``run_queued_jobs()`` runs the queued jobs
in the test's own process and transaction, for tests about what a job does rather than
how it is run.
"""

import os
import signal
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection

from papers.jobs import queue
from papers.jobs.models import Job
from papers.jobs.queue import run_job
from tests import forkserver

ROOT = Path(__file__).resolve().parent.parent


def database_url():
    """The URL of the database this test runs on (the test database, not the real one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def run_queued_jobs(kind=None):
    """Run every queued job (of ``kind``) here and now, oldest first; return them refreshed."""
    queued = Job.objects.filter(state=Job.State.QUEUED).order_by("pk")
    jobs = list(queued.filter(kind=kind) if kind else queued)
    # A worker closes stale connections before each job; here that would close the one the
    # test's transaction (pytest-django's django_db) is open on.
    with mock.patch.object(queue, "close_old_connections", lambda: None):
        for job in jobs:
            run_job.call(job.pk)
            job.refresh_from_db()
    return jobs


class RealWorker:
    """A ``manage.py db_worker`` process on the test database: a process of its own, forked
    by tests/forkserver.py so that it does not import the libraries again."""

    def __init__(self, log_dir, *, env=None, batch=False):
        self.log_path = Path(log_dir) / f"worker-{time.monotonic_ns()}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "PAPERSHELF_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SITE_URL": settings.SITE_URL,
            # Its own temporary folders (tests/settings.py) go with the test's: a killed
            # worker never removes them.
            "TMPDIR": str(log_dir),
            **(env or {}),
        }
        self.batch = batch
        self.process = None

    def start(self):
        command = [
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            # The system checks have their own tests; each worker start would repeat them.
            "--skip-checks",
            "--interval",
            "0.1",
        ]
        if self.batch:
            command.append("--batch")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = forkserver.shared().start(command, cwd=ROOT, env=self.env, stdout=self.log)
        return self

    def output(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def wait_for(self, job, states=(Job.State.DONE, Job.State.FAILED), timeout=60):
        """Wait until ``job`` reaches one of ``states``; return it refreshed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state in states:
                return job
            if self.process.poll() is not None and not self.batch:
                raise AssertionError(f"the worker exited early:\n{self.output()}")
            time.sleep(0.1)
        raise AssertionError(
            f"job {job.pk} is {job.state} after {timeout} s, not {states}:\n{self.output()}"
        )

    def wait_until(self, predicate, timeout=60, what="the condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"{what} not met after {timeout} s:\n{self.output()}")

    def wait_exit(self, timeout=120):
        self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self):
        """SIGKILL: the worker dies mid-job without a chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        """End the worker at the test's end: killed, as nothing is asserted after this.

        A graceful stop (SIGTERM) is Python's shutdown of a process that imported the
        project: 0.7-2 s of wall and 0.3 s of CPU at load 14, 4-7 s after an import.
        Whatever the worker had not committed is rolled back, and the database is
        flushed next.
        """
        if self.process and self.process.poll() is None:
            self.kill()
        if getattr(self, "log", None):
            self.log.close()
