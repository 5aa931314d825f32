"""The site's URLs plus a view with a slow query (for the statement_timeout test)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def slow_query(request):
    """Runs a query far longer than the statement_timeout the test server is given."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(20)")
    return HttpResponse("finished")


urlpatterns = [
    path("_test/slow-query/", slow_query),
    path("", include("config.urls")),
]
