import bibtexparser
import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from papers.models import Status
from tests.factories import AuthorFactory, FigureFactory, PaperFactory, paper_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    authors = [AuthorFactory(name="Ashish Vaswani"), AuthorFactory(name="Łukasz Kaiser")]
    paper = PaperFactory(
        title="Attention Is All You Need",
        alias="Transformer",
        year=2017,
        month=6,
        venue="NeurIPS 2017",
        affiliations="Google Brain, Google Research",
        arxiv_id="1706.03762",
        notes="Scaled dot-product:\n\n$$\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$$",
        authors=authors,
        tags=["transformers", "language"],
    )
    FigureFactory(paper=paper, caption="The architecture.", credit="Figure 1 of the paper")
    return paper


def test_detail_shows_everything_a_reader_needs(client, paper):
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Attention Is All You Need",
        "Ashish Vaswani",
        "Łukasz Kaiser",
        "June 2017",
        "NeurIPS 2017",
        "Google Brain",
        "arXiv:1706.03762",
        "The architecture.",
        "Image credit: Figure 1 of the paper",
        'display="block"',
        'href="/tags/transformers/"',
        reverse("papers:paper_bibtex", args=[paper.slug]),
    ]:
        assert text in body, text


def test_previous_work_links_only_published_papers(client, paper):
    older = PaperFactory(title="Neural Machine Translation by Jointly Learning", year=2014)
    hidden = PaperFactory(title="Unpublished predecessor", status=Status.DRAFT)
    paper.related.add(older, hidden)
    body = client.get(paper.get_absolute_url()).content.decode()
    assert "Neural Machine Translation" in body
    assert "Unpublished predecessor" not in body
    assert "Attention Is All You Need" in client.get(older.get_absolute_url()).content.decode()


def test_previous_work_and_followups_are_told_apart_newest_first(client, paper):
    before = [PaperFactory(title=f"Earlier idea {year}", year=year) for year in (2014, 2016)]
    after = PaperFactory(title="Later refinement", year=2019)
    draft = PaperFactory(title="Draft follow-up", year=2020, status=Status.DRAFT)
    paper.related.add(*before)
    after.related.add(paper)
    draft.related.add(paper)
    response = client.get(paper.get_absolute_url())
    previous = [p.title for p in response.context["previous_work"]]
    followups = [p.title for p in response.context["followups"]]
    assert previous == ["Earlier idea 2016", "Earlier idea 2014"]
    assert followups == ["Later refinement"]
    body = response.content.decode()
    assert body.index("Builds on this") < body.index("Later refinement")


def test_draft_detail_is_404(client):
    draft = PaperFactory(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("papers:paper_bibtex", args=[draft.slug])).status_code == 404


def test_bibtex_download_parses_and_keeps_the_facts(client, paper):
    response = client.get(reverse("papers:paper_bibtex", args=[paper.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{paper.slug}.bib"'
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == "vaswani2017attention"
    assert entry["eprint"] == "1706.03762"
    assert entry["year"] == "2017"
    # Non-ASCII names are LaTeX-encoded, as BibTeX tools expect.
    assert "Kaiser" in entry["author"] and "Ł" not in entry["author"]


def test_cite_box_matches_the_download(client, paper):
    body = client.get(paper.get_absolute_url()).content.decode()
    assert "@inproceedings{vaswani2017attention," in body


@pytest.mark.parametrize("n", [5, 60])
def test_detail_query_count_is_constant(client, django_assert_max_num_queries, n):
    target = paper_with_everything(
        n_authors=n, tags=[f"tag{i}" for i in range(n // 5 + 1)], n_links=n // 5
    )
    for _ in range(n // 5):
        FigureFactory(paper=target)
        target.related.add(PaperFactory())
    # paper, authors, tags, links, figures, previous work with follow-ups (one UNION),
    # reports, sessions, the "mentioned in" backlinks from reports, from sessions and from
    # other papers' notes; the site settings (once per content version); the stored
    # similar papers (one indexed read, papers/related.py)
    with django_assert_max_num_queries(13):
        assert client.get(target.get_absolute_url()).status_code == 200


def test_unknown_slug_is_404(client):
    assert client.get("/papers/no-such-paper/").status_code == 404
    assert client.get("/papers/%00/").status_code == 400


def test_scholar_meta_tags_and_json_ld(client, paper):
    import json
    import re

    body = client.get(paper.get_absolute_url()).content.decode()
    assertInHTML('<meta name="citation_title" content="Attention Is All You Need">', body)
    authors = re.findall(r'<meta name="citation_author" content="([^"]+)">', body)
    assert authors == ["Ashish Vaswani", "Łukasz Kaiser"]
    assertInHTML('<meta name="citation_publication_date" content="2017/06">', body)
    assertInHTML('<meta name="citation_arxiv_id" content="1706.03762">', body)
    assertInHTML('<meta name="citation_conference_title" content="NeurIPS 2017">', body)
    assertInHTML(f'<link rel="canonical" href="http://testserver{paper.get_absolute_url()}">', body)
    assertInHTML('<meta property="og:title" content="Attention Is All You Need">', body)
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(block)
    assert data["@type"] == "ScholarlyArticle"
    assert [a["name"] for a in data["author"]] == ["Ashish Vaswani", "Łukasz Kaiser"]
    assert data["datePublished"] == "2017-06"


def test_json_ld_cannot_be_broken_out_of(client):
    evil = PaperFactory(title="</script><script>alert(1)</script>", notes="")
    body = client.get(evil.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    assert "\\u003C/script\\u003E" in body
