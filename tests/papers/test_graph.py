"""The previous-work graph: server-rendered SVG, escaped, CSP-clean, with a list beside."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from papers import graph, related
from papers.models import Paper, Status
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def _svg(html):
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no SVG in the page"
    return etree.fromstring(match.group(0).encode())  # well-formed XML or this raises


def test_graph_draws_previous_work_followups_and_similar_two_steps_out(client):
    root = PaperFactory(title="Attention is all you need", year=2017)
    bert = PaperFactory(title="BERT", year=2018)
    roberta = PaperFactory(title="RoBERTa", year=2019)
    bert.related.add(root)
    roberta.related.add(bert)
    older = PaperFactory(title="Sequence to sequence learning", year=2014)
    root.related.add(older)
    response = client.get(f"/papers/{bert.slug}/graph/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = _svg(html)
    ns = "{http://www.w3.org/2000/svg}"
    links = {a.get("href") for a in svg.iter(f"{ns}a")}
    # root (step 1), roberta (step 1), older (two steps out, through root)
    assert links == {p.get_absolute_url() for p in (bert, root, roberta, older)}
    columns = [t.text for t in svg.findall(f"{ns}text")]
    assert columns[:4] == ["2014", "2017", "2018", "2019"]
    assert "two steps away" in html
    for paper in (root, roberta, older):
        assert f'<a href="{paper.get_absolute_url()}">' in html  # the accessible list


def test_hostile_titles_are_escaped_in_the_svg_and_the_list(client):
    paper = PaperFactory(title="Safe paper")
    evil = PaperFactory(title='<script>alert(1)</script>"><svg onload=alert(2)>')
    paper.related.add(evil)
    html = client.get(f"/papers/{paper.slug}/graph/").content.decode()
    assert "<script>alert" not in html
    assert "onload=alert" not in html.replace("onload=alert(2)&gt;", "")
    svg = _svg(html)
    assert not [el for el in svg.iter() if any(k.startswith("on") for k in el.attrib)]
    assert not list(svg.iter("{http://www.w3.org/2000/svg}script"))
    assert "style=" not in etree.tostring(svg).decode()  # the CSP forbids inline style


def test_cycles_and_a_paper_that_is_its_own_previous_work_are_drawn_once(client):
    a = PaperFactory(title="Paper A")
    b = PaperFactory(title="Paper B")
    a.related.add(b, a)
    b.related.add(a)
    nodes, edges = graph.neighbourhood(a)
    assert set(nodes) == {a.pk, b.pk}
    assert all(x.pk != y.pk for x, y, _ in edges)
    assert client.get(f"/papers/{a.slug}/graph/").status_code == 200


def test_papers_without_a_year_go_in_a_last_no_date_column(client, monkeypatch):
    center = PaperFactory(title="Center", year=2020)
    undated = PaperFactory(title="Undated", year=2019)
    older = PaperFactory(title="Older", year=2001)
    center.related.add(undated, older)
    # The year may become optional (the column nullable): the graph must not compare None
    # with a year. Set it on the loaded paper, as today's column refuses NULL.
    real = graph.neighbourhood

    def without_year(paper):
        nodes, edges = real(paper)
        nodes[undated.pk].paper.year = None
        return nodes, edges

    monkeypatch.setattr(graph, "neighbourhood", without_year)
    html = client.get(f"/papers/{center.slug}/graph/").content.decode()
    svg = _svg(html)
    columns = [t.text for t in svg.findall("{http://www.w3.org/2000/svg}text")][:3]
    assert columns == ["2001", "2020", "n.d."]
    assert "Undated</a> (n.d.)" in html


def test_graph_is_at_most_forty_nodes_and_drafts_are_left_out(client):
    center = PaperFactory(title="Hub")
    for n in range(30):
        previous = PaperFactory(title=f"Previous {n}")
        center.related.add(previous)
        for m in range(3):
            previous.related.add(PaperFactory(title=f"Older {n}.{m}"))
    draft = PaperFactory(title="Secret draft", status=Status.DRAFT)
    center.related.add(draft)
    nodes, _ = graph.neighbourhood(center)
    assert len(nodes) <= graph.MAX_NODES
    assert draft.pk not in nodes
    html = client.get(f"/papers/{center.slug}/graph/").content.decode()
    assert "Secret draft" not in html


def test_graph_includes_similar_papers_and_its_query_count_is_pinned(client):
    papers = [
        PaperFactory(title=f"Diffusion image synthesis study {n}", tags=["diffusion"])
        for n in range(6)
    ]
    related.rebuild()
    nodes, edges = graph.neighbourhood(papers[0])
    assert any(kind == "similar" for _, _, kind in edges)
    with CaptureQueriesContext(connection) as queries:
        graph.neighbourhood(papers[0])
    assert len(queries) <= 5  # (links, similar) per step, then the papers


def test_graph_of_unknown_or_draft_paper_is_404(client):
    draft = PaperFactory(status=Status.DRAFT)
    assert client.get("/papers/nope/graph/").status_code == 404
    assert client.get(f"/papers/{draft.slug}/graph/").status_code == 404
    assert Paper.objects.count() == 1
