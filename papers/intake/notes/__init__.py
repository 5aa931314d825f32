"""Notes documents (Markdown or org-mode) imported as papers: ``importer.py`` reads a file
and imports its entries.

This file imports nothing: every module of the package imports the modules it needs,
so importing one of them (``hosts.py``, say) loads only what it uses, and no module of
the package imports back a package that imports it (tests/config/test_import_graph.py).
"""
