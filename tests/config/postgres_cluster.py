"""A PostgreSQL cluster of its own (initdb in a temp dir, its own port) to freeze and thaw.

Freezing sends SIGSTOP to every process of the cluster, the postmaster and its
backends: the kernel still accepts connections and acknowledges data, nothing answers,
as with a hung host.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest


def program(name):
    """initdb or postgres: on the PATH, or in Debian's versioned directory."""
    debian = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return next((path for path in [shutil.which(name), *debian] if path), None)


class Cluster:
    """initdb + postgres as the ``postgres`` user (PostgreSQL refuses to run as root)."""

    def __init__(self, port):
        self.port, self.process, self.root = port, None, None
        try:
            self.user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no postgres user to run a PostgreSQL cluster as")
        if os.geteuid() not in (0, self.user.pw_uid) or not program("initdb"):
            pytest.skip("a PostgreSQL cluster needs initdb and root (or the postgres user)")

    def _run_as_postgres(self, *args, **kwargs):
        as_user = {} if os.geteuid() == self.user.pw_uid else {"user": "postgres"}
        return subprocess.Popen(args, cwd=self.root, **as_user, **kwargs)  # noqa: S603

    def start(self):
        self.root = Path(tempfile.mkdtemp(prefix="papershelf-pg-"))
        os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        data = self.root / "data"
        initdb = self._run_as_postgres(
            program("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert initdb.wait(timeout=60) == 0, "initdb failed"
        self.process = self._run_as_postgres(
            program("postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.root),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            stdout=subprocess.DEVNULL, stderr=(self.root / "log").open("w"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start:\n{(self.root / 'log').read_text()}")

    def url(self, database):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def processes(self):
        """The postmaster first, then every process it started (backends, workers)."""
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # it ended meanwhile
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.split("/")[2]))
        return [self.process.pid, *children]

    def freeze(self):
        for pid in self.processes():  # the postmaster first: it starts no one after
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in reversed(self.processes()):
            os.kill(pid, signal.SIGCONT)

    def stop(self):
        if self.process is not None:
            self.thaw()
            self.process.send_signal(signal.SIGQUIT)  # immediate shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
