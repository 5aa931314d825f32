"""The test databases of a parallel run: migrated once, copied per worker.

Left to pytest-django, each xdist worker makes its database (test_<name>_gw0, …; on
SQLite a file in the worker's own folder, tests/settings.py) itself: every migration, ~9 s
of a core per worker on PostgreSQL (CREATE DATABASE too), 2.6–3.3 s on SQLite. Instead,
the controller process starts this module as a subprocess, which runs while the workers
start and collect: it makes the test database with Django's own ``create_test_db`` (the
same migrate, so always the migrations of this run: nothing is kept from one run to the
next) and writes what it made to a status file. On PostgreSQL it copies that database once
per worker with Django's ``clone_test_db`` (``CREATE DATABASE … TEMPLATE``, as Django's
parallel test runner does) and drops it; on SQLite it leaves the migrated file, which each
worker copies to its own path (the workers' paths are their own folders, unknown here). A
worker waits for that file, opens its copy as ``--reuse-db`` would (migrate finds nothing
to apply; post_migrate and the rest of Django's setup run as usual) and drops it at the end.

Whatever goes wrong here (no status, an error, a worker without a copy: one restarted
after a crash) leaves that worker to make its database as before.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ENV = "PAPERSHELF_TEST_DB_COPIES"  # the status file's path, for the workers
WAIT_SECONDS = 600


def start(config):
    """In the controller of a parallel PostgreSQL run: start making the copies."""
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no":
        return
    workers = config.getoption("numprocesses", None)
    if not isinstance(workers, int) or workers < 1:
        return
    if config.getoption("reuse_db", False) or config.getoption("create_db", False):
        return  # the developer chose how the databases are made

    status = Path(tempfile.mkdtemp(prefix="papershelf-test-db-copies-")) / "status.json"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.database_template", str(status)]
        + [f"gw{number}" for number in range(workers)],
        cwd=config.rootpath,
        # A maintenance command's setting (config/settings.py): on a loaded machine CREATE
        # DATABASE and migrations can exceed the 15 s that guards requests.
        env={**os.environ, "DB_STATEMENT_TIMEOUT": "0"},
    )

    def report_a_crash():
        code = process.wait()
        if not status.exists():
            _write(status, {"error": f"exited with {code} before writing its status"})

    threading.Thread(target=report_a_crash, daemon=True).start()
    # Cleanups run last first: the process is stopped, then its folder removed.
    config.add_cleanup(lambda: shutil.rmtree(status.parent, ignore_errors=True))
    config.add_cleanup(lambda: process.poll() is None and process.kill())
    os.environ[ENV] = str(status)  # the workers, started after this hook, inherit it


def copy_for_this_worker(test_database_name):
    """Whether ``test_database_name`` is a migrated copy made for this process (waiting for
    the controller's): on PostgreSQL a worker's, made by the controller; on SQLite copied
    here, by a worker or by a pytest a test starts (tests/config/test_fourth_kind.py: its
    settings are the suite's and one app more, whose migration the migrate after applies)."""
    path = os.environ.get(ENV)
    if not path:
        return False
    status, deadline = Path(path), time.monotonic() + WAIT_SECONDS
    while not status.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    made = json.loads(status.read_text())
    if "error" in made:
        print(f"test database copies: {made['error']}", file=sys.stderr)
    if "file" in made:
        # Whole: the migrating connection was closed, so nothing is left in a WAL file.
        shutil.copyfile(made["file"], test_database_name)
        return True
    is_worker = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    return is_worker and test_database_name in made.get("databases", [])


def _write(status, content):
    partial = status.with_suffix(".partial")
    partial.write_text(json.dumps(content))
    partial.replace(status)  # atomic: a worker never reads half a file


def _make(status, workers):
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        _make_file(status, connection)
    else:
        _make_copies(status, workers)


def _make_copies(status, workers):
    """PostgreSQL: one migrated database, copied per worker, then dropped."""
    from django.db import connection

    creation = connection.creation
    try:
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        for worker in workers:
            creation.clone_test_db(suffix=worker, verbosity=0, autoclobber=True)
        names = [creation.get_test_db_clone_settings(worker)["NAME"] for worker in workers]
    except BaseException:  # clone_test_db ends in sys.exit() when it cannot copy
        _write(status, {"error": traceback.format_exc()})
        raise
    _write(status, {"databases": names})
    # Dropped once the workers are told, not before: DROP DATABASE makes the server write a
    # checkpoint (the migrations' and copies' pages), 10.8 s of wall at load 15, which the
    # workers waited out. The copies are independent of it.
    creation.destroy_test_db(verbosity=0)


def _make_file(status, connection):
    """SQLite: one migrated file beside the status, for the workers to copy."""
    path = status.with_name("migrated.sqlite3")
    connection.settings_dict["TEST"]["NAME"] = str(path)
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        # The last connection's close moves what the WAL file holds into the database file.
        connection.close()
    except BaseException:
        _write(status, {"error": traceback.format_exc()})
        raise
    _write(status, {"file": str(path)})


if __name__ == "__main__":
    _make(Path(sys.argv[1]), sys.argv[2:])
