"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis).

For every operation, schemathesis generates valid and invalid parameters from
``/api/openapi.json`` and checks the answers: no 5xx, status codes and bodies that match
the schema, JSON content types, schema-valid values accepted and invalid ones refused:
every check schemathesis has (``--checks all``), none excluded. The number of examples is
bounded so the suite stays fast.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.blog.factories import ReportFactory
from tests.factories import paper_with_everything
from tests.readinggroup.factories import PresentationFactory

# Bounded so the suite stays quick; raise it for a deeper run: SCHEMATHESIS_EXAMPLES=500.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


# Loaded through the WSGI app, as a client would: the schema the site really serves.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def api_content(db):
    """Some real rows, so that list pages and lookups have content to serialise."""
    paper = paper_with_everything(arxiv_id="2005.14165", doi="10.5555/gpt3", alias="GPT-3")
    paper_with_everything(status="draft", arxiv_id="2101.00001")
    ReportFactory(papers=[paper], tags=["vision"])
    ReportFactory(draft=True)
    PresentationFactory(paper=paper, tags=["vision"])
    # Requests go through the real WSGI handler, which closes the database connection
    # after each one; Django's test client avoids that the same way, so the test's
    # transaction survives the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_match_the_schema(case, api_content):
    # Its WSGI transport sends requests' "Accept-Encoding: gzip" but does not decode the
    # answer as an HTTP client would; the gzip itself is tested in test_compression.py.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
