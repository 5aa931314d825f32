"""BibTeX and BibLaTeX out: one entry per paper, LaTeX-encoded (import lives in
``papers.intake``). Months are written as the standard macros (``month = jun``), so styles
print the month's name; capitals a style must keep (``{LoRA}``) are braced."""

import re
import unicodedata

from papers.citations.kinds import BOOK, CONFERENCE, JOURNAL, PREPRINT, WORKSHOP, entry_type
from papers.citations.names import split_name
from papers.intake import latex

# bibtexparser (and the pylatexenc it brings) is imported where an entry is written: every
# process imports this module (the admin, the paper page), few of them write BibTeX.

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are"}
# Identifiers and addresses are written as they are: LaTeX escapes would corrupt them.
_VERBATIM = {"eprint", "archiveprefix", "eprinttype", "doi", "url", "pdf"}
# What pylatexenc (papers.intake.latex.encode) may change in ASCII text: its specials,
# the pairs TeX would join (-- `` ''), an @ that could start a line; anything not ASCII.
_NEEDS_LATEX = re.compile(r"""[^\x00-\x7f]|["#$%&<>\\^_{}~@]|--|``|''""")


def encode(text, keep_math=True):
    """``latex.encode`` with a fast path: most titles, names and venues are plain ASCII,
    which it returns unchanged (pylatexenc took 11 of the 30 s of a 5,000-paper export)."""
    if not _NEEDS_LATEX.search(text or ""):
        return text or ""
    return latex.encode(text, keep_math=keep_math)


# Written whole by ``_bibtex_name``, ``_links_field``, ``_figures_field`` (parts encoded there).
_PREPARED = {"links", "figures", "author"}


# The entry type per kind of publication (``papers.citations.kinds``), in each dialect.
_ENTRY_TYPES = {
    "bibtex": {CONFERENCE: "inproceedings", WORKSHOP: "inproceedings", JOURNAL: "article",
               BOOK: "book", PREPRINT: "misc"},
    "biblatex": {CONFERENCE: "inproceedings", WORKSHOP: "inproceedings", JOURNAL: "article",
                 BOOK: "book", PREPRINT: "online"},
}  # fmt: skip
# Where the venue goes for each entry type (a preprint's venue is its server).
_VENUE_FIELDS = {
    "bibtex": {"inproceedings": "booktitle", "article": "journal", "book": "publisher"},
    "biblatex": {"inproceedings": "booktitle", "article": "journaltitle", "book": "publisher"},
}
# A word with a capital after its first letter (LoRA, ImageNet, GPT, BERTology): styles
# that lower-case titles must leave it alone, so it is braced. Title-case words are not.
_WORD = re.compile(r"[^\W_]+")


def _needs_protection(word):
    return any(char.isupper() for char in word[1:])


def protected_title(title):
    """The title LaTeX-encoded (a ``$`` is a dollar sign), its acronyms in braces."""
    out, end = [], 0
    for match in _WORD.finditer(title):
        if _needs_protection(match.group()):
            out.append(encode(title[end : match.start()], keep_math=False))
            out.append("{" + encode(match.group(), keep_math=False) + "}")
            end = match.end()
    out.append(encode(title[end:], keep_math=False))
    return "".join(out)


def _bibtex_name(name):
    """A byline name as BibTeX reads it back: ``King, Jr, Martin Luther`` for a suffix, a
    name with the word "and" in braces; LaTeX-encoded."""
    parts = split_name(name)
    if parts.suffix and parts.given:
        return ", ".join(encode(part) for part in
                         (parts.family_with_particle, parts.suffix, parts.given))  # fmt: skip
    if re.search(r"\band\b", name, re.I):
        return "{" + encode(name) + "}"
    return encode(name)


def venue_text(paper):
    """The venue as citations write it: as the editor wrote it, else the venue's name."""
    if paper.venue:
        return paper.venue
    return paper.published_in.name if paper.published_in_id else ""


def bibtex_entry_type(paper, dialect="bibtex"):
    """``inproceedings``, ``article``, ``misc``… for the paper's kind of publication."""
    return _ENTRY_TYPES[dialect].get(entry_type(paper), "misc")


def _ascii_word(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def citation_key(paper, authors):
    """``vaswani2017attention``: first author's family name, year, first real title word."""
    family = _ascii_word(authors[0].name.split()[-1]).lower() if authors else ""
    words = [_ascii_word(word).lower() for word in paper.title.split()]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    return f"{family or 'paper'}{paper.year or ''}{word}"


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
                encode(link.label),
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
            encode(v).replace("|", r"\textbar{}") for v in (figure.caption, figure.credit)
        )
        lines.append(" | ".join([figure.image.name, caption, credit]).rstrip(" |"))
    return "\n".join(lines)


def paper_entry(paper, authors=None, full=False, dialect="bibtex"):
    """A bibtexparser ``Entry`` for ``paper``; ``authors`` defaults to its byline.

    ``full`` adds every field Papershelf stores (alias, affiliations, PDF, abstract, tags,
    notes) so that exporting and importing again loses nothing; citations leave them out.
    ``dialect`` is ``bibtex`` or ``biblatex`` (``date``, ``journaltitle``, ``eprinttype``).
    """
    from bibtexparser.model import Entry, Field

    authors = paper.ordered_authors() if authors is None else authors
    bibtex_type = bibtex_entry_type(paper, dialect)
    biblatex = dialect == "biblatex"
    fields = [("title", paper.title)]
    if authors:
        fields.append(("author", " and ".join(_bibtex_name(author.name) for author in authors)))
    if paper.year is None:
        pass  # the year is unknown: no field, rather than an invented one
    elif biblatex:
        fields.append(("date", paper.date_iso))
    else:
        fields.append(("year", str(paper.year)))
        if paper.month:
            fields.append(("month", _MONTHS[paper.month - 1]))
    if venue_text(paper):
        venue_field = _VENUE_FIELDS[dialect].get(bibtex_type)
        # A preprint or misc entry has no venue field of its own: howpublished.
        fields.append((venue_field or "howpublished", venue_text(paper)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id)]
        fields += [("eprinttype", "arxiv")] if biblatex else [("archiveprefix", "arXiv")]
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
        if key == "month":
            # The standard macro, unbraced: styles print "June", not "jun".
            encoded.append(Field(key, value, enclosing="no-enclosing"))
            continue
        if key == "title":
            value = protected_title(value)
        elif key in _VERBATIM:
            value = _braces_safe(value)
        elif key not in _PREPARED:
            value = encode(value)
        encoded.append(Field(key, value))
    return Entry(bibtex_type, citation_key(paper, authors), encoded)


def papers_to_bibtex(papers, full=False, dialect="bibtex"):
    """Serialise papers (with their bylines prefetched) to one BibTeX (or BibLaTeX) string."""
    import bibtexparser
    from bibtexparser.middlewares import AddEnclosingMiddleware

    library = bibtexparser.Library()
    seen = {}
    for paper in papers:
        entry = paper_entry(paper, full=full, dialect=dialect)
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
