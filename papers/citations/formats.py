"""Every export format in one table: what the public lists (``?format=``), the per-paper
addresses, the admin and ``manage.py export_citations`` offer."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from papers.bibtex import papers_to_bibtex
from papers.citations.csl import papers_to_csljson
from papers.citations.ris import papers_to_ris


@dataclass(frozen=True)
class Format:
    name: str  # the ?format= value and the command's --format
    label: str
    suffix: str  # file name suffix, per paper: <slug><suffix>
    content_type: str
    write: Callable  # write(papers, full=False) -> str


def _biblatex(papers, full=False):
    return papers_to_bibtex(papers, full=full, dialect="biblatex")


FORMATS = {
    fmt.name: fmt
    for fmt in [
        Format("bibtex", "BibTeX", ".bib", "application/x-bibtex", papers_to_bibtex),
        Format("biblatex", "BibLaTeX", ".biblatex.bib", "application/x-bibtex", _biblatex),
        Format("ris", "RIS", ".ris", "application/x-research-info-systems", papers_to_ris),
        Format("csljson", "CSL-JSON", ".csl.json", "application/vnd.citationstyles.csl+json",
               papers_to_csljson),
    ]
}  # fmt: skip


def download(papers, name, stem="papers", full=False, attachment=True):
    """``papers`` in format ``name`` as a response, a file download unless not ``attachment``."""
    fmt = FORMATS[name]
    response = HttpResponse(
        fmt.write(papers, full=full), content_type=f"{fmt.content_type}; charset=utf-8"
    )
    if attachment:
        # Slugs may be Unicode: the header gets an RFC 6266 filename* then.
        response["Content-Disposition"] = content_disposition_header(True, stem + fmt.suffix)
    return response
