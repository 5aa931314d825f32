"""``manage.py import_citations FILE``: ``import_bibtex`` under the name RIS and CSL-JSON
users look for (one implementation)."""

from papers.management.commands.import_bibtex import Command  # noqa: F401
