"""docs/ARCHITECTURE.md names only what exists, and its import diagrams are the code's.

Every backticked name in its prose and tables is checked by what it looks like: a path
exists, a dotted name imports, a URL resolves, a ``manage.py`` command is one, a template
tag is used by a template, any other name is a command or a name in the project's Python
code (defined or used: a Django or library name the page mentions is used by the code). Its diagrams (``a ──► b``) are edges of
the import graph (tests/import_graph.py). The walkthrough's code blocks are checked by
tests/config/test_fourth_kind.py."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.urls import Resolver404, resolve

from tests.import_graph import project_graph

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
# Where a bare file name in the text is looked for: the folder its row or sentence is
# about (config's files, the reading group's, templates, the walkthrough's app).
FOLDERS = ("", "config", "templates", "papers", "blog", "readinggroup", "tests/podcasts")
PACKAGES = ("papers", "blog", "readinggroup", "config", "tests")
# Backticked words that name no file and no code of the project, and why.
NOT_CODE = {
    "EXISTS": "SQL",
    "ast": "the standard library's module",
    "import": "the Python statement",
    "make bench": "a Makefile target, checked below",
    "podcasts": "the walkthrough's imagined app (tests/podcasts is it)",
    "episodes": "the walkthrough kind's key (tests/podcasts/apps.py)",
    "podcasts:episode_detail": "the walkthrough app's URL name (tests/podcasts/urls.py)",
    "search.reindex": "a job kind's name (papers.content.reindex.REINDEX), checked below",
    "a ──► b": "the diagrams' notation",
    "papers.*": "the diagrams' notation for the paper domain (under(), below)",
    "a": "the diagrams' notation",
    "b": "the diagrams' notation",
}


def prose():
    """The document without its fenced code blocks."""
    return re.sub(r"```.*?```", "", DOC.read_text(), flags=re.S)


def spans():
    return sorted(set(re.findall(r"`([^`\n]+)`", prose())))


def project_files(pattern):
    for package in (*PACKAGES, "bench", "templates"):
        yield from (ROOT / package).glob(pattern)


def code_names():
    """Every name the project's Python code defines or uses (not its comments): names,
    attributes, definitions, arguments, imports, and strings that are one word."""
    names = set()
    for path in project_files("**/*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            match node:
                case ast.Name(id=name) | ast.Attribute(attr=name) | ast.arg(arg=name):
                    names.add(name)
                case ast.FunctionDef(name=name) | ast.ClassDef(name=name):
                    names.add(name)
                case ast.keyword(arg=str(name)):
                    names.add(name)
                case ast.alias(name=name, asname=asname):
                    names.update(name.split("."), [asname])
                case ast.Constant(value=str(text)) if re.fullmatch(r"\w+", text):
                    names.add(text)
    return names


def template_text():
    return "\n".join(path.read_text() for path in project_files("**/*.html"))


def imports_as_object(dotted):
    """A dotted name of the project: a module, or a module's attribute."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            value = getattr(value, name)
        return value
    raise ModuleNotFoundError(dotted)


def problem(span, names, templates):
    """Why ``span`` names nothing that exists, or None."""
    if span in NOT_CODE:
        return None
    if span.startswith("/"):
        try:
            resolve(span)
        except Resolver404:
            return "no such URL"
        return None
    if span.startswith("manage.py "):
        command = span.split()[1]
        return None if command in get_commands() else "no such command"
    if span.startswith("{"):
        tag = re.match(r"\{[%{]\s*(\w+(?:\.\w+)?)", span).group(1)
        return None if re.search(rf"[{{%]\s*{tag}\b", templates) else "no template uses it"
    if "/" in span or span.endswith((".py", ".html")) or span in PACKAGES:
        found = any((ROOT / folder / span).exists() for folder in FOLDERS)
        return None if found else "no such file or folder"
    name = re.sub(r"\(.*\)$", "", span)  # a call: its callable
    if name.split(".")[0] in PACKAGES and "." in name:
        try:
            imports_as_object(name)
        except (ModuleNotFoundError, AttributeError) as error:
            return f"does not import: {error}"
        return None
    if name in get_commands():
        return None
    words = re.findall(r"\w+", name)
    missing = [word for word in words if word not in names]
    return f"not in the code: {missing}" if missing else None


def test_every_backticked_name_in_the_architecture_page_exists():
    names, templates = code_names(), template_text()
    found = spans()
    assert len(found) > 150  # the page's names are read
    problems = {span: why for span in found if (why := problem(span, names, templates))}
    assert problems == {}


def test_the_site_wide_commands_listed_are_the_commands_in_their_folder():
    row = next(line for line in prose().splitlines() if line.startswith("| site-wide commands"))
    listed = set(re.findall(r"`(\w+)`", row.split("|")[1]))
    folder = ROOT / "papers" / "site" / "management" / "commands"
    assert listed == {path.stem for path in folder.glob("*.py")} - {"__init__"}


def test_the_words_that_name_no_code_are_in_the_page_and_what_they_say():
    found = set(spans())
    assert set(NOT_CODE) <= found
    assert "bench:" in (ROOT / "Makefile").read_text()
    assert importlib.import_module("papers.content.reindex").REINDEX == "search.reindex"


@pytest.mark.parametrize(
    ("span", "why"),
    [
        ("papers/site/nothing.py", "no such file or folder"),
        ("papers.site.cache.no_such_thing", "does not import"),
        ("papers.no_such_module", "does not import"),
        ("no_such_helper()", "not in the code"),
        ("/no-such-page/", "no such URL"),
        ("manage.py no_such_command", "no such command"),
    ],
)
def test_a_stale_name_is_reported(span, why):
    assert problem(span, {"helper"}, "{% querystring %}").startswith(why)


def diagram_edges():
    """``(source, target)`` of every ``a ──► b`` in the page's diagrams (``a, b`` lists
    several; a line opening with ``└──►`` continues from the name above its corner)."""
    found = []
    for block in re.findall(r"```\n(.*?)```", DOC.read_text(), re.S):
        lines = block.splitlines()
        for number, line in enumerate(lines):
            if "►" not in line:
                continue
            chain = re.split(r"\s*[─└]+►\s*", line)
            if line.lstrip().startswith("└"):
                corner = line.index("└")
                above = lines[number - 1]
                start = above.rfind(" ", 0, corner) + 1
                chain[0] = re.match(r"[\w.*]+", above[start:]).group(0)
            names = [
                re.findall(r"[\w.*]+(?:\.\w+)*", re.sub(r"\(.*?\)", "", part)) for part in chain
            ]
            for sources, targets in zip(names, names[1:], strict=False):
                found += [(a, b) for a in sources for b in targets]
    return found


def module_edge(graph, source, target):
    """Some module of ``source`` (a module, or a package: ``papers``, ``papers.*``) imports
    ``target`` or a module under it."""
    source = source.removesuffix(".*")
    return any(
        (module == source or module.startswith(f"{source}."))
        and any(name == target or name.startswith(f"{target}.") for name in imported)
        for module, imported in graph.items()
    )


def test_every_arrow_of_the_diagrams_is_an_import_of_the_code():
    edges = diagram_edges()
    assert ("readinggroup.models", "readinggroup.members") in edges  # the └──► branch
    assert ("config", "readinggroup") in edges
    assert len(edges) >= 12
    graph = project_graph()
    assert [edge for edge in edges if not module_edge(graph, *edge)] == []


def under(module, name):
    """``module`` is ``name`` or inside it; ``papers.*`` is the paper domain (not
    ``papers.content``, ``papers.site`` or ``papers.jobs``: the diagram names them)."""
    if name == "papers.*":
        return module.startswith("papers.") and not module.startswith(
            ("papers.content", "papers.site", "papers.jobs")
        )
    return module == name or module.startswith(f"{name}.")


def test_no_arrow_of_the_diagrams_is_also_imported_the_other_way_round():
    """Beyond cycles: no module under an arrow's head imports one under its tail, except
    papers/site's commands (the page says they drive everything)."""
    graph = project_graph()
    backwards = [
        (module, imported)
        for tail, head in diagram_edges()
        for module, imports in graph.items()
        if under(module, head) and not module.startswith("papers.site.management.")
        for imported in imports
        if under(imported, tail)
    ]
    assert backwards == []
