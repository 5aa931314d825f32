"""/api/docs: the API reference the site renders from its own OpenAPI schema."""

import pytest
from pytest_django.asserts import assertInHTML

pytestmark = pytest.mark.django_db


def test_the_reference_shows_every_operation_and_object_of_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html and '<main id="main"' in html
    assert "<script" not in html  # nothing for the CSP to allow, nothing to load
    assert 'href="/api/openapi.json"' in html
    for path, methods in schema["paths"].items():
        for operation in methods.values():
            assert f'id="{operation["operationId"]}"' in html, path
            assert f"<code>{path}</code>" in html
            for parameter in operation.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in html
    for name, definition in schema["components"]["schemas"].items():
        assert f'id="schema-{name}"' in html
        for field in definition.get("properties", {}):
            assert f"<code>{field}</code>" in html
    # Types link to the objects they name.
    assertInHTML('<a href="#schema-PaperDetailOut">PaperDetailOut</a>', html)
    assert 'array of <a href="#schema-TagOut">TagOut</a>' in html
