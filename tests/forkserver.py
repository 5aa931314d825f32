"""Start ``python manage.py …`` processes for tests from an interpreter that has imported
the libraries already: a fork server.

A job worker the tests start (tests/jobs_worker.py, 34 starts in the suite) spent ~0.5 s of
CPU before its first job, ~0.3 s of it importing Django, psycopg and the other libraries;
the settings tests' ``manage.py check`` runs likewise. The server (one per pytest process,
started at its first request) imports them once, without settings, then forks one child
per request; the child takes the request's environment, folder, arguments and output,
and runs ``manage.py`` as ``python manage.py`` would: settings, apps and
database connections are made in the child, from its own environment. The child is a real,
separate process (SIGKILL or SIGSTOP reach it alone), a child of the server rather than of
pytest; the server reports its exit status back.

Only what is read at the interpreter's start differs from a fresh ``python``: the
``PYTHON*``, locale and ``TZ`` variables. A request whose values differ from the server's
gets a fresh interpreter (``subprocess.Popen``) instead.
"""

import contextlib
import gc
import importlib
import json
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imported by the server before any fork: a worker's start, ~0.51 s of CPU fresh, is ~0.21 s
# forked (`python -X importtime manage.py db_worker` lists what it imports). Each imports without settings; what needs
# them (models, the project's modules) is imported by the child after django.setup().
PRELOAD = (
    "django.core.management",
    "django.db.models",
    "django.db.backends.postgresql.base",  # psycopg
    "django.db.backends.sqlite3.base",
    "django.db.migrations.loader",
    "django.urls",
    "django.forms",
    "django.template.defaultfilters",
    "django.template.loader_tags",
    "django.views.generic",
    "django.contrib.admin",
    "django.contrib.auth.hashers",
    "django.contrib.postgres.fields",
    "django.contrib.postgres.search",
    "django.contrib.staticfiles.finders",
    "django.core.mail",
    "django.core.handlers.wsgi",
    "django.test.signals",
    "django_tasks",
    "django_tasks_db.backend",
    "django_filters",
    "markdown",
    "PIL.Image",
    "nh3",
    "rispy",
)

_MESSAGE_SIZE = 1 << 20


def _read_at_start(env):
    """The variables an interpreter reads as it starts (flags, paths, locale, time zone)."""
    return {
        name: value
        for name, value in env.items()
        if name.startswith(("PYTHON", "LC_")) or name in ("LANG", "TZ")
    }


# The server -------------------------------------------------------------------------------


def _preload():
    for name in PRELOAD:
        importlib.import_module(name)
    # What a child must make from its own environment was not made here.
    from django.apps import apps
    from django.conf import settings

    assert not settings.configured and not apps.ready, "the server read settings"
    assert tempfile.tempdir is None, "the server chose a temporary folder (TMPDIR)"


def _serve(control):
    """Fork a child per request on ``control``; return ``(request, outputs)`` in the child,
    ``None`` in the server when pytest closes ``control``."""
    wakeup_r, wakeup_w = socket.socketpair()
    for end in (wakeup_r, wakeup_w):
        end.setblocking(False)
    # SIGCHLD interrupts the wait below through the wake-up socket; its handler does nothing.
    signal.set_wakeup_fd(wakeup_w.fileno())
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wakeup_r, selectors.EVENT_READ)
    status_of = {}  # the pid of each running child -> the socket its exit status goes to

    while True:
        for key, _ in selector.select():
            if key.fileobj is wakeup_r:
                while True:  # drain, then reap whoever exited
                    try:
                        wakeup_r.recv(4096)
                    except BlockingIOError:
                        break
                _reap(status_of)
                continue
            message, fds, flags, _ = socket.recv_fds(control, _MESSAGE_SIZE, 3)
            if not message:
                return None
            assert not flags & socket.MSG_TRUNC, "request too long"
            status, outputs = socket.socket(fileno=fds[0]), fds[1:]
            # Nothing a child would inherit half-made: no other thread, nothing buffered.
            assert threading.active_count() == 1
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                selector.close()
                for end in (control, wakeup_r, wakeup_w, status, *status_of.values()):
                    end.close()
                return json.loads(message), outputs
            for fd in outputs:
                os.close(fd)
            # A descriptor of this very process: pytest signals it without the risk of a
            # reused pid once it has exited and been reaped here.
            pidfd = os.pidfd_open(pid)
            socket.send_fds(status, [str(pid).encode()], [pidfd])
            os.close(pidfd)
            status_of[pid] = status


def _reap(status_of):
    while status_of:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = status_of.pop(pid)
        with contextlib.suppress(OSError):  # its client may be gone (its test ended)
            connection.send(str(os.waitstatus_to_exitcode(status)).encode())
        connection.close()


def _become(request, outputs):
    """In the child: be ``python <argv>`` started in the request's folder and environment."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    stdout, stderr = outputs
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    os.close(stdout)
    os.close(stderr)
    script = os.path.abspath(request["argv"][0])
    sys.argv = request["argv"]
    sys.path[0] = os.path.dirname(script)  # as for `python script`


def main():
    control = socket.socket(fileno=int(sys.argv[1]))
    _preload()
    # A child's last collections at its exit would walk every object imported here (a
    # `manage.py check` refused at its settings cost twice a fresh process's CPU); frozen,
    # they are skipped, and still freed by their reference counts.
    gc.freeze()
    child = _serve(control)
    if child is None:
        # Nothing to flush or close: the interpreter's end would only free the libraries.
        os._exit(0)
    _become(*child)
    # The interpreter's usual end follows: exit handlers, threads joined, the exit status.
    runpy.run_path(sys.argv[0], run_name="__main__")


# The client, in the test's process ---------------------------------------------------------


class ForkedProcess:
    """The part of ``subprocess.Popen`` tests use, for a child of the server."""

    def __init__(self, status):
        self._status = status
        message, fds, _, _ = socket.recv_fds(status, 64, 1)
        if not message:
            raise RuntimeError("the fork server did not start the process (see its stderr)")
        self.pid = int(message)
        self._pidfd = fds[0]
        self.returncode = None

    def poll(self):
        return self.wait(timeout=0) if self.returncode is None else self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            self._status.settimeout(timeout)
            try:
                message = self._status.recv(64)
            except (BlockingIOError, TimeoutError):
                if timeout == 0:
                    return None
                raise subprocess.TimeoutExpired(["forked", str(self.pid)], timeout) from None
            if not message:
                raise RuntimeError(f"the fork server stopped before process {self.pid} ended")
            self.returncode = int(message)
            self._status.close()
            os.close(self._pidfd)
        return self.returncode

    def send_signal(self, signum):
        if self.returncode is None:
            # It may have exited already: ignored, as Popen.send_signal does.
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class ForkServer:
    """One server process; ``start()`` is ``subprocess.Popen`` for ``python manage.py …``."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Without DJANGO_SETTINGS_MODULE a library that read settings at its import fails
        # the server's start instead of making them from the wrong environment.
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "tests.forkserver", str(theirs.fileno())],
            cwd=ROOT, env=self.env, pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        self._control = ours

    def start(self, argv, *, cwd, env, stdout, stderr=None):
        """``subprocess.Popen([python, *argv], …)`` with ``argv[0]`` a script and the output
        to files (``stderr`` None: to ``stdout``)."""
        stderr = stderr or stdout
        if _read_at_start(env) != _read_at_start(self.env):
            return subprocess.Popen(  # noqa: S603 - this interpreter, the caller's script
                [sys.executable, *argv], cwd=cwd, env=env, stdout=stdout, stderr=stderr
            )
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        request = json.dumps({"argv": argv, "cwd": str(cwd), "env": env}).encode()
        fds = [theirs.fileno(), stdout.fileno(), stderr.fileno()]
        try:
            socket.send_fds(self._control, [request], fds)
        except OSError as error:
            raise RuntimeError(f"the fork server has stopped ({self.process.poll()})") from error
        finally:
            theirs.close()
        return ForkedProcess(ours)

    def run(self, argv, *, cwd, env, timeout):
        """``subprocess.run([python, *argv], capture_output=True, text=True, …)``."""
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            process = self.start(argv, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
            outputs = []
            for output in (stdout, stderr):
                output.seek(0)
                outputs.append(output.read().decode(errors="replace"))
        return subprocess.CompletedProcess([sys.executable, *argv], process.returncode, *outputs)

    def close(self):
        """The server exits when its control socket closes; its children are the callers'."""
        self._control.close()
        self.process.wait(timeout=10)


_shared = None


def shared():
    """This process's server, started at the first call (tests/conftest.py closes it)."""
    global _shared
    if _shared is None:
        _shared = ForkServer()
    return _shared


def close_shared():
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None


if __name__ == "__main__":
    main()
