"""``manage.py import_notes FILE``: papers from a Markdown or org-mode notes document.

``FILE`` may also be a folder or a ``.zip`` (a whole notes repository, with its reports
and reading-group sessions: ``papers/intake/repository.py``), or an index file that links
local pages, imported with those pages and the files they show.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.intake.commands import (
    add_import_arguments,
    batch_options,
    terminal_progress,
    write_report,
)
from papers.intake.notes.citations import CompanionBibError, companion_bib, load_bib
from papers.intake.notes.importer import (
    FORMATS,
    NotesInputError,
    detect_format,
    import_notes_text,
    read_notes_bytes,
)
from papers.intake.repository import RepositoryError, has_local_pages, import_repository
from papers.intake.saving import OnExisting


class Command(BaseCommand):
    help = (
        "Turn a notes document into papers: every entry that links a paper becomes a draft "
        "with its title, link, arXiv id/DOI, date, authors, alias, section tag, notes and "
        "local images. Running it again creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A notes file, a folder or a .zip of one.")
        parser.add_argument("--format", choices=FORMATS, default="auto")
        parser.add_argument(
            "--images-dir",
            type=Path,
            help="Folder that image paths are relative to (default: the file's folder).",
        )
        parser.add_argument(
            "--bib",
            type=Path,
            help="BibTeX file that org-ref cite:key entries resolve against (default: the "
            ".bib beside the notes file, when they cite anything).",
        )
        parser.add_argument(
            "--lookup",
            action="store_true",
            help="Fetch entries that link a paper but give no title or date from arXiv/"
            "Crossref (needs the network).",
        )
        parser.add_argument(
            "--repository-pdfs",
            action="store_true",
            help="A PDF stored in a code repository (github.com/…/blob/….pdf) and titled as "
            "a paper is the paper. Default: such entries are listed as skipped, because "
            "lists store slides and talks the same way.",
        )
        add_import_arguments(parser, existing_default=OnExisting.FILL)
        parser.add_argument(
            "--strict",
            action="store_true",
            help="For a folder, .zip or index file (which import every valid entry by "
            "default): save nothing if any entry has an error.",
        )

    def handle(self, *args, **options):
        path = options["file"]
        if path.is_dir() or path.suffix.lower() == ".zip":
            return self.handle_repository(path, options)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            text = read_notes_bytes(data)
        except NotesInputError as error:
            raise CommandError(f"{path}: {error}") from None
        if has_local_pages(path, text):
            # An index of local pages (a blog's README): its pages, images and slides
            # come in with it, and its report and session sections too.
            return self.handle_repository(path, options)
        fmt = options["format"]
        if fmt == "auto":
            fmt = detect_format(path, text)
        base_dir = options["images_dir"] or path.resolve().parent
        bib_path = options["bib"]
        if bib_path is None and re.search(r"\bcite[pt]?:", text, re.I):
            bib_path = companion_bib(path)
        try:
            bib = load_bib(bib_path) if bib_path else None
        except CompanionBibError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        with terminal_progress(self.stderr) as progress:
            report, parsed = import_notes_text(
                text,
                fmt,
                base_dir,
                bib=bib,
                lookup=options["lookup"],
                repository_pdfs=options["repository_pdfs"],
                progress=progress,
                **batch_options(options),
            )
        if not report.outcomes and not report.problems:
            raise CommandError(
                f"{path}: no entry linking a paper was found ({fmt}). Is it the right file, "
                "or the right --format?"
            )
        heading = (
            f"{path.name} ({fmt}): {parsed.mentions} paper mentions → "
            f"{len(parsed.records)} papers, {len(parsed.skipped)} entries skipped"
        )
        write_report(self, report, heading)

    def handle_repository(self, path, options):
        """A folder or .zip: every valid entry is imported unless ``--strict``."""
        try:
            with terminal_progress(self.stderr) as progress:
                report, found = import_repository(
                    path,
                    progress=progress,
                    repository_pdfs=options["repository_pdfs"],
                    **batch_options(options, lenient=True),
                )
        except RepositoryError as error:
            raise CommandError(f"{path}: {error}") from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        heading = (
            f"{path.name}: {len(found.indexes)} index files, {len(found.notes)} notes files, "
            f"{len(found.attached)} linked pages, {len(found.libraries)} .bib files"
        )
        write_report(self, report, heading, lenient=True)
