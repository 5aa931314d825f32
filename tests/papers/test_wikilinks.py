"""Aliases and wiki-links: ``/papers/<alias>/``, ``[[GPT-3]]`` in any Markdown, backlinks."""

import re
from html.parser import HTMLParser

import pytest
from pytest_django.asserts import assertInHTML

from papers.models import Paper
from papers.site.markdown import render_markdown, render_markdown_with_mentions
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gpt3():
    return PaperFactory(
        title="Language Models are Few-Shot Learners",
        alias="GPT-3",
        arxiv_id="2005.14165",
        doi="10.5555/gpt3",
        year=2020,
    )


# --- aliases and other names in the address ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/papers/GPT-3/",
        "/papers/gpt-3/",  # the slug itself: no redirect
        "/papers/Gpt-3/",
        "/papers/ref/gpt-3/",
        "/papers/ref/arXiv:2005.14165/",
        "/papers/ref/arxiv:2005.14165v2/",
        "/papers/ref/doi:10.5555/GPT3/",
        "/papers/ref/Language%20Models%20are%20Few-Shot%20Learners/",
    ],
)
def test_every_name_of_a_paper_leads_to_it(client, gpt3, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["paper"] == gpt3
    assert response.redirect_chain in ([], [(gpt3.get_absolute_url(), 302)])


def test_alias_differing_from_slug_redirects(client):
    PaperFactory(title="Segment Anything", alias="SAM", slug="segment-anything")
    response = client.get("/papers/sam/")
    assert response.status_code == 302
    assert response["Location"] == "/papers/segment-anything/"


@pytest.mark.parametrize(
    "path",
    ["/papers/nothing/", "/papers/ref/nothing/", "/papers/ref/arXiv:junk/", "/papers/ref/doi:x/"],
)
def test_unknown_names_are_404(client, gpt3, path):
    assert client.get(path).status_code == 404


def test_a_draft_is_not_reachable_by_alias(client):
    PaperFactory(title="Secret", alias="HIDDEN", status="draft")
    assert client.get("/papers/hidden/").status_code == 404
    assert client.get("/papers/ref/HIDDEN/").status_code == 404


# --- rendering ------------------------------------------------------------------------


def test_wikilinks_by_alias_arxiv_and_doi(gpt3):
    html, found = render_markdown_with_mentions(
        "See [[gpt-3]], [[arXiv:2005.14165]], [[doi:10.5555/GPT3|the DOI]] and [[ GPT-3 ]]."
    )
    assert html.count('class="wikilink"') == 4
    assert 'href="/papers/ref/gpt-3/"' in html
    assert re.search(r'href="/papers/ref/arXiv:2005.14165/"[^>]*>GPT-3</a>', html)
    assert ">the DOI</a>" in html
    assert found == [gpt3]


def test_unknown_wikilink_is_plain_text_with_a_marker(gpt3):
    html, found = render_markdown_with_mentions("Compare [[GPT-5]] and [[arXiv:9999.99999]].")
    assert found == []
    assert 'class="wikilink-missing"' in html
    assert "GPT-5" in html and "<a" not in html
    assertInHTML('<sup class="wikilink-marker">?</sup>', html)


def test_wikilinks_in_code_stay_code(gpt3):
    html, found = render_markdown_with_mentions("`[[GPT-3]]`\n\n```\n[[GPT-3]]\n```\n")
    assert "wikilink" not in html and html.count("[[GPT-3]]") == 2
    assert found == []


def test_a_draft_paper_is_not_linked():
    PaperFactory(title="Secret", alias="HIDDEN", status="draft")
    assert 'class="wikilink-missing"' in render_markdown("[[HIDDEN]]")


@pytest.mark.parametrize(
    "text",
    [
        "[[<script>alert(1)</script>]]",
        '[["><img src=x onerror=alert(1)>]]',
        "[[javascript:alert(1)]]",
        "[[" + "x" * 500 + "]]",
        "[[]]",
        "[[|label]]",
        "[[a|b|c]]",
        "[[[[nested]]]]",
        "[[doi:]] [[arXiv:]]",
    ],
)
def test_hostile_or_odd_wikilinks_never_break_the_page(text):
    problems = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "svg"):
                problems.append(tag)
            for name, value in attrs:
                if name.startswith("on") or (value or "").lower().startswith("javascript:"):
                    problems.append(f"{tag}[{name}]")

    Collector().feed(render_markdown(text))
    assert problems == []


def test_text_without_wikilinks_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        render_markdown("Plain [link](https://example.org) and [ref] text.")


def test_many_references_cost_one_query(django_assert_num_queries):
    text = " ".join(f"[[paper {i}]]" for i in range(50))
    with django_assert_num_queries(1):
        render_markdown(text)


def test_paper_notes_link_other_papers(client, gpt3):
    other = PaperFactory(title="A follow-up", notes="Builds on [[GPT-3]].")
    assert 'href="/papers/ref/GPT-3/"' in other.notes_html


# --- mentions and backlinks -------------------------------------------------------------


def test_paper_page_shows_published_reports_and_sessions_that_mention_it(client, gpt3):
    report = ReportFactory(title="Scaling laws, revisited", body="As [[GPT-3]] showed, size helps.")
    ReportFactory(title="Draft about GPT-3", body="[[GPT-3]]", draft=True)
    session = PresentationFactory(title="In-context learning", summary="We read [[GPT-3]].")
    PresentationFactory(title="Draft session on GPT-3", summary="[[GPT-3]]", draft=True)
    assert list(report.mentions.all()) == [gpt3]
    body = client.get(gpt3.get_absolute_url()).content.decode()
    assert "Mentioned in" in body
    assert f'href="{report.get_absolute_url()}"' in body
    assert f'href="{session.get_absolute_url()}"' in body
    assert "Draft about GPT-3" not in body and "Draft session on GPT-3" not in body


def test_no_backlinks_section_without_mentions(client, gpt3):
    assert "Mentioned in" not in client.get(gpt3.get_absolute_url()).content.decode()


def test_a_paper_added_later_turns_a_dead_link_live(client):
    report = ReportFactory(body="Waiting for [[Mamba]] to be added.")
    session = PresentationFactory(summary="Next time: [[arXiv:2312.00752]].")
    assert 'class="wikilink-missing"' in report.body_html
    mamba = PaperFactory(title="Mamba", alias="Mamba", arxiv_id="2312.00752")
    jobs = run_queued_jobs()  # the save queued the re-rendering (papers/refresh.py)
    assert {job.kind for job in jobs} == {"papers.wikilinks", "papers.related"}
    assert all(job.state == "done" for job in jobs)
    report.refresh_from_db()
    session.refresh_from_db()
    assert 'href="/papers/ref/Mamba/"' in report.body_html
    assert 'href="/papers/ref/arXiv:2312.00752/"' in session.summary_html
    assert list(report.mentions.all()) == [mamba] == list(session.mentions.all())
    assert "Mentioned in" in client.get(mamba.get_absolute_url()).content.decode()


def test_unpublishing_a_paper_unlinks_it_and_a_new_alias_relinks(gpt3):
    report = ReportFactory(body="[[GPT-3]] and [[Davinci]]")
    updated_at = report.updated_at
    gpt3.status = "draft"
    gpt3.save()
    run_queued_jobs()
    report.refresh_from_db()
    assert "wikilink-missing" in report.body_html and 'class="wikilink"' not in report.body_html
    assert report.mentions.count() == 0
    assert report.updated_at == updated_at  # a re-render is not an edit
    gpt3.status = "published"
    gpt3.alias = "Davinci"
    gpt3.save()
    run_queued_jobs()
    report.refresh_from_db()
    assert 'href="/papers/ref/Davinci/"' in report.body_html
    assert list(report.mentions.all()) == [gpt3]


@pytest.mark.django_db
def test_naming_texts_matches_names_with_regex_characters_case_insensitively():
    from papers.wikilinks import naming_texts

    linking = PaperFactory(title="Linking", notes="See [[deep (RESIDUAL) nets+ | it]] and $x$.")
    PaperFactory(title="Unlinked", notes="Deep (residual) nets+ without brackets.")
    found = Paper.objects.filter(naming_texts("notes", {"Deep (residual) nets+", "", None}))
    assert list(found) == [linking]
    assert not Paper.objects.filter(naming_texts("notes", {"a.b*c"})).exists()
    assert naming_texts("notes", {"", None}) is None
