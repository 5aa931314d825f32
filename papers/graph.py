"""``/papers/<slug>/graph/``: a paper's neighbourhood drawn as server-rendered SVG.

Nodes are the paper, its previous work, its follow-ups and its most similar papers, two
steps out, at most ``MAX_NODES``; one column per year (oldest left, papers with no year in
a last "n.d." column), the paper itself highlighted. The SVG is written by a template, so
every title is escaped, and it has no script and no inline style (the CSP forbids both).
The same nodes are listed beside it, as links, for screen readers and small screens.
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from papers.models import RelatedPaper
from papers.site.cache import public_page

MAX_NODES = 40
SIMILAR_PER_NODE = 3  # similar papers followed from each node (previous work all)
COLUMN_WIDTH = 150
ROW_HEIGHT = 44
MARGIN = 40
LABEL_CHARS = 22
NO_YEAR = "n.d."


@dataclass
class Node:
    pk: int
    step: int
    relation: str  # "this", "previous", "followup", "similar"
    paper: object = None
    x: int = 0
    y: int = 0
    label: str = ""

    @property
    def column(self):
        return self.paper.year if self.paper.year is not None else NO_YEAR


@dataclass
class Graph:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)  # (from node, to node, kind)
    columns: list = field(default_factory=list)  # (label, x)
    width: int = 0
    height: int = 0


def _edges_from(frontier):
    """Previous-work links touching ``frontier`` and its stored similar papers: 2 queries."""
    from papers.models import Paper

    through = Paper.related.through.objects
    links = through.filter(from_paper__in=frontier).values_list("from_paper_id", "to_paper_id")
    links = links.union(
        through.filter(to_paper__in=frontier).values_list("from_paper_id", "to_paper_id"),
        all=True,
    )
    similar = RelatedPaper.objects.filter(
        paper__in=frontier, rank__lt=SIMILAR_PER_NODE
    ).values_list("paper_id", "other_id")
    return list(links), list(similar)


def neighbourhood(paper):
    """The nodes (published papers only) and edges around ``paper``: 3 queries per step,
    one for the papers. A cycle or a paper that is its own previous work adds nothing new:
    every paper is visited once."""
    from papers.models import Paper

    nodes = {paper.pk: Node(paper.pk, 0, "this")}
    edges = set()
    frontier = [paper.pk]
    for step in (1, 2):
        links, similar = _edges_from(frontier)
        found = []
        for builder, previous in links:
            if builder == previous:
                continue  # its own previous work: no edge to draw
            edges.add((builder, previous, "previous"))
            if builder in frontier and previous not in nodes:
                found.append((previous, "previous"))
            elif previous in frontier and builder not in nodes:
                found.append((builder, "followup"))
        for pk, other in similar:
            if (other, pk, "similar") not in edges:
                edges.add((pk, other, "similar"))
            if other not in nodes:
                found.append((other, "similar"))
        frontier = []
        for pk, relation in found:
            if len(nodes) >= MAX_NODES:
                break
            if pk not in nodes:
                nodes[pk] = Node(pk, step, relation)
                frontier.append(pk)
        if not frontier:
            break
    papers = (
        Paper.objects.published()
        .filter(pk__in=nodes)
        .only("slug", "title", "alias", "year", "month")
    )
    for found_paper in papers:
        nodes[found_paper.pk].paper = found_paper
    nodes[paper.pk].paper = paper
    kept = {pk: node for pk, node in nodes.items() if node.paper is not None}  # no drafts
    edges = [(kept[a], kept[b], kind) for a, b, kind in edges if a in kept and b in kept]
    return kept, edges


def _column_order(label):
    # Years in order, then the papers with no year: ``sorted`` cannot compare None with int.
    return (label == NO_YEAR, label if label != NO_YEAR else 0)


def layout(paper):
    nodes, edges = neighbourhood(paper)
    by_column = {}
    for node in sorted(nodes.values(), key=lambda node: (node.step, node.paper.title, node.pk)):
        by_column.setdefault(node.column, []).append(node)
    labels = sorted(by_column, key=_column_order)
    tallest = max((len(column) for column in by_column.values()), default=1)
    graph = Graph(edges=edges, width=2 * MARGIN + COLUMN_WIDTH * max(len(labels), 1))
    graph.height = 2 * MARGIN + ROW_HEIGHT * tallest
    for index, label in enumerate(labels):
        x = MARGIN + COLUMN_WIDTH * index + COLUMN_WIDTH // 2
        graph.columns.append((label, x))
        column = by_column[label]
        top = MARGIN + (graph.height - 2 * MARGIN - ROW_HEIGHT * len(column)) // 2
        for row, node in enumerate(column):
            node.x, node.y = x, top + ROW_HEIGHT * row + ROW_HEIGHT // 2
            name = node.paper.alias or node.paper.title
            node.label = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
    graph.nodes = sorted(nodes.values(), key=lambda node: (node.step, node.relation != "previous"))
    return graph


@require_safe
@public_page
def paper_graph(request, slug):
    from papers.models import Paper

    paper = Paper.objects.published().only("slug", "title", "alias", "year", "month")
    paper = paper.filter(slug=slug).first()
    if paper is None:
        raise Http404("No such paper.")
    graph = layout(paper)
    groups = [
        (title, [node for node in graph.nodes if node.relation == relation])
        for relation, title in (
            ("previous", "Previous work"),
            ("followup", "Builds on it"),
            ("similar", "Similar in this library"),
        )
    ]
    return render(
        request,
        "papers/paper_graph.html",
        {"paper": paper, "graph": graph, "groups": [group for group in groups if group[1]]},
    )
