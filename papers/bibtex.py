"""BibTeX out: one entry per paper, LaTeX-encoded (import lives in ``papers.intake``)."""

import re
import unicodedata

import bibtexparser
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Entry, Field

from papers.intake import latex
from papers.venues import Kind

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are"}
# Identifiers and addresses are written as they are: LaTeX escapes would corrupt them.
_VERBATIM = {"eprint", "archiveprefix", "doi", "url", "pdf"}
# Written whole by ``_links_field`` / ``_figures_field`` (their parts are encoded there).
_PREPARED = {"links", "figures"}


# Per venue kind: the BibTeX entry type, the BibTeX field naming the venue, and the
# Google Scholar meta tag naming it (None: Scholar has none for that kind).
_KIND_FORMS = {
    Kind.CONFERENCE: ("inproceedings", "booktitle", "citation_conference_title"),
    Kind.WORKSHOP: ("inproceedings", "booktitle", "citation_conference_title"),
    Kind.JOURNAL: ("article", "journal", "citation_journal_title"),
    Kind.PREPRINT: ("misc", "howpublished", None),
    Kind.BOOK: ("incollection", "booktitle", "citation_inbook_title"),
}
_NO_VENUE = ("misc", None, None)


def venue_forms(paper):
    """``(entry type, BibTeX venue field, citation_* meta name)`` from the stored kind of
    the paper's venue: the one place a venue kind becomes a citation format."""
    venue = paper.published_in if paper.published_in_id else None
    return _KIND_FORMS.get(venue.kind, _NO_VENUE) if venue else _NO_VENUE


def entry_type(paper):
    """``inproceedings``, ``article``, ``misc``… for the paper's venue kind."""
    return venue_forms(paper)[0]


def venue_text(paper):
    """The venue as citations write it: as the editor wrote it, else the venue's name."""
    if paper.venue:
        return paper.venue
    return paper.published_in.name if paper.published_in_id else ""


def _ascii_word(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def citation_key(paper, authors):
    """``vaswani2017attention``: first author's family name, year, first real title word."""
    family = _ascii_word(authors[0].name.split()[-1]).lower() if authors else ""
    words = [_ascii_word(word).lower() for word in paper.title.split()]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    return f"{family or 'paper'}{paper.year}{word}"


def _braces_safe(url):
    # A brace in a URL would unbalance the BibTeX value; percent-encoding means the same.
    return url.replace("{", "%7B").replace("}", "%7D")


def _links_field(paper):
    """One typed link per line: ``kind url label`` (read back by the BibTeX import)."""
    return "\n".join(
        " ".join(
            part
            for part in (
                link.kind,
                _braces_safe(link.url).replace(" ", "%20"),
                latex.encode(link.label),
            )
            if part
        )
        for link in paper.links.all()
    )


def _figures_field(paper):
    """One figure per line: ``media-path | caption | credit``; the media path is relative
    to the media folder (``manage.py export`` copies it beside ``papers.bib``)."""
    lines = []
    for figure in paper.figures.all():
        caption, credit = (
            latex.encode(v).replace("|", r"\textbar{}") for v in (figure.caption, figure.credit)
        )
        lines.append(" | ".join([figure.image.name, caption, credit]).rstrip(" |"))
    return "\n".join(lines)


def paper_entry(paper, authors=None, full=False):
    """A bibtexparser ``Entry`` for ``paper``; ``authors`` defaults to its byline.

    ``full`` adds every field Papershelf stores (alias, affiliations, PDF, abstract, tags,
    notes) so that exporting and importing again loses nothing; citations leave them out.
    """
    authors = paper.ordered_authors() if authors is None else authors
    fields = [("title", paper.title)]
    if authors:
        fields.append(("author", " and ".join(author.name for author in authors)))
    fields.append(("year", str(paper.year)))
    if paper.month:
        fields.append(("month", _MONTHS[paper.month - 1]))
    entry_kind, venue_field, _ = venue_forms(paper)
    if venue_field and venue_text(paper):
        fields.append((venue_field, venue_text(paper)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", paper.doi))
    url = paper.url if full else paper.main_url
    if url:
        fields.append(("url", url))
    if full:
        tags = ", ".join(sorted(tag.name for tag in paper.tags.all()))
        fields += [
            (name, value)
            for name, value in [
                ("shorthand", paper.alias),
                ("affiliation", paper.affiliations),
                ("pdf", paper.pdf_url),
                ("abstract", paper.abstract),
                ("keywords", tags),
                ("annote", paper.notes),
                ("links", _links_field(paper)),
                ("figures", _figures_field(paper)),
            ]
            if value
        ]
    encoded = []
    for key, value in fields:
        if key in _VERBATIM:
            value = _braces_safe(value)
        elif key not in _PREPARED:
            # Titles are plain text: a "$" in one is a dollar sign, not math.
            value = latex.encode(value, keep_math=key != "title")
        encoded.append(Field(key, value))
    return Entry(entry_kind, citation_key(paper, authors), encoded)


def papers_to_bibtex(papers, full=False):
    """Serialise papers (with their bylines prefetched) to one BibTeX string."""
    library = bibtexparser.Library()
    seen = {}
    for paper in papers:
        entry = paper_entry(paper, full=full)
        # Two papers can share a key (same author, year and word): suffix b, c…
        count = seen.get(entry.key, 0)
        seen[entry.key] = count + 1
        if count:
            entry.key = (
                f"{entry.key}{chr(ord('a') + count)}" if count < 26 else f"{entry.key}-{count}"
            )
        library.add(entry)
    stack = [
        AddEnclosingMiddleware(
            reuse_previous_enclosing=False, enclose_integers=False, default_enclosing="{"
        ),
    ]
    return bibtexparser.write_string(library, unparse_stack=stack)
