"""``manage.py export_citations [FILE] --format ris``: ``export_bibtex`` under the name the
other formats look for (one implementation)."""

from papers.management.commands.export_bibtex import Command as ExportCommand


class Command(ExportCommand):
    help = "Write every paper as BibTeX, BibLaTeX, RIS or CSL-JSON (--format). " + (
        "Default: stdout."
    )
