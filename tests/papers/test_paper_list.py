import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from papers.models import Author, Paper, Status
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory, paper_with_everything

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def titles(response):
    return [paper.title for paper in response.context["papers"]]


def make_shelf():
    hinton = AuthorFactory(name="Geoffrey Hinton")
    return {
        "vit": PaperFactory(title="ViT paper", year=2020, venue="ICLR", tags=["vision", "transformers"]),
        "gpt": PaperFactory(title="GPT paper", year=2020, venue="NeurIPS", tags=["language", "transformers"], authors=[hinton]),
        "cnn": PaperFactory(title="CNN paper", year=2012, venue="NeurIPS", tags=["vision"], authors=[hinton]),
        "draft": PaperFactory(title="Draft paper", year=2020, tags=["vision"], status=Status.DRAFT),
    }  # fmt: skip


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, shelf = fixture_rows(make_shelf)


def test_list_shows_published_papers_newest_first(client, shelf):
    response = client.get(LIST)
    assert response.status_code == 200
    assert set(titles(response)) == {"ViT paper", "GPT paper", "CNN paper"}
    assert titles(response)[-1] == "CNN paper"
    assert "Draft paper" not in response.content.decode()


def test_tags_combine_with_and(client, shelf):
    assert set(titles(client.get(LIST, {"tag": "vision"}))) == {"ViT paper", "CNN paper"}
    both = client.get(f"{LIST}?tag=vision&tag=transformers")
    assert titles(both) == ["ViT paper"]


def test_year_author_and_venue_filters(client, shelf):
    assert set(titles(client.get(LIST, {"year": 2020}))) == {"ViT paper", "GPT paper"}
    hinton = shelf["gpt"].authors.get().slug
    assert set(titles(client.get(LIST, {"author": hinton}))) == {"GPT paper", "CNN paper"}
    assert set(titles(client.get(LIST, {"venue": "neurips"}))) == {"GPT paper", "CNN paper"}
    assert titles(client.get(LIST, {"q": "vit"})) == ["ViT paper"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # ViT and GPT share year and month: the later-added one comes first.
        ("newest", ["GPT paper", "ViT paper", "CNN paper"]),
        (None, ["GPT paper", "ViT paper", "CNN paper"]),  # newest is the default
        ("oldest", ["CNN paper", "ViT paper", "GPT paper"]),
        ("title", ["CNN paper", "GPT paper", "ViT paper"]),
        ("added", ["CNN paper", "GPT paper", "ViT paper"]),
    ],
)
def test_sort_orders(client, shelf, sort, expected):
    assert titles(client.get(LIST, {"sort": sort} if sort else {})) == expected


def test_facets_count_within_the_current_filters(client, shelf):
    response = client.get(LIST, {"tag": "vision"})
    years = {item["year"]: item["count"] for item in response.context["year_facets"]}
    assert years == {2020: 1, 2012: 1}
    tags = {tag.name: tag.count for tag in response.context["tag_facets"]}
    assert tags == {"vision": 2, "transformers": 1}


def test_year_facet_keeps_other_years_reachable(client, shelf):
    response = client.get(LIST, {"year": 2020})
    assert {item["year"] for item in response.context["year_facets"]} == {2020, 2012}
    body = response.content.decode()
    # The active year links to the list without it; another year replaces it.
    assert 'href="?year=2012"' in body
    assert 'href="?"' in body


def test_tag_facet_links_add_and_remove_a_tag(client, shelf):
    body = client.get(LIST, {"tag": "vision"}).content.decode()
    assert 'href="?tag=vision&amp;tag=transformers"' in body
    assert 'aria-label="Remove tag vision"' in body
    # With a year as well: removing the tag keeps the year, and the reverse.
    body = client.get(LIST, {"tag": "vision", "year": "2020"}).content.decode()
    assertInHTML(
        '<a class="remove" href="?year=2020" aria-label="Remove tag vision">vision ✕</a>', body
    )
    assertInHTML(
        '<a class="remove" href="?tag=vision" aria-label="Remove year 2020">2020 ✕</a>', body
    )
    # The active facets themselves are links that take their filter off.
    assertInHTML('<a href="?year=2020" class="active" aria-current="true">vision</a>', body)
    assertInHTML('<a href="?tag=vision" class="active" aria-current="true">2020</a>', body)


def test_pages(client):
    for n in range(25):
        PaperFactory(title=f"Paper {n:02d}", year=2000 + n)
    first = client.get(LIST)
    assert len(first.context["papers"]) == 20
    second = client.get(LIST, {"page": 2})
    assert len(second.context["papers"]) == 5
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "0"},
        {"page": "999999"},
        {"page": "abc"},
        {"page": "1e9"},
        {"_connector": "OR"},
        {"tag": ""},
        {"q": ""},
        {"format": "html"},
    ],
)
def test_junk_that_can_be_ignored_is_ignored(client, shelf, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert set(titles(response)) == {"ViT paper", "GPT paper", "CNN paper"}


@pytest.mark.parametrize("params", [{"tag": "nope"}, {"author": "no-such-author"}])
def test_an_unknown_tag_or_author_lists_no_papers_without_an_error(client, shelf, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert titles(response) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "99999999999999999999"}, "year"),
        ({"year": "-5"}, "year"),
        ({"sort": "bogus"}, "sort"),
        ({"tag": ["a", "b", "c", "d", "e", "f"]}, "tag"),
        ({"tag": "t" * 101}, "tag"),
    ],
)
def test_invalid_filters_get_a_400_that_says_why(client, shelf, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be filtered that way" in body
    assertInHTML(f"<code>{field}</code>", body)


@pytest.mark.parametrize(
    "params",
    [{"tag": "a\x00b"}, {"author": "x\x00"}, {"venue": "x\x00"}, {"q": "\x00"}, {"x\x00": "1"}],
)
def test_nul_bytes_in_the_query_string_are_a_400(client, shelf, params):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_byte_in_admin_search_is_a_400_not_a_database_error(admin_client, shelf):
    response = admin_client.get(reverse("admin:papers_paper_changelist"), {"q": "a\x00"})
    assert response.status_code == 400


def test_user_input_is_echoed_only_escaped(client, shelf):
    response = client.get(LIST, {"tag": "<script>alert(1)</script>", "q": '"><script>x</script>'})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in body
    assert "&lt;script&gt;" in body or "&quot;&gt;&lt;script" in body


def test_year_page(client, shelf):
    response = client.get(reverse("papers:paper_year", args=["2020"]))
    assert response.status_code == 200
    assert set(titles(response)) == {"ViT paper", "GPT paper"}
    assert client.get(reverse("papers:paper_year", args=["1999"])).status_code == 404
    assert client.get("/papers/99999999999999/").status_code == 404


def test_author_page(client, shelf):
    author = shelf["gpt"].authors.get()
    response = client.get(author.get_absolute_url())
    assert response.status_code == 200
    assert set(titles(response)) == {"GPT paper", "CNN paper"}
    assert "Geoffrey Hinton" in response.content.decode()
    assert client.get(reverse("papers:author_detail", args=["nobody"])).status_code == 404


def test_tag_page_combines_with_other_filters(client, shelf):
    response = client.get(LIST, {"tag": "vision", "year": 2012})
    assert titles(response) == ["CNN paper"]


def test_bibtex_export_of_a_filtered_list(client, shelf):
    response = client.get(LIST, {"tag": "vision", "format": "bibtex"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    body = response.content.decode()
    assert body.count("@") == 2
    # Acronyms are braced so that sentence-case styles keep them (issue 16).
    assert "{ViT} paper" in body and "{CNN} paper" in body
    assert "Draft paper" not in body


def _fill(n):
    for i in range(n):
        paper_with_everything(
            n_authors=4, tags=(f"t{i % 7}", "shared", f"u{i % 3}"), n_links=3, year=2000 + i % 20
        )


# Two sizes: 5 papers, and 30: more than a page (20), and every page below runs as many
# queries at 30 as at 60 (counted on SQLite and PostgreSQL: the list 10; year, two tags,
# author, tag page 9, 7, 9, 8), for half the rows to make.
@pytest.mark.parametrize("n", [5, 30])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, n):
    _fill(n)
    # Cold caches: the facet summary (4 grouped queries), the tag, author and venue
    # facets of this tag's papers (3), the page of papers, its bylines and its tags (3);
    # + 1: the site settings, read once per content version (tests/papers/test_identity.py).
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"tag": "shared"})
    assert response.status_code == 200
    assert len(response.context["papers"]) == min(n, 20)


@pytest.mark.parametrize("n", [5, 30])  # why 30: above
def test_year_tag_and_author_pages_query_count_is_constant(
    client, django_assert_max_num_queries, n
):
    _fill(n)
    author = PaperFactory._meta.model.objects.first().authors.first()
    for url in [
        reverse("papers:paper_year", args=["2001"]),
        LIST + "?tag=shared&tag=t1",
        author.get_absolute_url(),
    ]:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
    # /tags/<slug>/ is the site-wide tag page (papers, reports, sessions): 10 queries for 5
    # and for 30 papers (tests/config/test_tags.py says what each query is for).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tag_detail", args=["shared"]))
    assert response.status_code == 200
    assert len(response.context["items"]) == min(n, 20)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("C++", ["Templates in C++ for tensors"]),
        ("(GAN", ["A survey (GANs and friends)"]),
        (".*", []),  # a regular expression on PostgreSQL would match everything
        ("[a-z]", []),
        ("TENSOR", ["Templates in C++ for tensors"]),  # case-insensitive
        ("friends gans", ["A survey (GANs and friends)"]),  # every word, any order
        ("noisy", ["Templates in C++ for tensors"]),  # the abstract counts too
        ("\\", []),
    ],
)
def test_text_filter_takes_every_word_literally(client, q, expected):
    PaperFactory(title="Templates in C++ for tensors", abstract="Noisy gradients, fast code.")
    PaperFactory(title="A survey (GANs and friends)", abstract="Adversarial games.")
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    assert titles(response) == expected


def test_paper_filters_share_one_form_class_and_each_calls_its_own_methods():
    from django.http import QueryDict

    from papers.filters import PaperFilter

    first = PaperFilter(QueryDict("venue=nowhere"), queryset=Paper.objects.all())
    second = PaperFilter(QueryDict("venue=nowhere"), queryset=Paper.objects.all())
    assert first.get_form_class() is second.get_form_class()
    # Each copy's method filter is bound to its own set, the class's filters to none.
    assert first.filters["venue"].parent is first and second.filters["venue"].parent is second
    assert first.filters["venue"].filter.f is first.filters["venue"]
    assert not hasattr(PaperFilter.base_filters["venue"], "parent")
    assert first.is_valid() and second.is_valid()
    assert list(first.qs) == [] and first.form is not second.form


@pytest.mark.parametrize("year_page_first", [True, False], ids=["year-page-first", "list-first"])
@pytest.mark.parametrize(
    "extra",
    [{}, {"q": "paper"}, {"author": "geoffrey-hinton"}, {"tag": "vision"}, {"venue": "neurips"}],
    ids=["no-filter", "text", "author", "tag", "venue"],
)
def test_a_year_page_and_a_list_filtered_by_that_year_keep_their_own_year_facet(
    client, shelf, extra, year_page_first
):
    """/papers/2020/ shows no year facet (the URL fixes the year); /papers/?year=2020 shows
    the other years too. Their filters are the same, so their counts must still be kept
    apart: whichever is asked first must not decide what the other shows."""
    assert Author.objects.filter(slug="geoffrey-hinton").exists()

    def year_page():
        response = client.get(reverse("papers:paper_year", args=["2020"]), extra)
        assert response.context["year_facets"] == []

    def year_list():
        response = client.get(LIST, {**extra, "year": 2020})
        years = {item["year"] for item in response.context["year_facets"]}
        assert 2012 in years, years

    for ask in (year_page, year_list) if year_page_first else (year_list, year_page):
        ask()
