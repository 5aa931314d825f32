"""Database queries made while serving a request wait at most ``DB_QUERY_DEADLINE``."""

from contextlib import ExitStack

from django.db import connections


class QueryDeadlineMiddleware:
    """Hold every query of the request to its database's ``request_deadline``.

    First in ``MIDDLEWARE``, so sessions, login throttling and views are all covered.
    Databases without one (SQLite; see config/postgresql/base.py) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with ExitStack() as stack:
            for connection in connections.all():
                if deadline := getattr(connection, "request_deadline", None):
                    stack.enter_context(connection.answer_within(deadline))
            return self.get_response(request)
