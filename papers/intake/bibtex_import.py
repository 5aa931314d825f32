"""BibTeX in: bytes → checked text → bibtexparser 2 blocks → ``PaperRecord`` or ``Problem``.

Each malformed entry becomes a ``Problem`` naming its line; the writer (``saving.py``)
validates the rest exactly as the admin form would, through ``Paper.full_clean()``.
"""

import logging
import re
from contextlib import contextmanager
from pathlib import Path

from papers.identifiers import parse_arxiv_id
from papers.intake import latex
from papers.intake.batch import EntriesRead, Problem
from papers.intake.records import FigureRecord, LinkRecord, PaperRecord, parse_month
from papers.models import PaperLink

MAX_BIBTEX_BYTES = 8 * 1024 * 1024  # ~8,000 entries with abstracts
# Values that are identifiers or addresses: never LaTeX-decoded (``%`` is not a comment).
VERBATIM_FIELDS = {"url", "doi", "eprint", "arxivid", "pdf", "file", "archiveprefix"}
_URL_ESCAPES = re.compile(r"\\([_%&#~$])")
_GOOGLE_SCHOLAR_ARXIV = re.compile(r"^arxiv preprint arxiv:\s*(\S+)$", re.I)
_DBLP_CORR = re.compile(r"^abs/((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?")


class BibtexInputError(ValueError):
    """The file as a whole cannot be read (not text, not UTF-8, too large, empty)."""


def read_bibtex_bytes(data, encoding="utf-8", max_bytes=MAX_BIBTEX_BYTES, what="BibTeX"):
    """Decode an uploaded/read file, or raise ``BibtexInputError`` saying what is wrong.

    ``what`` names the format in messages (RIS and CSL-JSON files are read here too)."""
    if len(data) > max_bytes:
        raise BibtexInputError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes // 2**20} MB. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise BibtexInputError("The file is empty.")
    if b"\x00" in data[:8192]:
        raise BibtexInputError(f"This is a binary file, not {what} text.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BibtexInputError(
            f"The file is not {encoding.upper()} text: byte 0x{data[error.start]:02x} "
            f"at line {line}, column {column}. Save it as UTF-8 (or name its encoding)."
        ) from None
    except LookupError:
        raise BibtexInputError(f"“{encoding}” is not a known encoding.") from None
    return text.removeprefix("\ufeff").replace("\x00", "")


@contextmanager
def _quiet_bibtexparser():
    """bibtexparser logs each syntax error; they go into our report instead."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def parse_bibtex(text, base_dir=None, where_prefix="", warnings=None, on_read=None):
    """Every entry of ``text`` as a ``PaperRecord``, or a ``Problem`` with its line.

    ``base_dir`` is the folder the file's ``figures`` paths are relative to (our export
    writes them; no folder, no figures); ``where_prefix`` names the file in reports;
    ``(where, message)`` pairs worth telling (a figure not found) go to ``warnings``.
    """
    # Imported here: every process imports this module (the upload form's checks), few
    # parse BibTeX, and bibtexparser brings pylatexenc.
    import bibtexparser
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        ParsingFailedBlock,
    )

    warnings = [] if warnings is None else warnings
    with _quiet_bibtexparser():
        library = bibtexparser.parse_string(text)
    first_line = {}
    items = EntriesRead(on_read)
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        where = f"{where_prefix}line {line}"
        if isinstance(block, Entry):
            first_line.setdefault(block.key, line)
            items.append(entry_to_record(block, where, base_dir, warnings))
        elif isinstance(block, DuplicateBlockKeyBlock):
            first = first_line.get(block.key)
            items.append(
                Problem(
                    f"{where} ({block.key})",
                    f"the key “{block.key}” is used twice"
                    + (f" (first at line {first})" if first else "")
                    + "; keys must be unique.",
                )
            )
        elif isinstance(block, DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            key = getattr(block.ignore_error_block, "key", "?")
            items.append(
                Problem(
                    f"{where} ({key})",
                    f"the field(s) {fields} appear more than once in this entry.",
                )
            )
        elif isinstance(block, ParsingFailedBlock):
            message = str(block.error).split("\n")[-1].strip() or "syntax error"
            start = block.raw.strip().splitlines()[0][:60] if block.raw.strip() else ""
            items.append(Problem(where, f"cannot be read ({message}): {start}".replace("``", "“")))
    return items


def _value(fields, *names, verbatim=False, multiline=False):
    """The first non-empty of ``names`` in ``fields`` (lower-case keys), decoded."""
    for name in names:
        field = fields.get(name)
        if field is not None and str(field.value).strip():
            raw = str(field.value).strip()
            if verbatim:
                raw = _URL_ESCAPES.sub(r"\1", raw)
                match = re.fullmatch(r"\\url\{(.*)\}", raw, re.S)
                return (match.group(1) if match else raw).strip()
            return latex.decode(raw, multiline=multiline)
    return ""


def _authors(raw):
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    names = []
    for name in split_multiple_persons_names(raw):
        if name.strip().lower() in ("others", "et al", "et al."):
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        full = " ".join(parts.first + parts.von + parts.last)
        if parts.jr:
            full += ", " + " ".join(parts.jr)
        full = latex.decode(full)
        if full:
            names.append(full)
    return names


def _links(raw):
    """``links`` as our export writes it: one ``kind url label`` per line."""
    links = []
    for line in raw.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] in PaperLink.Kind.values:
            label = latex.decode(parts[2]) if len(parts) > 2 else ""
            links.append(LinkRecord(kind=parts[0], url=parts[1], label=label))
    return links


def _figures(raw, base_dir, where, warnings):
    """``figures`` as our export writes it: ``media-path | caption | credit`` per line.

    A path is looked for in ``base_dir`` and its ``media/`` folder, never outside them.
    """
    figures = []
    root = Path(base_dir).resolve() if base_dir else None
    for line in raw.splitlines():
        name, _, rest = line.partition(" | ")
        caption, _, credit = rest.partition(" | ")
        name = name.strip()
        if not name:
            continue
        found = None
        for folder in (root, root / "media") if root else ():
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                found = candidate
                break
        if found is None:
            warnings.append((where, f"figure {name[:80]} is not beside the file: not imported."))
            continue
        figures.append(
            FigureRecord(
                path=str(found), caption=latex.decode(caption), credit=latex.decode(credit)
            )
        )
    return figures


_NOT_YET = re.compile(
    r"^\W*(?:to\s+appear|forthcoming|in\s+press|accepted|submitted|under\s+review|n\.?\s*d\.?"
    r"|in\s+preparation|unpublished)\W*$",
    re.I,
)


def entry_to_record(entry, where, base_dir=None, warnings=None):
    """Map one BibTeX entry onto Papershelf's fields (``Problem`` if it cannot be)."""
    where = f"{where} ({entry.key})"
    record = PaperRecord(source=where)
    entry = {field.key.lower(): field for field in entry.fields}
    title = entry.get("title")
    # Titles are plain text on the site: their math becomes text ($<$ → <).
    record.title = latex.decode(str(title.value).strip(), math_as_text=True) if title else ""
    if not record.title:
        return Problem(where, "the entry has no title.")
    author_field = entry.get("author")
    if author_field is not None:
        record.authors = _authors(str(author_field.value))
    year = _value(entry, "year")
    date = _value(entry, "date")
    if year and _NOT_YET.match(year):
        # "to appear", "forthcoming", "in press": the library says the year is not known
        # yet: a paper of unknown year (never a guessed one), and the report says so.
        if warnings is not None:
            warnings.append((where, f"year unknown: the entry says “{year[:20]}”."))
    elif year:
        match = _YEAR.match(year)
        if not match:
            return Problem(where, f"the year “{year[:20]}” is not a year (write it as 2021).")
        record.year = int(match.group(1))
    elif date:
        match = _DATE.match(date)
        if not match:
            return Problem(where, f"the date “{date[:20]}” is not a date (write it as 2021-03).")
        record.year = int(match.group(1))
        record.month = parse_month(match.group(2)) if match.group(2) else None
    month = _value(entry, "month")
    if month:
        record.month = parse_month(month)
        if record.month is None:
            return Problem(where, f"the month “{month[:20]}” is not a month (write it as mar).")
    record.venue = _value(entry, "journal", "booktitle", "journaltitle", "series")
    if not record.venue:
        # Where our export (and others) put a preprint's or a book's venue; an address
        # in howpublished (\url{…}) is a link, not a venue.
        other = _value(entry, "howpublished", "publisher")
        record.venue = "" if re.match(r"(?i)(\\url|https?:)", other) else other
    scholar = _GOOGLE_SCHOLAR_ARXIV.match(record.venue)
    if scholar:
        # Google Scholar's "journal = {arXiv preprint arXiv:…}" is an id, not a venue.
        record.arxiv_id, record.venue = scholar.group(1), ""
    corr = _DBLP_CORR.match(_value(entry, "volume", verbatim=True))
    if corr and not record.arxiv_id and record.venue.lower() in ("corr", "arxiv", ""):
        # DBLP's "journal = {CoRR}, volume = {abs/1502.05767}": the arXiv id.
        record.arxiv_id = corr.group(1)
    eprint = _value(entry, "eprint", "arxivid", verbatim=True)
    prefix = (_value(entry, "archiveprefix", "eprinttype", verbatim=True) or "arxiv").lower()
    if eprint and prefix == "arxiv":
        record.arxiv_id = eprint
    record.doi = _value(entry, "doi", verbatim=True)
    record.url = _value(entry, "url", verbatim=True)
    if record.url and not record.arxiv_id and parse_arxiv_id(record.url):
        record.arxiv_id = record.url
    record.pdf_url = _value(entry, "pdf", verbatim=True)
    record.abstract = latex.unwrap(_value(entry, "abstract", multiline=True))
    record.notes = _value(entry, "annote", "annotation", multiline=True)
    record.alias = _value(entry, "shorthand")
    record.affiliations = _value(entry, "affiliation", "affiliations")
    keywords = _value(entry, "keywords")
    if keywords:
        record.tags = [tag.strip() for tag in re.split(r"[,;]", keywords) if tag.strip()]
    # Written by our export, whose parts are encoded one by one: decoded one by one.
    record.links = _links(str(entry["links"].value) if "links" in entry else "")
    figures = str(entry["figures"].value) if "figures" in entry else ""
    if figures:
        record.figures = _figures(figures, base_dir, where, [] if warnings is None else warnings)
    return record
