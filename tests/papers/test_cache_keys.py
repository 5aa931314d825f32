"""The page cache is bounded: what a stored page's key holds, and that every entry expires."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from blog.filters import ReportFilter
from config.api import api
from config.search import SearchForm
from config.tags import TagPageForm
from papers.filters import PaperFilter
from papers.site.cache import QUERY_PARAMETERS
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


@pytest.fixture(autouse=True)
def _papers():
    PaperFactory(title="Cached paper", year=2020, tags=["vision"])


def _page_entries():
    # LocMemCache (tests/settings.py) keeps its keys in a dict; the page keys say "page".
    return {key for key in cache._cache if ":page:" in key}


def test_an_unknown_query_parameter_is_served_the_one_cached_entry(
    client, django_assert_num_queries
):
    first = client.get(LIST)
    assert len(_page_entries()) == 1
    with django_assert_num_queries(0):
        again = client.get(f"{LIST}?utm_source=newsletter&cache_buster=8731")
    assert again.status_code == 200
    assert again.content == first.content
    # A known name spelt another way is unknown to the key, and so to the view as well.
    with django_assert_num_queries(0):
        assert client.get(f"{LIST}?ta%67=no-such-tag").content == first.content
    assert len(_page_entries()) == 1


def test_a_flood_of_unique_unknown_parameters_adds_no_entries(client):
    client.get(LIST)
    for n in range(50):
        assert client.get(f"{LIST}?x{n}={n}").status_code == 200
    assert len(_page_entries()) == 1


def test_known_parameters_in_another_order_share_one_entry(client, django_assert_num_queries):
    first = client.get(f"{LIST}?year=2020&tag=vision")
    assert "Cached paper" in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get(f"{LIST}?tag=vision&junk=1&year=2020")
    assert again.content == first.content
    assert len(_page_entries()) == 1
    # A known parameter's value still selects its own page.
    assert "Cached paper" not in client.get(f"{LIST}?year=2019&tag=vision").content.decode()
    assert len(_page_entries()) == 2


def test_an_unknown_parameter_never_reaches_the_view_of_a_cached_page(client):
    # The view renders what the key describes: links built from the query drop it too.
    body = client.get(f"{LIST}?tag=vision&tracking-marker=1").content.decode()
    assert "tracking-marker" not in body


def test_the_page_key_holds_the_host():
    Client().get(LIST, headers={"host": "localhost"})
    Client().get(LIST, headers={"host": "127.0.0.1:8443"})
    assert len(_page_entries()) == 2


def test_every_cache_entry_expires(client):
    for url in (reverse("home"), LIST, f"{LIST}?tag=vision", reverse("tag_index")):
        assert client.get(url).status_code == 200
    assert cache._expire_info
    never = [key for key, expiry in cache._expire_info.items() if expiry is None]
    assert never == []


def _api_query_parameters():
    schema = api.get_openapi_schema()
    return {
        parameter["name"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }


def test_every_query_parameter_a_public_page_reads_is_in_the_cache_allowlist():
    """A name missing from QUERY_PARAMETERS would be dropped for anonymous visitors."""
    read = (
        set(PaperFilter.base_filters)
        | set(ReportFilter.base_filters)
        | set(SearchForm.base_fields)
        | set(TagPageForm.base_fields)
        | _api_query_parameters()
        # Read straight from request.GET: pagination, the sitemaps' pages, the tag index's
        # order and the papers list's BibTeX export.
        | {"page", "p", "sort", "format"}
    )
    assert read - QUERY_PARAMETERS == set()
    assert {"limit", "offset", "upcoming", "year_min"} <= read
