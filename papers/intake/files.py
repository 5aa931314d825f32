"""One uploaded file, whatever it is: a library (.bib, .ris, CSL-JSON .json), a notes file,
or a .zip of a notes repository.

The admin's import page previews with ``dry_run=True`` and then imports the same bytes
for real; both go through ``import_file``, so the preview is exactly what will happen.
"""

import io
from pathlib import PurePath

from papers.intake.batch import ImportReport, run_batch
from papers.intake.bibtex_import import BibtexInputError, read_bibtex_bytes
from papers.intake.library_import import (
    LABELS,
    LIBRARY_SUFFIXES,
    CslJsonError,
    parse_library,
)
from papers.intake.notes.reading import (
    NOTES_SUFFIXES,
    NotesInputError,
    detect_format,
    read_notes_bytes,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a .zip of a notes repository with its images
SUFFIXES = (*LIBRARY_SUFFIXES, ".zip", *sorted(NOTES_SUFFIXES))


class FileImportError(ValueError):
    """The file as a whole cannot be imported; the message says why."""


def kind_of(name):
    """``bibtex``, ``ris``, ``csljson`` (libraries), ``repository`` or ``notes``."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix in LIBRARY_SUFFIXES:
        return LIBRARY_SUFFIXES[suffix]
    if suffix == ".zip":
        return "repository"
    if suffix in NOTES_SUFFIXES:
        return "notes"
    raise FileImportError(
        "Upload a library (BibTeX .bib, RIS .ris, CSL-JSON .json), notes "
        f"({', '.join(sorted(NOTES_SUFFIXES))}) or a .zip file."
    )


def import_file(name, data, *, user=None, repository_pdfs=False, **options):
    """Import the file ``name`` holding ``data``; ``options`` go to ``run_batch``.

    Local files named by a single notes file are not read (an upload has no folder);
    a .zip brings its own. Raises ``FileImportError`` for a file that cannot be read.
    ``repository_pdfs`` (notes and .zip): PDFs stored in a code repository are papers.
    """
    # The notes importer is imported here, not at the top: this module is loaded by every
    # process (the admin imports the intake jobs), and the importer brings the Markdown,
    # org-mode and YAML parsers (0.3-0.4 s of CPU) that only an import uses.
    from papers.intake.notes.importer import import_notes_text
    from papers.intake.repository import RepositoryError, import_repository

    kind = kind_of(name)
    try:
        if kind in LABELS:
            warnings = []
            text = read_bibtex_bytes(data, what=LABELS[kind])
            progress = options.get("progress")

            def on_read(count):
                progress(message=f"Reading {name}: {count:,} entries read")

            items = parse_library(
                kind, text, warnings=warnings, on_read=on_read if progress else None
            )
            if not items:
                raise FileImportError(f"No {LABELS[kind]} entries were found in this file.")
            return run_batch(items, report=ImportReport(notes=warnings), **options)
        if kind == "notes":
            text = read_notes_bytes(data)
            report, _parsed = import_notes_text(
                text, detect_format(name, text), None, repository_pdfs=repository_pdfs, **options
            )
            if not report.outcomes and not report.problems:
                raise FileImportError("No entry linking a paper was found in this file.")
            return report
        report, _scan = import_repository(
            io.BytesIO(data), user=user, repository_pdfs=repository_pdfs, **options
        )
        return report
    except (BibtexInputError, CslJsonError, NotesInputError, RepositoryError) as error:
        raise FileImportError(str(error)) from None
