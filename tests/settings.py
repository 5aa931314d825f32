"""Test settings: every override the suite needs, in one place."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# The test client's own host, so pages rendered for it show the addresses tests expect;
# tests/config/test_site_url.py sends other Hosts and checks they change nothing.
os.environ.setdefault("SITE_URL", "http://testserver")

from config.settings import *  # noqa: E402, F403

_MADE_BY, _TEMPORARY_FOLDERS = os.getpid(), []


def _temporary_folder(prefix):
    """A folder of this process's own, removed when it exits (every test worker and every
    process a test starts makes its own: hundreds a day in /tmp otherwise). A process
    killed with SIGKILL keeps them: tests/jobs_worker.py points its workers' TMPDIR at the
    test's own folder."""
    folder = tempfile.mkdtemp(prefix=prefix)
    _TEMPORARY_FOLDERS.append(folder)
    return folder


@atexit.register
def _remove_temporary_folders():
    if os.getpid() == _MADE_BY:  # not from a forked child: the folders are its parent's
        for folder in _TEMPORARY_FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)


PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process a test starts is told the test's media folder (tests/jobs_worker.py).
MEDIA_ROOT = os.environ.get("PAPERSHELF_TEST_MEDIA_ROOT") or _temporary_folder(
    "papershelf-test-media-"
)
# A worker a test starts answers arXiv and Crossref from reconstructed files: no network.
if os.environ.get("PAPERSHELF_TEST_INTAKE_TRANSPORT"):
    INTAKE_HTTP_TRANSPORT = os.environ["PAPERSHELF_TEST_INTAKE_TRANSPORT"]
# A worker a test starts may be told to write its progress at every figure
# (papers/jobs/queue.py, PROGRESS_EVERY): the test then sees a job partway through however
# fast the machine imports.
if os.environ.get("PAPERSHELF_TEST_JOB_PROGRESS_EVERY"):
    JOB_PROGRESS_EVERY = float(os.environ["PAPERSHELF_TEST_JOB_PROGRESS_EVERY"])
# A browser test follows each job on its page: a job's end shows within 0.2 s, not 1 s.
JOB_STATUS_POLL_MS = 200
# Job kinds for the queue's own tests (tests/jobapp/kinds.py), in workers too.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobapp"]  # noqa: F405
# The flush after a transactional test keeps the content types and permissions that
# post_migrate would make again (tests/testdb/management/commands/flush.py).
INSTALLED_APPS += ["tests.testdb"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test client speaks plain HTTP; the redirect itself is tested with the setting on.
SECURE_SSL_REDIRECT = False
STATIC_ROOT = _temporary_folder("papershelf-test-static-")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is a file, not memory: tests start real worker processes
    # (manage.py db_worker, tests/jobs_worker.py) that must see the jobs the test queued.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(_temporary_folder("papershelf-test-db-"), "test.sqlite3")
    }
elif DATABASES["default"]["ENGINE"] == "config.postgresql":  # noqa: F405
    # The site's backend, flushed after a transactional test with DELETE, not TRUNCATE
    # (tests/postgresql/base.py: seconds per test on a loaded machine).
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
    # A commit returns before its WAL reaches the disk: 7 ms less per commit on this
    # machine's shared disk (0.1-1.4 ms instead of 7), which real job workers pay several
    # times per job (a thousand queued jobs: 85 s of waiting at load 12). Other sessions see
    # a commit as before; only a crash of the server could lose the last commits, and the
    # test database does not outlive the run.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
