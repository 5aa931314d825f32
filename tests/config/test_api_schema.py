"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis).

For every operation, schemathesis generates valid and invalid parameters from
``/api/openapi.json`` and checks the answers: no 5xx, status codes and bodies that match
the schema, JSON content types, schema-valid values accepted and invalid ones refused:
every check schemathesis has (``--checks all``), none excluded. The number of examples is
bounded so the suite stays fast.

Each operation is a test of its own, named by its label (``[GET /api/tags]``) and listed
from the served document at collection; schemathesis builds the operation's test (its
examples, its coverage cases drawn with Hypothesis, its fuzzing: the phases its pytest
plugin runs) when the test runs, not when pytest collects. Every pytest-xdist worker
collects the whole suite, and building the ten tests there cost each worker 1.3–1.6 s of
CPU before its first test (docs/PERFORMANCE.md, helper suitecollect83).
"""

import os

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from tests.blog.factories import ReportFactory
from tests.factories import paper_with_everything
from tests.readinggroup.factories import PresentationFactory

# Bounded so the suite stays quick; raise it for a deeper run: SCHEMATHESIS_EXAMPLES=500.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))

SCHEMA_URL = "/api/openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def served_operations():
    """Every operation's label (``GET /api/tags``) in the document the site serves, read
    as plain JSON: listing them needs no schemathesis, only generating cases does."""
    document = Client().get(SCHEMA_URL).json()
    return [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
        if method in HTTP_METHODS
    ]


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


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def call_and_validate(case):
    # Its WSGI transport sends requests' "Accept-Encoding: gzip" but does not decode the
    # answer as an HTTP client would; the gzip itself is tested in test_compression.py.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    """The schema, loaded through the WSGI app as a client would: the schema the site
    really serves. Module-scoped, which keeps the module's tests on one worker
    (tests/conftest.py): one process imports schemathesis and loads the schema."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    # The document reads no row, but the WSGI handler's request signal checks whether the
    # database connection is still usable, which a test process allows only when unblocked.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())


@pytest.fixture(scope="module")
def build_operation_test(api_schema):
    """Builds schemathesis' Hypothesis test of one operation (by label) as its pytest
    plugin builds each at collection (``SchemathesisCase._gen_items``): the project's
    phases and checks, the settings above."""
    from schemathesis.checks import load_all_checks
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.pytest._test_builder import build_operation_test
    from schemathesis.python._constants.orchestrator import make_constants_value_source

    load_all_checks()
    feedback = FeedbackSources(constants_value_source=make_constants_value_source(api_schema))

    def build(label):
        method, path = label.split(" ", 1)
        return build_operation_test(
            config=api_schema.config,
            operation=api_schema[path][method],
            test_func=call_and_validate,
            given_kwargs={},
            feedback=feedback,
        )

    return build


def test_the_listed_operations_are_every_operation_schemathesis_finds(api_schema, db):
    assert served_operations() == [result.ok().label for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("operation", served_operations())
def test_api_answers_match_the_schema(operation, build_operation_test, api_content):
    from schemathesis.core.failures import FailureGroup, as_reported_failure
    from schemathesis.generation.hypothesis.reporting import ignore_hypothesis_output

    __tracebackhide__ = True
    test = build_operation_test(operation)
    try:
        with ignore_hypothesis_output():  # as the plugin runs it: its report says it all
            test()
    except FailureGroup as failures:  # reported as the plugin reports failing cases
        raise as_reported_failure(failures) from None
