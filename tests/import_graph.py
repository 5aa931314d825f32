"""The project's import graph, read with ``ast`` (no module is imported).

Every ``import`` counts, at module level or inside a function, a method or an ``if``:
an import hidden in a function is still a dependency, and a cycle through one is still
a cycle (it only fails later, at the first call). An edge goes from a module to each
project module the statement makes Python execute:

- ``import a.b.c`` and ``from a.b.c import x``: the packages ``a`` and ``a.b`` (their
  ``__init__.py`` runs first), the module ``a.b.c``, and ``a.b.c.x`` when ``x`` is a
  submodule rather than a name;
- relative imports are resolved against the importing module's package.

Scripts (``bench/``, run with their folder on ``sys.path``) are named by their file name,
as they import each other (``from bench import run`` is bench/bench.py).
"""

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("papers", "blog", "readinggroup", "config", "tests")
SCRIPT_FOLDERS = ("bench",)


def project_modules(root=ROOT, packages=PACKAGES, script_folders=SCRIPT_FOLDERS):
    """``{dotted name: (path, is_package)}`` of every Python file of the project."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = (path, is_package)
    for folder in script_folders:
        for path in sorted((root / folder).glob("*.py")):
            modules[path.stem] = (path, False)
    return modules


def _absolute(module, is_package, node):
    """The module a ``from … import`` statement names, relative imports resolved."""
    if node.level == 0:
        return node.module
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _with_packages(name):
    """``a.b.c`` → ``a``, ``a.b``, ``a.b.c``: what importing it executes."""
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def imports_of(module, path, is_package):
    """Every module name one file's import statements execute (project or not)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names |= _with_packages(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node)
            names |= _with_packages(source)
            names |= {f"{source}.{alias.name}" for alias in node.names}
    return names


def import_graph(modules=None):
    """``{module: {project modules it imports}}``."""
    modules = project_modules() if modules is None else modules
    return {
        module: {
            name
            for name in imports_of(module, path, is_package)
            if name in modules and name != module
        }
        for module, (path, is_package) in modules.items()
    }


@functools.cache
def project_graph():
    """The graph of the project as it is on disk, read once per test process (about 1 s
    of CPU for the whole project; several tests ask for it). Not to be changed."""
    return import_graph()


def cycles(graph):
    """The cycles of the graph, each ``[a, b, …, a]`` starting at its first module by name:
    for every module in a group of modules that import one another (directly or through
    others), the shortest cycle through it. No group, no cycle."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(start):
        # Tarjan's strongly connected components, iteratively (no recursion limit).
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while (member := stack.pop()) != node:
                        on_stack.discard(member)
                        group.add(member)
                    on_stack.discard(node)
                    group.add(node)
                    if len(group) > 1:
                        groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    found = set()
    for group in groups:
        for module in group:
            cycle = _shortest_cycle(graph, module, group)[:-1]
            first = cycle.index(min(cycle))
            rotated = cycle[first:] + cycle[:first]
            found.add((*rotated, rotated[0]))
    return sorted(list(cycle) for cycle in found)


def _shortest_cycle(graph, start, group):
    paths, frontier = {start: [start]}, [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in a cycle but none returns to it")
