"""Ports for the servers tests start (gunicorn, redis-server, PostgreSQL, moto, nginx).

The suite runs in parallel (pytest-xdist), and other runs share the machine, so no test
uses a fixed port: the kernel hands out an unused one, and two workers never get the same.
"""

import socket
import time


def free_port():
    """A port nothing listens on now, chosen by the kernel (bind to port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, log_path, seconds=30):
    """Wait until ``process`` listens on ``port``; fail with its log if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                with open(log_path) as log:
                    raise RuntimeError(f"port {port} never opened:\n{log.read()}") from None
            time.sleep(0.1)
