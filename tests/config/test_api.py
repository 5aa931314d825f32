import pytest

from papers.models import Paper, Status
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory, paper_with_everything

pytestmark = pytest.mark.django_db


def make_shelf():
    hinton = AuthorFactory(name="Geoffrey Hinton")
    return {
        "vit": PaperFactory(
            title="ViT",
            year=2020,
            venue="ICLR",
            tags=["vision", "transformers"],
            arxiv_id="2010.11929",
        ),
        "gpt": PaperFactory(
            title="GPT-3",
            year=2020,
            venue="",
            tags=["language", "transformers"],
            authors=[hinton],
            doi="10.5555/gpt3",
        ),
        "cnn": PaperFactory(
            title="AlexNet", year=2012, tags=["vision"], authors=[hinton], venue="NeurIPS"
        ),
        "draft": PaperFactory(
            title="Hidden", year=2020, tags=["vision"], status=Status.DRAFT, arxiv_id="2101.00001"
        ),
    }


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, shelf = fixture_rows(make_shelf)


def titles(response):
    return [item["title"] for item in response.json()["items"]]


def test_list_is_paginated_ordered_and_published_only(client, shelf):
    response = client.get("/api/papers")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert titles(response) == ["GPT-3", "ViT", "AlexNet"] or titles(response) == [
        "ViT",
        "GPT-3",
        "AlexNet",
    ]
    assert response["Access-Control-Allow-Origin"] == "*"
    item = data["items"][0]
    assert {"slug", "title", "year", "authors", "tags", "html_url", "arxiv_id", "doi"} <= set(item)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag=vision", {"ViT", "AlexNet"}),
        ("tag=vision&tag=transformers", {"ViT"}),
        ("year=2020", {"ViT", "GPT-3"}),
        ("year_min=2013", {"ViT", "GPT-3"}),
        ("year_max=2012", {"AlexNet"}),
        ("venue=neurips", {"AlexNet"}),
        ("q=alex", {"AlexNet"}),
        ("author=geoffrey-hinton", {"GPT-3", "AlexNet"}),
        ("unknown=1&_connector=OR", {"ViT", "GPT-3", "AlexNet"}),
    ],
)
def test_filters(client, shelf, query, expected):
    response = client.get(f"/api/papers?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_page_size_is_capped(client):
    for _ in range(120):
        PaperFactory()
    response = client.get("/api/papers?limit=100000")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 100
    assert response.json()["count"] == 120
    assert client.get("/api/papers?offset=100000").json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "offset=-1",
        "limit=0",
        "year=abc",
        "year=99999999999999999999",
        "sort=bogus",
        "tag=" + "t" * 101,
    ],
)
def test_bad_parameters_are_422_not_500(client, shelf, query):
    response = client.get(f"/api/papers?{query}")
    assert response.status_code == 422, response.content


def test_paper_by_slug_arxiv_id_and_doi(client, shelf):
    by_slug = client.get(f"/api/papers/{shelf['vit'].slug}")
    assert by_slug.status_code == 200 and by_slug.json()["title"] == "ViT"
    for path in ["arxiv/2010.11929", "arxiv/2010.11929v2", "arxiv/arXiv:2010.11929"]:
        assert client.get(f"/api/papers/{path}").json()["title"] == "ViT", path
    assert client.get("/api/papers/doi/10.5555/GPT3").json()["title"] == "GPT-3"
    assert client.get("/api/papers/doi/https://doi.org/10.5555/gpt3").json()["title"] == "GPT-3"


def test_drafts_and_unknowns_are_404_and_bad_ids_422(client, shelf):
    assert client.get(f"/api/papers/{shelf['draft'].slug}").status_code == 404
    assert client.get("/api/papers/arxiv/2101.00001").status_code == 404
    assert client.get("/api/papers/nope").status_code == 404
    assert client.get("/api/papers/arxiv/not-an-id").status_code == 422
    assert client.get("/api/papers/doi/nonsense").status_code == 422


def test_tags_with_counts(client, shelf):
    data = client.get("/api/tags").json()
    counts = {item["slug"]: item["papers"] for item in data["items"]}
    assert counts == {"vision": 2, "transformers": 2, "language": 1}


def test_read_only(client, shelf):
    before = Paper.objects.count()
    assert client.post("/api/papers", {}).status_code == 405
    assert client.delete(f"/api/papers/{shelf['vit'].slug}").status_code == 405
    assert Paper.objects.count() == before  # nothing was added or deleted
    assert client.get(f"/api/papers/{shelf['vit'].slug}").json()["slug"] == shelf["vit"].slug


def test_openapi_schema_and_docs_page(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/papers" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode()


@pytest.mark.parametrize("n", [5, 60])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, n):
    for i in range(n):
        paper_with_everything(tags=(f"t{i % 5}", "shared"))
    # tag slugs → ids, count, the page's ids, its rows (none kept yet: papers.site.api
    # KeptRows), bylines, tags: the same six whatever the row count
    with django_assert_max_num_queries(6):
        assert client.get("/api/papers?tag=shared&limit=50").status_code == 200


def test_the_api_address_leads_to_its_documentation(client):
    response = client.get("/api/")
    assert response.status_code == 302
    assert response["Location"] == "/api/docs"
    assert client.get("/api/docs").status_code == 200
    # Anything else unknown under /api/ is still the API's JSON 404.
    assert client.get("/api/nothing-here").json() == {"detail": "Not Found"}
