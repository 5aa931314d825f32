"""The reading group's modules import one way (docs/ARCHITECTURE.md, "The one-way
dependencies"): an import graph over ``ast``, imports inside functions counted."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "readinggroup"


def import_graph(package):
    modules = {
        f"{package.name}.{path.stem}": path
        for path in package.glob("*.py")
        if path.stem != "__init__"
    }
    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def cycle_from(graph, start):
    """A path start → … → start, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_readinggroup_module_imports_itself_back_through_others():
    graph = import_graph(PACKAGE)
    assert "readinggroup.slides_queue" in graph["readinggroup.models"]  # the graph is read
    cycles = [cycle for name in sorted(graph) if (cycle := cycle_from(graph, name))]
    assert cycles == []


def test_the_import_graph_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    package = tmp_path / "readinggroup"
    package.mkdir()
    (package / "models.py").write_text("from readinggroup.members import Member\n")
    (package / "members.py").write_text("def f():\n    from readinggroup.models import X\n")
    graph = import_graph(package)
    assert cycle_from(graph, "readinggroup.models") == [
        "readinggroup.models",
        "readinggroup.members",
        "readinggroup.models",
    ]
