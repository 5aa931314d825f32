"""A report's page: rendered body, contents, paper cards, series and report navigation, metadata."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertInHTML

from blog.models import Kind
from papers.models import Status
from papers.site.cache import bump_content_version
from tests import cards
from tests.blog.factories import ReportFactory, SeriesFactory, days_ago
from tests.factories import AuthorFactory, paper_with_everything

pytestmark = pytest.mark.django_db


def page(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_body_has_mathml_highlighted_code_tables_footnotes_and_figures(client):
    report = ReportFactory(
        body=(
            "## Setup\n\nInline $a^2 + b^2$ and\n\n$$\\frac{1}{n}\\sum_i x_i$$\n\n"
            "```python\ndef f(x):\n    return x\n```\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            "A claim.[^1]\n\n[^1]: The source.\n\n"
            "![Patch grid](/media/uploads/grid.png)\n\n/// figure-caption\nThe grid.\n///\n"
        )
    )
    html = page(client, report)
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert 'display="block"' in html and "<mfrac>" in html
    assertInHTML('<span class="k">def</span>', html)
    assert "<table>" in html and "<td>2</td>" in html
    assert 'class="footnote"' in html
    assert "<figure>" in html and "<figcaption>" in html and 'alt="Patch grid"' in html


def test_table_of_contents_links_the_headings(client):
    report = ReportFactory(body="## One\n\ntext\n\n### One point five\n\n## Two\n")
    html = page(client, report)
    assert '<nav class="toc"' in html
    assertInHTML('<a href="#one">One</a>', html)
    assert '<li class="toc-level-3"><a href="#one-point-five">One point five</a>' in html
    assertInHTML('<h2 id="two">Two</h2>', html)


def test_a_single_heading_needs_no_table_of_contents(client):
    assert '<nav class="toc"' not in page(client, ReportFactory(body="## Only\n\ntext"))


def test_linked_published_papers_are_shown_as_cards(client):
    shown = paper_with_everything(title="Shown Paper")
    hidden = paper_with_everything(title="Hidden Paper", status=Status.DRAFT)
    html = page(client, ReportFactory(papers=[shown, hidden]))
    assert "Shown Paper" in html and shown.get_absolute_url() in html
    assert "Hidden Paper" not in html


def test_reading_time_kind_number_and_work_in_progress(client):
    report = ReportFactory(
        kind=Kind.PAPER_REPORT, number=7, body="word " * 700, work_in_progress=True
    )
    html = page(client, report)
    assert "4 min read" in html
    assert "Paper report 7" in html
    assert "work in progress" in html.lower()
    assert 'class="badge wip"' in html


def test_series_navigation_says_part_x_of_y_and_links_the_parts(client):
    series = SeriesFactory(title="Deep Learning Theory")
    one = ReportFactory(series=series, part=1, title="At initialization", kind=Kind.BOOK_REPORT)
    two = ReportFactory(series=series, part=2, title="Learning", kind=Kind.BOOK_REPORT)
    html = page(client, one)
    assert "Part 1 of 2" in html
    assert re.search(rf'class="series-next" rel="next" href="{two.get_absolute_url()}"', html)
    assert "series-previous" not in html
    html = page(client, two)
    assert "Part 2 of 2" in html
    assert re.search(rf'class="series-previous" rel="prev" href="{one.get_absolute_url()}"', html)


def test_previous_and_next_report(client):
    old = ReportFactory(title="Old one", published_at=days_ago(30))
    middle = ReportFactory(title="Middle one", published_at=days_ago(20))
    new = ReportFactory(title="New one", published_at=days_ago(10))
    html = page(client, middle)
    assert f'class="older" href="{old.get_absolute_url()}"' in html
    assert f'class="newer" href="{new.get_absolute_url()}"' in html


def test_opengraph_twitter_and_canonical_metadata(client):
    report = ReportFactory(
        with_cover=True, title="Radiance & Fields", teaser="Rays <b>through</b> a volume."
    )
    html = page(client, report)
    url = f"http://testserver{report.get_absolute_url()}"
    assertInHTML(f'<link rel="canonical" href="{url}">', html)
    assertInHTML('<meta property="og:type" content="article">', html)
    assertInHTML('<meta property="og:title" content="Radiance &amp; Fields">', html)
    assertInHTML('<meta property="og:description" content="Rays through a volume.">', html)
    assert re.search(
        r'<meta property="og:image" content="http://testserver/media/covers/\w+\.png">', html
    )
    assertInHTML('<meta property="og:image:width" content="120">', html)
    assertInHTML('<meta name="twitter:card" content="summary_large_image">', html)
    assert '<meta name="robots"' not in html


def test_json_ld_article(client):
    paper = paper_with_everything(title="The Paper", url="https://example.org/paper")
    report = ReportFactory(
        with_cover=True, title="</script><b>x</b>", tags=["vision"], papers=[paper]
    )
    html = page(client, report)
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    assert "</script><b>" not in match.group(1)  # escaped, cannot close the element
    data = json.loads(match.group(1))
    assert data["@type"] == "Article"
    assert data["headline"] == "</script><b>x</b>"
    assert data["url"] == f"http://testserver{report.get_absolute_url()}"
    assert data["image"][0].startswith("http://testserver/media/covers/")
    assert data["keywords"] == ["vision"]
    assert data["about"] == [
        {"@type": "ScholarlyArticle", "name": "The Paper", "url": "https://example.org/paper"}
    ]
    assert "datePublished" in data


def test_without_a_cover_the_twitter_card_is_a_summary(client):
    html = page(client, ReportFactory())
    assertInHTML('<meta name="twitter:card" content="summary">', html)
    assert "og:image" not in html


def test_unknown_slug_is_a_404(client):
    assert client.get("/reports/no-such-report/").status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_papers_tags_and_parts(
    client, django_assert_max_num_queries
):
    series = SeriesFactory()
    report = ReportFactory(
        series=series,
        part=1,
        papers=[paper_with_everything()],
        tags=["a"],
        published_at=days_ago(5),
    )
    ReportFactory(published_at=days_ago(9))
    ReportFactory(published_at=days_ago(1))
    few = _count(client, report.get_absolute_url())
    for n in range(2, 12):
        ReportFactory(series=series, part=n, published_at=days_ago(5 + n))
        paper = paper_with_everything(n_authors=5, tags=(f"p{n}", f"q{n}"))
        report.paper_links.create(paper=paper, position=n)
        report.tags.add(f"tag{n}")
    many = _count(client, report.get_absolute_url())
    assert few == many
    with django_assert_max_num_queries(8):
        client.get(report.get_absolute_url())


@pytest.mark.parametrize(
    ("url", "status"),
    [("/reports/a%00b/", 400), ("/reports/a%0Ab/", 404), ("/feeds/reports/tags/a%00b/", 400)],
)
def test_control_characters_in_the_address_never_reach_the_database(client, url, status):
    # On PostgreSQL a NUL in a query parameter is an error: it must never get that far
    # (config.middleware answers 400 for a NUL anywhere in the address; a newline matches
    # no slug pattern). The error page may read the site's settings; no query carries the
    # address's words.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == status
    sent = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in sent if "a\x00b" in sql or "a\nb" in sql], sent


# The linked papers' cards are the kept paper cards (papers/cards.py).


def test_a_report_page_made_again_reads_no_byline_or_tag_of_its_kept_paper_cards(client):
    report = ReportFactory(papers=[paper_with_everything(), paper_with_everything()])
    first = page(client, report)
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        assert page(client, report) == first
    for query in captured:
        assert "papers_authorship" not in query["sql"]
        assert "papers_taggedpaper" not in query["sql"]


def test_a_linked_papers_edit_new_tag_new_author_and_unpublication_show_on_the_report_page(
    client,
):
    paper = paper_with_everything()
    report = ReportFactory(papers=[paper])
    assert "robotics" not in cards.card(client, report.get_absolute_url(), paper.title)
    paper.tags.add("robotics")
    assert ">robotics</a>" in cards.card(client, report.get_absolute_url(), paper.title)
    paper.authorships.create(author=AuthorFactory(name="Newcomer Author"), position=99)
    assert "Newcomer Author" in cards.card(client, report.get_absolute_url(), paper.title)
    paper.title = "A retitled linked paper"
    paper.save()
    assert ">robotics</a>" in cards.card(client, report.get_absolute_url(), paper.title)
    paper.status = Status.DRAFT
    paper.save()
    assert "A retitled linked paper" not in page(client, report)


# The links' number, the neighbours and the similar papers are kept until the content
# changes (blog.views._around).


def test_a_new_neighbour_and_a_draft_paper_linked_show_on_the_next_request(client):
    report = ReportFactory(published_at=days_ago(5), papers=[paper_with_everything()])
    html = page(client, report)
    assert 'class="newer"' not in html and "not in the public library" not in html
    newer = ReportFactory(published_at=days_ago(1))
    report.paper_links.create(paper=paper_with_everything(status=Status.DRAFT), position=9)
    html = page(client, report)
    assert f'class="newer" href="{newer.get_absolute_url()}"' in html
    assert "1 of the 2 papers is not in the public library yet" in html
    newer.status = Status.DRAFT
    newer.save()
    assert 'class="newer"' not in page(client, report)
