"""Paper intake: arXiv/DOI lookup, BibTeX import, notes import, export and restore.

Every importer turns its input into ``PaperRecord`` objects (``records.py``) and hands
them to one writer (``saving.py``), which finds duplicates, validates with
``full_clean()`` and saves; so the rules for what a valid paper is live in one place.
"""
