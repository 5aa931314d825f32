"""Django's PostgreSQL backend, with a deadline on every answer from the server.

A PostgreSQL that hangs (a frozen host or VM, a stopped process, a network that drops
packets) would otherwise hold the worker until gunicorn kills it: ``connect_timeout``
only covers opening a connection, ``statement_timeout`` needs a server that runs, and
libpq keepalives and ``tcp_user_timeout`` (set in settings, for real network cuts) see
nothing when the kernel still acknowledges the traffic, as it does for a stopped
process. So the client keeps its own deadline: psycopg's ``Connection.wait()``, through
which every query and its result pass, gives up after the deadline, closes the
connection (it is mid-exchange, never usable again) and raises ``OperationalError``:
the request ends in the styled 500 and the next one reconnects.

The deadline applies while a request is served (``OPTIONS["query_deadline"]`` seconds,
set by ``config.postgresql.middleware``) and to Django's health check of a reused
connection; management commands (migrate, export, restore) may run long queries.
"""

from contextlib import contextmanager

import psycopg
from django.db.backends.postgresql import base
from psycopg import errors

# Django checks a reused connection with "SELECT 1" at the start of each request; a
# server that takes longer than this to answer that is treated as gone (reconnect).
HEALTH_CHECK_DEADLINE = 1.0


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection that waits at most ``deadline`` seconds for the server."""

    deadline = None  # seconds; None or 0: wait as long as it takes

    def wait(self, gen, *args, **kwargs):
        if kwargs.get("timeout") is not None or not self.deadline:
            return super().wait(gen, *args, **kwargs)
        try:
            return super().wait(gen, *args, timeout=self.deadline, **kwargs)
        except errors._WaitTimeout:  # documented by Connection.wait(); internal name
            self.pgconn.finish()  # no message exchange needed: nothing can block
            raise errors.OperationalError(
                f"PostgreSQL did not answer within {self.deadline:g} s; connection closed"
            ) from None


class _Psycopg:
    """The psycopg module as Django's backend uses it, except that connect() makes a
    ``DeadlineConnection`` (Django calls ``self.Database.connect(**params)``)."""

    connect = staticmethod(DeadlineConnection.connect)

    def __getattr__(self, name):
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Psycopg()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A number in settings, a string from DATABASE_URL's query string; 0 = none.
        options = self.settings_dict["OPTIONS"]
        self.request_deadline = float(options.get("query_deadline") or 0) or None
        self.query_deadline = None  # the one in force now (see answer_within)

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("query_deadline", None)  # ours, not a libpq parameter
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.deadline = self.query_deadline
        return connection

    @contextmanager
    def answer_within(self, seconds):
        """Queries in this block wait at most ``seconds`` (or the usual deadline)."""
        previous = self.query_deadline
        self.query_deadline = min(seconds, previous) if previous else seconds
        if self.connection is not None:
            self.connection.deadline = self.query_deadline
        try:
            yield
        finally:
            self.query_deadline = previous
            if self.connection is not None:
                self.connection.deadline = previous

    def is_usable(self):
        with self.answer_within(HEALTH_CHECK_DEADLINE):
            return super().is_usable()
