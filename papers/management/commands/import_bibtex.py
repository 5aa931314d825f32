"""``manage.py import_bibtex FILE``: papers from a library file — BibTeX (.bib), RIS (.ris) or
CSL-JSON (.json), by its suffix or ``--format``; ``--strict``: all or nothing.
``import_citations`` is the same command under a name that says so."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.intake.batch import ImportReport, run_batch
from papers.intake.bibtex_import import BibtexInputError, read_bibtex_bytes
from papers.intake.commands import (
    add_import_arguments,
    batch_options,
    terminal_progress,
    write_report,
)
from papers.intake.library_import import LABELS, LIBRARY_SUFFIXES, CslJsonError, parse_library
from papers.intake.saving import OnExisting


class Command(BaseCommand):
    help = (
        "Import papers from a BibTeX (.bib, LaTeX accents decoded), RIS (.ris) or CSL-JSON "
        "(.json) file, as Zotero, Mendeley or EndNote export them. Every valid entry is "
        "imported and every refused one reported with its line and reason (exit status 1 "
        "only when nothing could be imported); --strict saves nothing if any entry is "
        "invalid. Papers already in the database are matched by arXiv id, DOI or title and "
        "year."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=sorted(LABELS),
            help="The file's format (default: from its suffix: .bib, .ris, .json).",
        )
        parser.add_argument("--encoding", default="utf-8", help="Default: utf-8.")
        parser.add_argument(
            "--max-mb", type=int, default=8, help="Refuse larger files (default: 8 MB)."
        )
        add_import_arguments(parser, existing_default=OnExisting.FILL, lenient=True)

    def handle(self, *args, **options):
        path = options["file"]
        fmt = options["format"] or LIBRARY_SUFFIXES.get(path.suffix.lower(), "bibtex")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        warnings = []
        try:
            text = read_bibtex_bytes(
                data,
                encoding=options["encoding"],
                max_bytes=options["max_mb"] * 2**20,
                what=LABELS[fmt],
            )
            items = parse_library(fmt, text, base_dir=path.resolve().parent, warnings=warnings)
        except (BibtexInputError, CslJsonError) as error:
            raise CommandError(f"{path}: {error}") from None
        if not items:
            raise CommandError(f"{path}: no {LABELS[fmt]} entries found.")
        with terminal_progress(self.stderr) as progress:
            report = run_batch(
                items,
                report=ImportReport(notes=warnings),
                progress=progress,
                **batch_options(options, lenient=True),
            )
        write_report(self, report, f"{path.name}: {len(items)} entries", lenient=True)
