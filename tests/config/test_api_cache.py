"""API answers are public pages: cached for anonymous callers until the content changes."""

import pytest

from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/papers", "/api/papers?tag=vision", "/api/tags"])
def test_a_repeat_call_costs_no_query_and_a_save_shows_at_once(
    client, django_assert_num_queries, url
):
    paper = PaperFactory(title="ViT", tags=["vision"])
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    assert again["Access-Control-Allow-Origin"] == "*"
    paper.tags.add("transformers")
    paper.title = "ViT, revised"
    paper.save()
    assert client.get(url).content != first.content


def test_errors_are_not_cached(client):
    assert client.get("/api/papers?year=abc").status_code == 422
    assert client.get("/api/papers/no-such-paper").status_code == 404
    PaperFactory(slug="no-such-paper")
    assert client.get("/api/papers/no-such-paper").status_code == 200


def test_a_conditional_repeat_call_costs_a_304(client):
    PaperFactory()
    etag = client.get("/api/papers")["ETag"]
    assert client.get("/api/papers", headers={"if-none-match": etag}).status_code == 304
