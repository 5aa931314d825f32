"""Libraries from reference managers in: BibTeX, RIS and CSL-JSON, each file becoming
``PaperRecord``s or ``Problem``s with their line, written by the same ``run_batch`` as a
.bib, so preview, duplicates, report and leniency are the same for all three."""

from papers.intake.bibtex_import import parse_bibtex
from papers.intake.csljson_import import CslJsonError, parse_csljson
from papers.intake.ris_import import parse_ris

# File name suffix → format; every format is read by ``parse_library``.
LIBRARY_SUFFIXES = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}
LABELS = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON"}
__all__ = ["LABELS", "LIBRARY_SUFFIXES", "CslJsonError", "parse_library"]


def parse_library(fmt, text, base_dir=None, where_prefix="", warnings=None, on_read=None):
    """``text`` in format ``fmt`` (``bibtex``, ``ris``, ``csljson``) → records and problems;
    ``on_read(count)`` hears of each entry read (``batch.EntriesRead``)."""
    if fmt == "ris":
        return parse_ris(text, where_prefix, warnings, on_read=on_read)
    if fmt == "csljson":
        return parse_csljson(text, where_prefix, warnings, on_read=on_read)
    return parse_bibtex(
        text, base_dir=base_dir, where_prefix=where_prefix, warnings=warnings, on_read=on_read
    )
