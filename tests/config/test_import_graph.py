"""The project's modules import one way (docs/ARCHITECTURE.md, "The one-way dependencies"),
checked on the import graph of every Python file of the project, read with ``ast``
(tests/import_graph.py: imports inside functions counted, package ``__init__`` files
counted as what ``import a.b.c`` executes).

No cycle is allowed, none is excused: the house breaks them with registries filled in
``AppConfig.ready()``, signals, or by moving code to the module that owns it (the facet
counts' model is in papers/models.py so that models.py does not import papers/counts.py
back; papers/intake/notes/__init__.py imports nothing, the importer is
papers/intake/notes/importer.py, so the package's modules do not import a package that
imports them)."""

from tests.import_graph import cycles, import_graph, imports_of, project_graph, project_modules

APPS = ("papers", "blog", "readinggroup", "config")


def top(module):
    return module.split(".")[0]


def edges(graph, source=lambda module: True, target=lambda module: True):
    return sorted(
        (module, imported)
        for module, imported_modules in graph.items()
        if source(module)
        for imported in imported_modules
        if target(imported)
    )


def test_the_graph_reads_every_app_and_imports_inside_functions():
    graph = project_graph()
    assert {top(module) for module in graph} >= {*APPS, "tests", "bench"}
    assert "papers.site.cache" in graph["papers.apps"]  # imported inside ready()
    assert "readinggroup.slides_queue" in graph["readinggroup.models"]
    assert "papers.models" in graph["papers.counts"]


def test_no_module_of_the_project_imports_itself_back_through_others():
    assert cycles(project_graph()) == []


def test_papers_imports_nothing_from_the_apps_above_it():
    graph = project_graph()
    above = {"blog", "readinggroup", "config"}
    assert edges(graph, lambda m: top(m) == "papers", lambda m: top(m) in above) == []


def test_blog_and_the_reading_group_do_not_import_each_other():
    graph = project_graph()
    assert edges(graph, lambda m: top(m) == "blog", lambda m: top(m) == "readinggroup") == []
    assert edges(graph, lambda m: top(m) == "readinggroup", lambda m: top(m) == "blog") == []


def test_in_config_only_the_home_page_imports_blog_or_the_reading_group():
    """Everything else in config/ reaches the other kinds through the registry of kinds."""
    graph = project_graph()
    naming = edges(
        graph, lambda m: top(m) == "config", lambda m: top(m) in ("blog", "readinggroup")
    )
    assert {module for module, _ in naming} == {"config.views"}


def test_site_wide_library_modules_use_only_the_sites_identity_and_tags_of_the_domain():
    """papers/site/ is machinery for every app; its commands (backup, demo data) may drive
    the domain, its library modules may read only the site's identity and the tag limit."""
    graph = project_graph()
    allowed = {"papers", "papers.identity", "papers.tagging"}
    library = edges(
        graph,
        lambda m: m.startswith("papers.site.") and ".management." not in m,
        lambda m: top(m) == "papers" and not m.startswith("papers.site") and m not in allowed,
    )
    assert library == []


def test_the_renderer_and_the_references_signal_import_no_model():
    graph = project_graph()
    for module in ("papers.site.markdown", "papers.signals"):
        assert not any(name.endswith((".models", ".members")) for name in graph[module]), module


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    package = tmp_path / "readinggroup"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from readinggroup.members import Member\n")
    (package / "members.py").write_text("def f():\n    from readinggroup.models import X\n")
    graph = import_graph(project_modules(tmp_path, ("readinggroup",), ()))
    assert cycles(graph) == [
        ["readinggroup.members", "readinggroup.models", "readinggroup.members"]
    ]


def test_a_package_whose_init_imports_a_module_that_imports_the_package_is_a_cycle(tmp_path):
    """What papers/intake/notes was: ``__init__`` imported ``citations``, which imported
    ``meta`` from the package, so importing ``citations`` ran the whole importer first."""
    notes = tmp_path / "papers" / "notes"
    notes.mkdir(parents=True)
    (tmp_path / "papers" / "__init__.py").write_text("")
    (notes / "__init__.py").write_text("from .citations import load_bib\n")
    (notes / "citations.py").write_text("from papers.notes import meta\n")
    (notes / "meta.py").write_text("import re\n")
    graph = import_graph(project_modules(tmp_path, ("papers",), ()))
    assert graph["papers.notes.citations"] == {"papers", "papers.notes", "papers.notes.meta"}
    assert cycles(graph) == [["papers.notes", "papers.notes.citations", "papers.notes"]]


def test_relative_imports_resolve_against_the_importing_package(tmp_path):
    package = tmp_path / "blog"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "feeds.py").write_text("from . import models\nfrom .models import Report\n")
    (package / "models.py").write_text("")
    names = imports_of("blog.feeds", package / "feeds.py", False)
    assert {"blog", "blog.models", "blog.models.Report"} <= names
