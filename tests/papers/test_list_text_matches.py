"""The paper list's ``?q=``: on SQLite its matches kept under the search version
(papers/filters.py; PostgreSQL matches through its indexes on every request).

Every answer is compared with the plain filter (the same words matched by the database on
every row, ``PaperFilter`` without a request), first when the matches are made, then after
a bump of the content version, when they are read back.
"""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.filters import PaperFilter
from papers.models import Paper, Status
from papers.site.cache import bump_content_version
from papers.site.search import MAX_DOCUMENT_LENGTH, pk_in
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db
# What only kept matches do: read no text after a bump.
kept_on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps no matches"
)

LIST = reverse("papers:paper_list")
# Past the cut of the search documents: the list matches the abstract itself.
LONG_ABSTRACT = "filler " * (MAX_DOCUMENT_LENGTH // 6) + "zeppelin"


def make_shelf():
    return {
        "ldm": PaperFactory(
            title="High-Resolution Image Synthesis with Latent Diffusion Models",
            alias="LDM",
            year=2022,
            tags=["vision", "generative"],
        ),
        "ddpm": PaperFactory(
            title="Denoising Probabilistic Models",
            abstract="A diffusion process, reversed.",
            year=2020,
            tags=["generative"],
        ),
        "cpp": PaperFactory(title="Templates in C++ for tensors", abstract="Noisy gradients."),
        "gans": PaperFactory(title="A survey (GANs and friends)", abstract="Adversarial games."),
        "percent": PaperFactory(title="100% accuracy with snake_case names", year=2019),
        "quotes": PaperFactory(title="\"Quoted\" and 'single' words", abstract="a\\b path"),
        "umlaut": PaperFactory(title="Über naïve Bayes", abstract="Straße und Maße."),
        "long": PaperFactory(title="A long abstract", abstract=LONG_ABSTRACT),
        "draft": PaperFactory(title="Secret Diffusion Draft", status=Status.DRAFT),
    }


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, shelf = fixture_rows(make_shelf)


def titles(response):
    return [paper.title for paper in response.context["papers"]]


def shown(response):
    assert response.status_code == 200
    return titles(response), response.context["page_obj"].paginator.count


def plain(params):
    """The titles and count of the plain filter: the words matched on every row."""
    filterset = PaperFilter(QueryDict(params), queryset=Paper.objects.published())
    assert filterset.is_valid()
    rows = list(filterset.qs)
    return [paper.title for paper in rows[:20]], len(rows)


def text_reads(captured):
    """The queries that read titles, aliases or abstracts to match words."""
    return [
        q["sql"]
        for q in captured
        if " LIKE " in q["sql"] or "~*" in q["sql"] or "REGEXP" in q["sql"]
    ]


NASTY = [
    "diffusion",
    "DIFFUSION models",
    "ldm",  # the alias
    ".*",  # a regular expression on PostgreSQL would match everything
    "[a-z]",
    "(GAN",
    "C++",
    "%",
    "_",
    "100%",
    "snake_case",
    "'single'",
    '"Quoted"',
    "\\",
    "a\\b",
    "über",
    "ÜBER",
    "naïve",
    "straße",
    "zeppelin",  # only in an abstract longer than a search document
    "a b c d e f g h i j k l",  # more than ten words: the first ten count
    "x" * 200,
    "nothing-matches-this",
]


@pytest.mark.parametrize("q", NASTY)
def test_the_kept_matches_give_what_the_plain_filter_gives(client, shelf, q):
    params = QueryDict(mutable=True)
    params["q"] = q
    expected = plain(params.urlencode())
    assert shown(client.get(LIST, {"q": q})) == expected
    bump_content_version()
    assert shown(client.get(LIST, {"q": q})) == expected


@pytest.mark.parametrize(
    "params",
    [
        "q=diffusion&tag=generative",
        "q=diffusion&tag=generative&tag=vision",
        "q=diffusion&year=2020",
        "q=models&year_min=2021",
        "q=diffusion&sort=title",
        "q=a&sort=oldest",
        "q=diffusion&venue=neurips",
    ],
)
def test_the_kept_matches_combine_with_the_other_filters_and_sorts(client, shelf, params):
    expected = plain(params)
    assert shown(client.get(f"{LIST}?{params}")) == expected
    bump_content_version()
    assert shown(client.get(f"{LIST}?{params}")) == expected


def test_a_nul_byte_in_the_text_is_a_400(client, shelf):
    assert client.get(LIST, {"q": "diffusion\x00"}).status_code == 400


@kept_on_sqlite
def test_the_matches_are_kept_across_a_bump_of_the_content_version(client, shelf):
    first = shown(client.get(LIST, {"q": "diffusion"}))
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        again = shown(client.get(LIST, {"q": "diffusion"}))
    assert text_reads(captured) == []
    assert again == first
    assert first[1] == 2


def test_an_edited_title_shows_at_the_next_request(client, shelf):
    assert "Templates in C++ for tensors" not in titles(client.get(LIST, {"q": "diffusion"}))
    paper = Paper.objects.get(pk=shelf["cpp"].pk)
    paper.title = "Templates in C++ for diffusion"
    paper.save()
    assert "Templates in C++ for diffusion" in titles(client.get(LIST, {"q": "diffusion"}))
    paper.title = "Templates in C++ for tensors"
    paper.save()
    assert shown(client.get(LIST, {"q": "diffusion"})) == plain("q=diffusion")


@kept_on_sqlite
def test_after_a_save_only_the_saved_papers_text_is_read_again(client, shelf):
    """The kept matches are patched with the saved row, not made again from every row."""
    client.get(LIST, {"q": "diffusion"})
    paper = Paper.objects.get(pk=shelf["cpp"].pk)
    paper.title = "Templates in C++ for diffusion"
    paper.save()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"q": "diffusion"})
    reads = text_reads(captured)
    assert len(reads) == 1 and "json_each" not in reads[0] and " IN (" in reads[0]
    assert "Templates in C++ for diffusion" in titles(response)
    assert shown(response) == plain("q=diffusion")


def test_an_edited_abstract_shows_at_the_next_request(client, shelf):
    assert "A long abstract" not in titles(client.get(LIST, {"q": "diffusion"}))
    paper = Paper.objects.get(pk=shelf["long"].pk)
    paper.abstract = LONG_ABSTRACT + " diffusion"
    paper.save()
    assert "A long abstract" in titles(client.get(LIST, {"q": "diffusion"}))


def test_a_new_paper_shows_at_the_next_request(client, shelf):
    client.get(LIST, {"q": "diffusion"})
    PaperFactory(title="Diffusion Models Beat GANs on Image Synthesis")
    response = client.get(LIST, {"q": "diffusion"})
    assert "Diffusion Models Beat GANs on Image Synthesis" in titles(response)
    assert shown(response) == plain("q=diffusion")


def test_unpublishing_publishing_and_deleting_show_at_the_next_request(client, shelf):
    client.get(LIST, {"q": "diffusion"})
    ldm = Paper.objects.get(pk=shelf["ldm"].pk)
    ldm.status = Status.DRAFT
    ldm.save()
    assert shown(client.get(LIST, {"q": "diffusion"})) == plain("q=diffusion")
    draft = Paper.objects.get(pk=shelf["draft"].pk)
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Secret Diffusion Draft" in titles(client.get(LIST, {"q": "diffusion"}))
    draft.delete()
    response = client.get(LIST, {"q": "diffusion"})
    assert "Secret Diffusion Draft" not in titles(response)
    assert shown(response) == plain("q=diffusion") == (["Denoising Probabilistic Models"], 1)


def test_which_matches_are_public_is_decided_at_each_request(client, shelf):
    """The kept matches hold every row, public or not: a status written without a save
    (no document rewritten, the search version kept) shows after a plain bump."""
    client.get(LIST, {"q": "diffusion"})
    Paper.objects.filter(pk=shelf["ldm"].pk).update(status=Status.DRAFT)
    Paper.objects.filter(pk=shelf["draft"].pk).update(status=Status.PUBLISHED)
    bump_content_version()
    response = client.get(LIST, {"q": "diffusion"})
    assert set(titles(response)) == {"Secret Diffusion Draft", "Denoising Probabilistic Models"}
    assert shown(response) == plain("q=diffusion")


def test_the_matches_kept_for_a_narrowed_list_serve_the_whole_list(client, shelf):
    """The words' matches are the same whatever else the list is narrowed by: they are
    made from every row, not from the rows of the list that asked first."""
    assert shown(client.get(LIST, {"q": "diffusion", "year": 2020})) == plain(
        "q=diffusion&year=2020"
    )
    assert shown(client.get(LIST, {"q": "diffusion"})) == plain("q=diffusion")


def test_more_keys_than_any_sqlite_binds_are_one_parameter(shelf):
    """``pk_in`` sends its keys as one value: 300,000 are more parameters than SQLite
    binds in any build (32,766 by default, 250,000 in Debian's)."""
    keys = [*range(10**6, 10**6 + 300_000), shelf["ldm"].pk]
    with CaptureQueriesContext(connection) as captured:
        assert list(Paper.objects.filter(pk_in(keys)).values_list("title", flat=True)) == [
            shelf["ldm"].title
        ]
    assert len(captured) == 1
