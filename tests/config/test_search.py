"""Site-wide search: matching, ranking, facets, snippets, drafts, nasty input, query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html
from pytest_django.asserts import assertInHTML

from config import search as search_view
from papers.models import Author, Authorship, Paper, Tag
from papers.site import search
from papers.site.cache import bump_content_version
from tests.blog.factories import ReportFactory, at
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory, paper_with_everything
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db
URL = reverse("search")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text and pg_trgm only"
)


def make_shelf():
    ho = AuthorFactory(name="Jonathan Ho")
    ddpm = PaperFactory(
        title="Denoising Diffusion Probabilistic Models",
        alias="DDPM",
        year=2020,
        tags=["diffusion", "generative models"],
        authors=[ho],
        abstract="A forward process adds Gaussian noise; a network learns to undo it.",
    )
    ldm = PaperFactory(
        title="High-Resolution Image Synthesis with Latent Diffusion Models",
        alias="Stable Diffusion",
        year=2021,
        month=12,
        tags=["diffusion", "vision"],
    )
    mamba = PaperFactory(
        title="Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        alias="Mamba",
        year=2023,
        tags=["sequence models"],
        notes="Selective scans replace attention; compare with diffusion only in passing.",
    )
    lora = PaperFactory(
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        alias="LoRA",
        year=2021,
        tags=["fine-tuning"],
    )
    draft = PaperFactory(
        title="Secret Diffusion Draft", alias="Hidden", status="draft", tags=["diffusion"]
    )
    report = ReportFactory(
        title="Reading the LoRA paper",
        body="Freeze the weights and learn a low-rank update. Diffusion models use it too.",
        tags=["fine-tuning"],
        published_at=at(2022, 3),
    )
    draft_report = ReportFactory(title="Diffusion draft report", draft=True)
    session = PresentationFactory(
        title="Selective state spaces",
        paper=mamba,
        summary="We presented the selective scan and argued about diffusion of ideas.",
        scheduled_at=at(2024, 2),
        tags=["sequence models"],
    )
    draft_session = PresentationFactory(title="Diffusion draft session", draft=True)
    return locals()


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, shelf = fixture_rows(make_shelf)


def results(response):
    return [(item.kind.key, item.obj.title) for item in response.context["items"]]


def titles(response):
    return [title for _, title in results(response)]


# --- the query language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "groups", "excluded", "plain"),
    [
        ("diffusion models", [["diffusion"], ["models"]], [], True),
        ('"low-rank adaptation" lora', [["low-rank adaptation"], ["lora"]], [], False),
        ("vision -segmentation", [["vision"]], ["segmentation"], False),
        ("lora or qlora", [["lora", "qlora"]], [], False),
        ('"unbalanced quote', [["unbalanced quote"]], [], False),
        ("!!! ??? ...", [], [], True),
        ("-", [], [], True),
        ("C++ (2021)", [["C++"], ["2021"]], [], True),
    ],
)
def test_queries_are_parsed_like_websearch(raw, groups, excluded, plain):
    query = search.parse_query(raw)
    assert [[term.text for term in group] for group in query.groups] == groups
    assert [term.text for term in query.excluded] == excluded
    assert query.is_plain == plain
    assert query.is_empty == (not groups)


def test_query_keeps_at_most_ten_terms():
    query = search.parse_query(" ".join(f"word{i}" for i in range(50)))
    assert len(query.words) == search.MAX_TERMS


# --- what is found ----------------------------------------------------------------------


def test_finds_papers_reports_and_sessions_but_never_drafts(client, shelf):
    response = client.get(URL, {"q": "diffusion"})
    assert response.status_code == 200
    found = results(response)
    assert ("papers", shelf["ddpm"].title) in found
    assert ("papers", shelf["ldm"].title) in found
    assert ("papers", shelf["mamba"].title) in found  # in its notes
    assert ("reports", "Reading the LoRA paper") in found  # in its body
    assert ("sessions", "Selective state spaces") in found  # in its summary
    body = response.content.decode()
    for secret in ("Secret Diffusion Draft", "Diffusion draft report", "Diffusion draft session"):
        assert secret not in body


def test_title_and_alias_outrank_abstract_and_notes(client, shelf):
    found = titles(client.get(URL, {"q": "diffusion", "type": "papers"}))
    # Both papers with "Diffusion" in the title come before the one that has it in its notes.
    assert found.index(shelf["mamba"].title) == 2


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ddpm", "Denoising Diffusion Probabilistic Models"),  # alias
        ("Jonathan Ho", "Denoising Diffusion Probabilistic Models"),  # author
        ("gaussian noise", "Denoising Diffusion Probabilistic Models"),  # abstract
        ("fine-tuning", "LoRA: Low-Rank Adaptation of Large Language Models"),  # tag
        ("selective scans", "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"),
    ],
)
def test_every_field_of_a_paper_is_searched(client, shelf, q, expected):
    assert expected in titles(client.get(URL, {"q": q, "type": "papers"}))


def test_session_is_found_by_its_papers_alias(client, shelf):
    assert ("sessions", "Selective state spaces") in results(client.get(URL, {"q": "mamba"}))


def test_phrase_exclusion_and_or(client, shelf):
    phrase = titles(client.get(URL, {"q": '"low-rank update"'}))
    assert phrase == ["Reading the LoRA paper"]
    excluded = titles(client.get(URL, {"q": "diffusion -gaussian", "type": "papers"}))
    assert shelf["ddpm"].title not in excluded and shelf["ldm"].title in excluded
    either = titles(client.get(URL, {"q": "ddpm or mamba", "type": "papers"}))
    assert set(either) == {shelf["ddpm"].title, shelf["mamba"].title}


def test_search_document_follows_authors_tags_and_renames(client, shelf):
    paper = shelf["lora"]
    author = Author.objects.create(name="Edward Hu")
    Authorship.objects.create(paper=paper, author=author, position=0)
    assert paper.title in titles(client.get(URL, {"q": "Edward Hu"}))
    author.name = "Edward J. Hufnagel"
    author.save()
    run_queued_jobs()  # the rename queued the rewrite of its papers' documents
    assert paper.title in titles(client.get(URL, {"q": "Hufnagel"}))
    paper.tags.add("parameter-efficient")
    assert paper.title in titles(client.get(URL, {"q": "parameter-efficient"}))
    tag = Tag.objects.get(name="parameter-efficient")
    tag.name = "adapters everywhere"
    tag.save()
    run_queued_jobs()
    found = results(client.get(URL, {"q": "adapters everywhere"}))
    assert ("papers", paper.title) in found
    shelf["report"].tags.add(tag)
    assert ("reports", "Reading the LoRA paper") in results(
        client.get(URL, {"q": "adapters everywhere"})
    )


@on_postgres
def test_fuzzy_similarity_ranks_only_queries_with_few_full_text_matches(shelf, monkeypatch):
    def ranks(q):
        found = search.search(Paper.objects.published(), search.parse_query(q), ("title", "alias"))
        return dict(found.values_list("title", "search_rank"))

    title = "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"
    # Few matches: the title's similarity to the word adds to ts_rank (which is at most 1).
    assert ranks("mamba")[title] > 1
    # As if "mamba" were in more than FUZZY_RANK_LIMIT rows: ts_rank alone, still found.
    monkeypatch.setattr(search, "FUZZY_RANK_LIMIT", 0)
    assert 0 < ranks("mamba")[title] <= 1
    # A typo has no full-text match at all: similarity is all it has, and it keeps it.
    assert ranks("mambda")[title] > 0.5


@on_postgres
@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("mambda", "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"),
        ("stable difusion", "High-Resolution Image Synthesis with Latent Diffusion Models"),
        ("lora", "LoRA: Low-Rank Adaptation of Large Language Models"),
    ],
)
def test_typos_and_aliases_are_found_by_trigram_similarity(client, shelf, q, first):
    assert titles(client.get(URL, {"q": q}))[0] == first


@on_postgres
def test_gpt3_spelled_without_hyphen_ranks_the_gpt3_paper_first(client):
    PaperFactory(title="Improving Language Understanding by Generative Pre-Training", alias="GPT")
    PaperFactory(title="Language Models are Few-Shot Learners", alias="GPT-3")
    PaperFactory(title="Sparks of AGI: Early experiments with GPT-4", alias="")
    assert titles(client.get(URL, {"q": "gpt3"}))[0] == "Language Models are Few-Shot Learners"


@on_postgres
def test_word_forms_match_and_are_highlighted(client, shelf):
    response = client.get(URL, {"q": "adds gaussian noises", "type": "papers"})
    assert titles(response) == [shelf["ddpm"].title]
    snippet = str(response.context["items"][0].snippet)
    assertInHTML("<mark>Gaussian</mark>" in snippet and "<mark>noise</mark>", snippet)


@on_postgres
def test_search_uses_the_gin_index(shelf):
    query = search.parse_query("diffusion")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table would be scanned anyway
    try:
        for model, index in [
            (Paper, "paper_search_vector"),
            (type(shelf["report"]), "report_search_vector"),
            (type(shelf["session"]), "presentation_search_vector"),
        ]:
            plan = search.search(model.objects.all(), query).order_by("-search_rank").explain()
            assert index in plan, plan
        fuzzy = search.search(Paper.objects.all(), search.parse_query("mambda"), ("title", "alias"))
        plan = fuzzy.order_by("-search_rank").explain()
        assert "paper_title_trgm" in plan and "paper_alias_trgm" in plan, plan
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")


def test_snippets_mark_hits_and_escape_the_text(client):
    PaperFactory(
        title="A paper about robustness",
        abstract='We test <script>alert("x")</script> inputs for robustness & safety.',
    )
    response = client.get(URL, {"q": "robustness"})
    snippet = str(response.context["items"][0].snippet)
    assert "<mark>" in snippet.lower()
    # PostgreSQL's ts_headline drops tags from the text; the fallback escapes them.
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet or "alert(&quot;x&quot;)" in snippet
    assert "<script>alert" not in response.content.decode()


# --- facets -----------------------------------------------------------------------------


def test_type_year_and_tag_facets_combine_with_the_query(client, shelf):
    response = client.get(URL, {"q": "diffusion"})
    types = {kind.key: n for kind, n in response.context["type_facets"]}
    assert types == {"papers": 3, "reports": 1, "sessions": 1}
    years = dict(response.context["year_facets"])
    assert years[2020] == 1 and years[2021] == 1 and years[2022] == 1 and years[2024] == 1
    tags = {tag["slug"]: tag["count"] for tag in response.context["tag_facets"]}
    assert tags["diffusion"] == 2

    in_2021 = client.get(URL, {"q": "diffusion", "year": 2021})
    assert results(in_2021) == [("papers", shelf["ldm"].title)]
    tagged = client.get(URL, {"q": "diffusion", "tag": ["diffusion", "vision"]})
    assert results(tagged) == [("papers", shelf["ldm"].title)]
    reports = client.get(URL, {"q": "diffusion", "type": "reports"})
    assert results(reports) == [("reports", "Reading the LoRA paper")]
    # The type facet still counts the other types under the same year.
    assert {k.key: n for k, n in reports.context["type_facets"]}["papers"] == 3


def test_a_year_facet_finds_that_years_matches_beyond_the_cap(
    client, monkeypatch, django_assert_max_num_queries
):
    """At 100,000 papers "diffusion" matches more than the ranked cap; 2021 must not be
    picked from the best of all years, and the counts must be the real ones."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    for i in range(6):
        PaperFactory(title=f"Diffusion in the title {i}", year=2024)
    old = [
        PaperFactory(abstract=f"Only the abstract says diffusion {i}.", year=2021) for i in range(2)
    ]
    everything = client.get(URL, {"q": "diffusion"})
    assert everything.context["total"] == 8 and everything.context["shown"] == 3
    assert dict(everything.context["year_facets"]) == {2024: 6, 2021: 2}
    assert "the best 3 are listed" in everything.content.decode()
    with django_assert_max_num_queries(16):
        in_2021 = client.get(URL, {"q": "diffusion", "year": 2021})
    assert {title for _, title in results(in_2021)} == {paper.title for paper in old}
    assert in_2021.context["total"] == 2
    assert {k.key: n for k, n in in_2021.context["type_facets"]}["papers"] == 2


def test_an_empty_result_suggests_removing_filters(client, shelf):
    response = client.get(URL, {"q": "diffusion", "year": 1999, "tag": "vision"})
    assert response.status_code == 200
    assert results(response) == []
    body = response.content.decode()
    assert "Try removing a filter" in body
    assert "any year, not only 1999" in body
    assert "without the tag vision" in body
    assert 'href="/search/?q=diffusion"' in body


def test_no_match_without_filters_says_so(client, shelf):
    body = client.get(URL, {"q": "xylophone"}).content.decode()
    assert "Nothing matches “xylophone”" in body
    assert "Try removing a filter" not in body


# --- nasty input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "a\x00b"}, 400),
        ({"q": "x" * 10_000}, 400),
        ({"q": "!!! ??? ... ;;;"}, 200),
        ({"q": '"unbalanced quote'}, 200),
        ({"q": 'two "unbalanced" quotes"'}, 200),
        ({"q": "-"}, 200),
        ({"q": "- - -"}, 200),
        ({"q": "'; DROP TABLE papers_paper; --"}, 200),
        ({"q": "1' OR '1'='1"}, 200),
        ({"q": "diffusion) | (!x & y:*"}, 200),
        ({"q": "\\"}, 200),
        ({"q": "%_%"}, 200),
        ({"q": "or or or"}, 200),
        ({"q": "diffusion", "year": "abc"}, 400),
        ({"q": "diffusion", "year": "99999999999999999999"}, 400),
        ({"q": "diffusion", "type": "nope"}, 400),
        ({"q": "diffusion", "tag": ["a", "b", "c", "d", "e", "f"]}, 400),
        ({"q": "diffusion", "tag": "t" * 101}, 400),
        ({"q": "diffusion", "page": "-1"}, 200),
        ({"q": "diffusion", "page": "999999"}, 200),
        ({"q": "diffusion", "page": "abc"}, 200),
        ({"q": ["two", "values"]}, 200),
        ({}, 200),
    ],
)
def test_bad_input_is_a_clear_4xx_or_a_page_never_a_500(client, shelf, params, status):
    response = client.get(URL, params)
    assert response.status_code == status, response.content[:300]
    if status == 400:
        body = response.content.decode()
        assert "NUL" in body or 'role="alert"' in body


def test_overlong_query_says_how_long_it_may_be(client):
    body = client.get(URL, {"q": "x" * 10_000}).content.decode()
    assert "at most 200 characters" in body and "10000" in body


def test_punctuation_only_explains_what_to_type(client, shelf):
    body = client.get(URL, {"q": "?!"}).content.decode()
    assert "has no word to search for" in body


def test_sql_fragments_are_just_text(client, shelf):
    before = Paper.objects.count()
    assert client.get(URL, {"q": "'; DELETE FROM papers_paper; --"}).status_code == 200
    assert Paper.objects.count() == before > 0


# --- performance ------------------------------------------------------------------------


def _fill(n):
    for i in range(n):
        paper_with_everything(
            tags=(f"t{i % 4}", "shared"), title=f"Diffusion study {i}", year=2000 + i % 10
        )
        ReportFactory(
            title=f"Diffusion report {i}", tags=["shared", f"r{i % 3}"], published_at=at(2020)
        )
        PresentationFactory(
            title=f"Diffusion session {i}",
            tags=["shared"],
            scheduled_at=at(2021) + datetime.timedelta(days=i),
        )


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow_with_hits(client, django_assert_max_num_queries, n):
    _fill(n)
    # Whether more than MAX_HITS_PER_KIND match: a probe per kind (3). Hits: one per kind
    # (3). Page rows: papers + authors + tags, reports + tags, sessions + presenters + tags
    # (8). Tag facet: one per kind (3). The site settings (1, once per content version).
    with django_assert_max_num_queries(18):
        response = client.get(URL, {"q": "diffusion"})
    assert response.context["total"] == 3 * n
    with django_assert_max_num_queries(17):
        client.get(URL, {"q": "diffusion", "tag": "shared", "year": 2021})


def test_header_search_box_is_on_every_page(client, shelf):
    pages = [
        "/",
        reverse("papers:paper_list"),
        shelf["ddpm"].get_absolute_url(),
        shelf["report"].get_absolute_url(),
        shelf["session"].get_absolute_url(),
        reverse("blog:report_list"),
        reverse("readinggroup:presentation_list"),
        reverse("tag_index"),
        Tag.objects.get(name="diffusion").get_absolute_url(),
        URL + "?q=diffusion",
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert 'role="search"' in body and 'action="/search/"' in body, url
        label = lxml_html.fromstring(body).xpath('//label[@for="header-q"]/@class')
        assert label == ["visually-hidden"], url


def test_a_repeated_search_is_served_from_the_cache_until_the_content_changes(
    client, shelf, django_assert_num_queries
):
    first = client.get(URL, {"q": "diffusion"})
    with django_assert_num_queries(0):
        again = client.get(URL, {"q": "diffusion"})
    assert again.content == first.content
    PaperFactory(title="Diffusion Models Beat GANs on Image Synthesis", year=2021)
    assert "Diffusion Models Beat GANs" in client.get(URL, {"q": "diffusion"}).content.decode()


def test_narrowing_a_cached_query_to_a_year_keeps_kinds_and_results(client, shelf):
    """The all-years hits are cached: a year facet reuses them (kinds compared by identity)."""
    import pickle

    from config.content import Item
    from papers.content.kinds import kind_by_key

    PAPERS = kind_by_key("papers")

    now = datetime.datetime.now(datetime.UTC)
    item = pickle.loads(pickle.dumps(Item(PAPERS, 1, now)))  # noqa: S301 - our own bytes
    assert item.kind is PAPERS
    every_year = client.get(URL, {"q": "diffusion"}).context
    in_2021 = client.get(URL, {"q": "diffusion", "year": 2021}).context
    assert [hit.obj.title for hit in in_2021["items"]] == [
        hit.obj.title for hit in every_year["items"] if hit.year == 2021
    ]
    assert in_2021["type_facets"][0][1] == sum(
        1 for hit in every_year["items"] if hit.year == 2021 and hit.kind is PAPERS
    )


def test_a_broad_query_ranks_a_bounded_set_of_title_hits_then_other_matches(client, monkeypatch):
    """Over MAX_HITS_PER_KIND matches, only TITLE_CANDIDATES title hits and
    OTHER_CANDIDATES other matches are ranked (two LIMITed reads); title hits rank first
    and the counts stay exact."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "TITLE_CANDIDATES", 2)
    monkeypatch.setattr(search_view, "OTHER_CANDIDATES", 1)
    for year in (2020, 2021, 2022, 2023):
        PaperFactory(title=f"Diffusion in the title, {year}", year=year)
    for year in (2019, 2024):
        PaperFactory(abstract=f"Only the abstract says diffusion ({year}).", year=year)
    response = client.get(URL, {"q": "diffusion"})
    titles = [title for _, title in results(response)]
    assert len(titles) == 3
    assert all(title.startswith("Diffusion in the title") for title in titles[:2])
    assert not titles[2].startswith("Diffusion in the title")  # one other match, ranked last
    assert response.context["total"] == 6
    assert dict(response.context["year_facets"]) == dict.fromkeys(range(2019, 2025), 1)


def test_a_broad_querys_candidates_do_not_depend_on_the_rows_physical_order(client, monkeypatch):
    """The candidates are the first title hits and other matches by primary key, not the
    first rows the table gives: rewriting rows (which moves them in PostgreSQL's heap)
    changes neither the hits nor the tag facet's counts. Equal ranks throughout, so any
    other candidate would show."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "TITLE_CANDIDATES", 2)
    monkeypatch.setattr(search_view, "OTHER_CANDIDATES", 1)
    papers = [PaperFactory(title="Diffusion in the title", tags=[f"t{i}"]) for i in range(5)]
    others = [
        PaperFactory(abstract="Only the abstract says diffusion.", tags=[f"o{i}"]) for i in range(3)
    ]

    def shown():
        response = client.get(URL, {"q": "diffusion"})
        return [item.pk for item in response.context["items"]], response.context["tag_facets"]

    first = shown()
    assert first[0] == [papers[1].pk, papers[0].pk, others[0].pk]
    # The first rows rewritten without a save's signals: the next rows come first in the
    # table now (a sequential or bitmap scan returns them in that order).
    first_pks = [papers[0].pk, papers[1].pk, others[0].pk]
    Paper.objects.filter(pk__in=first_pks).update(abstract="Rewritten; diffusion still.")
    search.rebuild_documents(Paper, pks=first_pks)
    bump_content_version()
    assert shown() == first


def test_a_query_under_the_cap_ranks_every_match(client, monkeypatch):
    """Narrow queries are ranked as before: every match, best first (no candidate step)."""
    calls = []
    monkeypatch.setattr(search_view, "_candidates", lambda *a: calls.append(a) or [])
    for year in (2020, 2021):
        PaperFactory(title=f"Diffusion in the title, {year}", year=year)
    PaperFactory(title="Something else", abstract="It says diffusion.", year=2024)
    response = client.get(URL, {"q": "diffusion"})
    titles = [title for _, title in results(response)]
    assert titles[-1] == "Something else"  # the body hit ranks below both title hits
    assert set(titles[:2]) == {"Diffusion in the title, 2020", "Diffusion in the title, 2021"}
    assert calls == []


def _diffusion_papers():
    for i in range(30):
        PaperFactory(title=f"Diffusion in the title {i}", year=2024)
    for i in range(10):
        PaperFactory(title=f"Older diffusion {i}", year=2021)


@on_postgres
def test_thousands_of_matches_are_estimated_by_the_planner_and_labelled_about(
    client, monkeypatch, django_assert_max_num_queries
):
    """Above ESTIMATE_ABOVE (the planner's estimate) a broad kind is not counted: its
    total is the estimate, its years share it out like the library's, and the page says
    "about" beside each such number."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "ESTIMATE_ABOVE", 5)
    _diffusion_papers()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Paper._meta.db_table}")  # the statistics EXPLAIN reads
    calls = []
    monkeypatch.setattr(search_view, "_year_counts", lambda *a: calls.append(a) or {})
    response = client.get(URL, {"q": "diffusion"})
    assert calls == []  # not counted
    assert response.context["estimated"]
    total = response.context["total"]
    assert 20 <= total <= 80  # the planner's estimate of 40 matches
    years = dict(response.context["year_facets"])
    assert set(years) == {2024, 2021} and years[2024] == 3 * years[2021]
    html = response.content.decode()
    assert f"About {total} results for" in html
    assert html.count('<span class="n">about ') == 3  # papers, 2024, 2021
    assert response.context["estimated_kinds"] == {"papers"}


def test_a_broad_query_below_the_estimate_threshold_is_counted_exactly(client, monkeypatch):
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    _diffusion_papers()
    response = client.get(URL, {"q": "diffusion"})
    assert response.context["total"] == 40 and not response.context["estimated"]
    assert dict(response.context["year_facets"]) == {2024: 30, 2021: 10}
    html = response.content.decode()
    assert "About 40" not in html and "40 results for" in html and ">about " not in html


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no estimate")
def test_sqlite_counts_every_broad_query_exactly(client, monkeypatch):
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "ESTIMATE_ABOVE", 0)
    _diffusion_papers()
    response = client.get(URL, {"q": "diffusion"})
    assert response.context["total"] == 40 and not response.context["estimated"]


@pytest.mark.parametrize(
    ("n", "shown"), [(0, 0), (7, 7), (87, 87), (123, 120), (12_372, 12_000), (987_654, 990_000)]
)
def test_estimates_are_shown_to_two_significant_digits(n, shown):
    assert search_view.about(n) == shown


def test_paging_a_query_reuses_its_tag_facet_until_the_content_changes(client):
    _fill(15)  # 45 hits: three pages
    first = client.get(URL, {"q": "diffusion"}).context["tag_facets"]
    assert first[0]["slug"] == "shared"
    with CaptureQueriesContext(connection) as captured:
        second = client.get(URL, {"q": "diffusion", "page": 2}).context["tag_facets"]
    assert second == first
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"]]
    paper = Paper.objects.filter(title__icontains="diffusion").first()
    paper.tags.add("newly tagged")
    facets = client.get(URL, {"q": "diffusion", "page": 3}).context["tag_facets"]
    assert "newly-tagged" in [tag["slug"] for tag in facets]


# --- hits kept per object (papers/cards.py VARIANTS) ------------------------------------


def hit_html(client, q, title):
    """The search hit titled ``title`` on the results for ``q``."""
    page = client.get(URL, {"q": q}).content.decode()
    start = page.index(f">{title}</a>")
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def test_hits_are_kept_across_a_content_change_and_their_snippets_follow_the_query(client, shelf):
    first = client.get(URL, {"q": "diffusion"})
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL, {"q": "diffusion"})
    # Kept: no byline, tag or presenter is read for the page's hits (the tag facet counts).
    joins = ("papers_authorship", "taggedpaper", "taggedreport", "presenters")
    reads = [q["sql"] for q in captured.captured_queries if "COUNT(" not in q["sql"]]
    assert not [sql for sql in reads if any(j in sql for j in joins)]
    assert again.content == first.content
    # The same kept hit, each query's own snippet.
    assert "<mark>diffusion</mark>" in hit_html(client, "diffusion", "Selective state spaces")
    other = hit_html(client, "spaces", "Selective state spaces")  # not in the summary
    assert '<p class="snippet">We presented the selective scan' in other
    assert "<mark>" not in other


def test_a_hits_row_tags_and_byline_are_on_the_next_search(client, shelf):
    ddpm = Paper.objects.get(pk=shelf["ddpm"].pk)
    assert "Jonathan Ho" in hit_html(client, "diffusion", ddpm.title)
    ddpm.tags.add("score matching")
    assert ">score matching</a>" in hit_html(client, "diffusion", ddpm.title)
    Authorship.objects.create(paper=ddpm, author=AuthorFactory(name="Ajay Jain"), position=1)
    assert "Jonathan Ho, Ajay Jain" in hit_html(client, "diffusion", ddpm.title)
    ddpm.alias = "DDPM, retitled"
    ddpm.save()
    assert "DDPM, retitled" in hit_html(client, "diffusion", ddpm.title)
    shelf["session"].tags.add("state space")
    assert ">state space</a>" in hit_html(client, "diffusion", "Selective state spaces")


def test_a_snippet_is_kept_for_its_query_until_its_text_changes(client, shelf, monkeypatch):
    """PostgreSQL keeps each hit's headline per query under the digest of its text
    (config/snippets.py): not made again after a save elsewhere, made again once the
    text changes, by a save or by a document rewritten without signals."""
    report = shelf["report"]
    made = []
    snippet_html = search.snippet_html
    monkeypatch.setattr(
        search, "snippet_html", lambda obj, query: made.append(obj.pk) or snippet_html(obj, query)
    )
    assert "low-rank update. <mark>Diffusion</mark> models" in hit_html(
        client, "diffusion", report.title
    )
    made.clear()
    bump_content_version()
    assert "low-rank update. <mark>Diffusion</mark> models" in hit_html(
        client, "diffusion", report.title
    )
    kept = connection.vendor == "postgresql"
    assert (made == []) if kept else (report.pk in made)
    report.body = "Noise schedules decide what diffusion learns first."
    report.save()
    assert "Noise schedules decide what <mark>diffusion</mark>" in hit_html(
        client, "diffusion", report.title
    )
    search.store_document(
        type(report), report.pk, {"A": [report.title], "C": ["Rewritten: diffusion of ideas."]}
    )
    bump_content_version()
    assert "<mark>diffusion</mark> of ideas" in hit_html(client, "diffusion", report.title)


def test_a_renamed_tag_is_on_the_kept_hits_at_once(client, shelf):
    assert ">vision</a>" in hit_html(client, "diffusion", shelf["ldm"].title)
    tag = Tag.objects.get(name="vision")
    tag.name = "computer vision"
    tag.save()
    assert ">computer vision</a>" in hit_html(client, "diffusion", shelf["ldm"].title)


def facet(response, name):
    """``(label, number)`` of each link of the sidebar's facet ``name`` as shown."""
    doc = lxml_html.fromstring(response.content.decode())
    return [
        (li.xpath("string(a)"), li.xpath("string(span)"))
        for li in doc.xpath(f'//section[@id="facet-{name}"]//li')
    ]


def test_the_kept_sidebar_shows_changed_counts_and_tags_at_the_next_request(client, shelf):
    before = client.get(URL, {"q": "diffusion", "page": 1})
    PaperFactory(title="Diffusion before DDPM", year=2019)
    after = client.get(URL, {"q": "diffusion", "page": 1})
    papers = dict(facet(before, "types"))["Papers"]
    assert dict(facet(after, "types"))["Papers"] == str(int(papers) + 1)
    # The same number of matches, in another year.
    assert ("2021", "1") in facet(after, "years")
    ldm = Paper.objects.get(pk=shelf["ldm"].pk)
    ldm.year = 2019
    ldm.save()
    moved = client.get(URL, {"q": "diffusion", "page": 1})
    assert facet(moved, "types") == facet(after, "types")
    assert ("2021", "1") not in facet(moved, "years") and ("2019", "2") in facet(moved, "years")
    # The same numbers, another tag.
    ldm.tags.add("thermodynamics")
    assert ("thermodynamics", "1") in facet(client.get(URL, {"q": "diffusion"}), "tags")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's LIKE scan")
def test_sqlite_scans_each_kinds_texts_once_for_a_broad_query(client, monkeypatch):
    """Probe, candidates and exact year counts from one scan of the stored texts."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    _diffusion_papers()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "diffusion", "year": 2021})
    scans = [q for q in captured.captured_queries if '"search_text" LIKE' in q["sql"]]
    assert len(scans) == len(search_view.kinds())
    assert response.context["total"] == 10
    assert dict(response.context["year_facets"]) == {2024: 30, 2021: 10}
    assert len(response.context["items"]) == 3


# --- results kept under the search version (papers/site/cache.py SEARCH_KEY) -----------


def _ranking_reads(captured):
    """The queries that match or rank rows: what a kept result does not run again."""
    marks = ("ts_rank", " @@ ", '"search_text" LIKE')
    return [q["sql"] for q in captured.captured_queries if any(m in q["sql"] for m in marks)]


def test_a_querys_results_are_kept_across_a_bump_and_follow_each_document_written(client, shelf):
    first = client.get(URL, {"q": "diffusion"})
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL, {"q": "diffusion"})
    assert _ranking_reads(captured) == []
    assert again.content == first.content
    # A save writes its row's document: a new match, a draft made public.
    PaperFactory(title="Diffusion Models Beat GANs on Image Synthesis", year=2021)
    draft = Paper.objects.get(pk=shelf["draft"].pk)
    draft.status = "published"
    draft.save()
    found = titles(client.get(URL, {"q": "diffusion"}))
    assert {"Diffusion Models Beat GANs on Image Synthesis", "Secret Diffusion Draft"} <= set(found)
    # Documents rewritten without signals (``rebuild_documents``, as a reindex job does).
    Paper.objects.filter(pk=shelf["lora"].pk).update(abstract="Adapters for diffusion too.")
    search.rebuild_documents(Paper, pks=[shelf["lora"].pk])
    bump_content_version()  # the pages, as the job does
    assert shelf["lora"].title in titles(client.get(URL, {"q": "diffusion"}))


def test_a_deleted_match_leaves_the_kept_results_at_once(client, shelf):
    before = client.get(URL, {"q": "diffusion"}).context["total"]
    Paper.objects.get(pk=shelf["ldm"].pk).delete()
    after = client.get(URL, {"q": "diffusion"})
    assert after.context["total"] == before - 1
    assert shelf["ldm"].title not in titles(after)


def test_rows_changed_without_signals_show_after_a_bump_of_the_cards(client, shelf):
    """``bump_content_version(cards=True)``: names or links of many rows changed without
    signals (a merge); the kept search results go too."""
    before = client.get(URL, {"q": "diffusion"}).context["total"]
    Paper.objects.filter(pk=shelf["ldm"].pk).update(status="draft")
    bump_content_version(cards=True)
    after = client.get(URL, {"q": "diffusion"})
    assert after.context["total"] == before - 1
    assert shelf["ldm"].title not in titles(after)


def test_a_report_scheduled_for_later_is_found_once_its_time_has_come(client, shelf):
    soon = timezone.now() + datetime.timedelta(hours=1)
    ReportFactory(title="Diffusion, scheduled", published_at=soon)
    assert "Diffusion, scheduled" not in titles(client.get(URL, {"q": "diffusion"}))
    with time_machine.travel(soon + datetime.timedelta(minutes=1), tick=False):
        assert "Diffusion, scheduled" in titles(client.get(URL, {"q": "diffusion"}))


def test_the_kept_tag_facet_shows_a_renamed_tag_at_the_next_request(client, shelf):
    assert "vision" in [
        t["name"] for t in client.get(URL, {"q": "diffusion"}).context["tag_facets"]
    ]
    tag = Tag.objects.get(name="vision")
    tag.name = "computer vision"
    tag.save()  # its documents are rewritten later, by a job: the search version stays
    names = [t["name"] for t in client.get(URL, {"q": "diffusion"}).context["tag_facets"]]
    assert "computer vision" in names and "vision" not in names
