"""RIS and CSL-JSON in (what Zotero, Mendeley and EndNote export), beside BibTeX: each
file becomes ``PaperRecord``s or ``Problem``s with their line, written by the same
``run_batch`` as a .bib, so preview, duplicates, report and leniency are the same.

RIS is split into records here (TY … ER, with their first line), so a record without its
``ER`` — a file cut short — is reported instead of silently dropped, then each record
is read by rispy. CSL-JSON items are decoded one by one from the top-level array, so a
truncated file still reports where it breaks and which items before it are whole.
"""

import html
import json
import re

import nh3
import rispy

from papers.citations.names import from_inverted
from papers.citations.ris import TAG_LINE
from papers.identifiers import parse_arxiv_id
from papers.intake.batch import Problem
from papers.intake.bibtex_import import parse_bibtex
from papers.intake.records import PaperRecord, clean_text

# File name suffix → format; every format is read by ``parse_library``.
LIBRARY_SUFFIXES = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}
LABELS = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON"}

# Markup some exports put in values (CSL's rich-text titles, Zotero's HTML notes, JATS
# abstracts from publishers). Only these elements count as markup: "$a<b$" is text.
_MARKUP = re.compile(
    r"</?(?:i|b|em|strong|sup|sub|sc|span|p|br|div|a|ul|ol|li|h[1-6]|code|pre|script|style|"
    r"iframe|img|[a-z]+:[a-z-]+)\b[^>]*>",
    re.I,
)
_ARXIV_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.(.+)$", re.I)
_YEAR = re.compile(r"^\s*(\d{4})")


def _plain(value, field, where, warnings, multiline=False):
    """``value`` without HTML markup (a note says so); text that only looks like it stays."""
    text = str(value or "")
    if _MARKUP.search(text):
        text = html.unescape(nh3.clean(text, tags=set()))
        warnings.append((where, f"HTML markup removed from the {field}."))
    return text.strip() if multiline else clean_text(text)


MAX_ALIAS = 40


def _short_alias(record):
    """A short title is a name to call the paper by (LoRA, GPT-3) only when it is short;
    Zotero's is often just the title before its colon."""
    if len(record.alias) > MAX_ALIAS or record.alias == record.title:
        record.alias = ""
    return record


def _arxiv_from(record, *candidates):
    for value in candidates:
        value = str(value or "").strip()
        if not value:
            continue
        doi = _ARXIV_DOI.match(value)
        if doi:
            return doi.group(1)
        if value.lower().startswith("arxiv:") or parse_arxiv_id(value):
            return value
    return ""


def _identifiers(record, doi, urls, arxiv_hint=""):
    """DOI, URL and arXiv id; arXiv's own 10.48550 DOI only says which preprint it is."""
    record.arxiv_id = _arxiv_from(record, arxiv_hint, doi)
    if doi and not _ARXIV_DOI.match(doi):
        record.doi = doi
    record.url = urls[0] if urls else ""
    if record.url and not record.arxiv_id and parse_arxiv_id(record.url):
        record.arxiv_id = record.url


# --- RIS ------------------------------------------------------------------------------


class _RisParser(rispy.RisParser):
    """rispy, keeping a value's line breaks (abstracts and notes have paragraphs)."""

    def parse_line(self, line):
        tag, content = super().parse_line(line)
        if tag is None:
            # Our export writes a continuation line that would read as a tag with one space.
            content = line.rstrip()
            if content.startswith(" ") and TAG_LINE.match(content[1:]):
                content = content[1:]
        return tag, content

    def _add_single_value(self, record, name, value, is_multi=False):
        if is_multi and isinstance(record.get(name), str):
            record[name] = f"{record[name]}\n{value}"
        else:
            super()._add_single_value(record, name, value, is_multi)

    def _add_tag(self, record, tag, content, extend_multiline=False):
        name = self.mapping.get(tag)
        if extend_multiline and tag in self.list_tags and record.get(name):
            record[name][-1] = f"{record[name][-1]}\n{content}"
        else:
            super()._add_tag(record, tag, content, extend_multiline)


def _ris_chunks(text):
    """``(first line, lines, complete)`` per record; text outside records as a Problem."""
    chunk, start, stray = None, 0, None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("TY  -"):
            if chunk is not None:
                yield start, chunk, False
            chunk, start = [line], number
        elif chunk is not None:
            chunk.append(line)
            if line.startswith("ER  -") or line.rstrip() == "ER  -":
                yield start, chunk, True
                chunk = None
        elif line.strip() and stray is None and not re.fullmatch(r"\d+\.\s*", line):
            # (rispy's own writer numbers records with a "1." line: not stray text.)
            stray = number
            yield number, [line], None
    if chunk is not None:
        yield start, chunk, False


def parse_ris(text, where_prefix="", warnings=None):
    """Every RIS record of ``text`` as a ``PaperRecord``, or a ``Problem`` with its line."""
    warnings = [] if warnings is None else warnings
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    items = []
    for line, chunk, complete in _ris_chunks(text):
        where = f"{where_prefix}line {line}"
        if complete is None:
            items.append(
                Problem(
                    where,
                    f"text outside any record (a record starts with “TY  - ”): {chunk[0][:60]}",
                )  # fmt: skip
            )
            continue
        if not complete:
            items.append(
                Problem(
                    where,
                    "this record has no end (“ER  - ”) before the next record or the end of "
                    "the file: the file looks cut short. The record is not imported.",
                )
            )
            continue
        try:
            [entry] = rispy.loads("\n".join(chunk), implementation=_RisParser)
        except (ValueError, KeyError, StopIteration) as error:
            items.append(Problem(where, f"cannot be read as RIS ({error})."))
            continue
        items.append(ris_to_record(entry, where, warnings))
    return items


def _first(entry, *names):
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = next((v for v in value if str(v).strip()), "")
        if value and str(value).strip():
            return str(value).strip()
    return ""


def ris_to_record(entry, where, warnings):
    record = PaperRecord(source=where)
    record.title = _plain(_first(entry, "title", "primary_title", "translated_title"),
                          "title", where, warnings)  # fmt: skip
    if not record.title:
        return Problem(where, "the record has no title (TI).")
    names = [*entry.get("authors", []), *entry.get("first_authors", [])]
    record.authors = [
        name for name in (from_inverted(_plain(n, "authors", where, warnings)) for n in names)
        if name
    ]  # fmt: skip
    year = _first(entry, "year", "publication_year", "date")
    if year:
        match = _YEAR.match(year)
        if not match:
            return Problem(where, f"the year “{year[:20]}” is not a year (PY  - 2021).")
        record.year = int(match.group(1))
    date = _first(entry, "date", "publication_year")
    month = re.match(r"^\s*\d{4}[/-](\d{1,2})", date)
    if month and 1 <= int(month.group(1)) <= 12:
        record.month = int(month.group(1))
    record.venue = _plain(
        _first(entry, "secondary_title", "journal_name", "alternate_title3",
               "alternate_title1", "alternate_title2"),
        "venue", where, warnings,
    )  # fmt: skip
    _identifiers(
        record,
        _first(entry, "doi"),
        [url.strip() for url in entry.get("urls", []) if url.strip()],
        arxiv_hint=_first(entry, "accession_number"),
    )
    record.pdf_url = _first(entry, "file_attachments1")
    record.pdf_url = record.pdf_url if record.pdf_url.startswith(("http://", "https://")) else ""
    record.abstract = _plain(_first(entry, "abstract", "notes_abstract"), "abstract", where,
                             warnings, multiline=True)  # fmt: skip
    record.notes = "\n\n".join(
        _plain(note, "notes", where, warnings, multiline=True) for note in entry.get("notes", [])
    ).strip()
    record.alias = _plain(_first(entry, "short_title"), "short title", where, warnings)
    _short_alias(record)
    record.affiliations = _plain(_first(entry, "author_address"), "address", where, warnings)
    record.tags = [clean_text(tag) for tag in entry.get("keywords", []) if clean_text(tag)]
    return record


# --- CSL-JSON -------------------------------------------------------------------------


class CslJsonError(ValueError):
    """The file is not a CSL-JSON array (or object) at all."""


def _json_items(text):
    """``(line, item or Problem-message)`` for each element of the top-level array."""
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip())
    if text[position : position + 1] == "{":
        try:
            item, _end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield error.lineno, f"not valid JSON: {error.msg} (line {error.lineno})."
            return
        yield 1, item
        return
    if text[position : position + 1] != "[":
        raise CslJsonError(
            "This is not CSL-JSON: the file should be a JSON array of items ([{…}, …]), "
            "as Zotero's “Export Library… → CSL JSON” writes."
        )
    position += 1
    whitespace = re.compile(r"\s*")
    line, counted = 1, 0  # lines counted up to ``counted``, so the file is scanned once

    def line_at(offset):
        nonlocal line, counted
        line += text.count("\n", counted, offset)
        counted = offset
        return line

    while True:
        position = whitespace.match(text, position).end()
        if position >= len(text):
            yield (
                line_at(position),
                ("the file ends before the list of items is closed (“]”): it looks cut short."),
            )
            return
        if text[position] == "]":
            return
        start = line_at(position)
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield (
                start,
                (
                    f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
                    + (": the file looks cut short." if error.pos >= len(text.rstrip()) else ".")
                ),
            )
            return
        yield start, item
        position = whitespace.match(text, position).end()
        if text[position : position + 1] == ",":
            position += 1


def parse_csljson(text, where_prefix="", warnings=None):
    """Every CSL-JSON item of ``text`` as a ``PaperRecord``, or a ``Problem`` with its line."""
    warnings = [] if warnings is None else warnings
    items = []
    for number, (line, item) in enumerate(_json_items(text), start=1):
        where = f"{where_prefix}line {line}"
        if isinstance(item, str):
            items.append(Problem(where, item))
        elif not isinstance(item, dict):
            items.append(Problem(where, f"item {number} is {_kind(item)}, not an object ({{…}})."))
        else:
            if isinstance(item.get("id"), str | int):
                where = f"{where} ({str(item['id'])[:60]})"
            items.append(csl_to_record(item, where, warnings))
    return items


def _kind(value):
    return {
        str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
        dict: "an object", type(None): "null",
    }.get(type(value), type(value).__name__)  # fmt: skip


class _WrongType(ValueError):
    pass


def _text(item, name):
    value = item.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and name in ("number", "id"):
        return str(value)
    if not isinstance(value, str):
        raise _WrongType(f"“{name}” is {_kind(value)}, not text.")
    return value


def _csl_author(person):
    if isinstance(person, str):
        return clean_text(person)
    if not isinstance(person, dict):
        raise _WrongType(f"an author is {_kind(person)}, not a name object.")
    for key, value in person.items():
        if not isinstance(value, str | int | bool):
            raise _WrongType(f"an author's “{key}” is {_kind(value)}, not text.")
    if person.get("literal"):
        return clean_text(str(person["literal"]))
    family = " ".join(
        str(person.get(key) or "")
        for key in ("dropping-particle", "non-dropping-particle", "family")
    )
    name = clean_text(f"{person.get('given') or ''} {family}")
    suffix = clean_text(str(person.get("suffix") or ""))
    return f"{name}, {suffix}" if name and suffix else name


def _csl_date(value):
    """``(year, month)`` from a CSL date: ``date-parts``, ``raw`` or ``literal``."""
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise _WrongType(f'“issued” is {_kind(value)}, not a date object ({{"date-parts": …}}).')
    parts = value.get("date-parts")
    if parts is not None:
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
            raise _WrongType("“issued” has “date-parts” that are not [[year, month, day]].")
        first = parts[0]
        try:
            year = int(str(first[0]).strip())
            month = int(str(first[1]).strip()) if len(first) > 1 and first[1] else None
        except (TypeError, ValueError):
            raise _WrongType(f"the date {first!r:.40} is not numbers.") from None
        return year, month if month and 1 <= month <= 12 else None
    raw = value.get("raw") or value.get("literal")
    if isinstance(raw, str):
        match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?", raw)
        if match:
            month = int(match.group(2)) if match.group(2) else None
            return int(match.group(1)), month if month and 1 <= month <= 12 else None
        raise _WrongType(f"the date “{raw[:30]}” is not a date (write it as 2021-06).")
    return None, None


def csl_to_record(item, where, warnings):
    record = PaperRecord(source=where)
    try:
        record.title = _plain(_text(item, "title"), "title", where, warnings)
        if not record.title:
            return Problem(where, "the item has no title.")
        authors = item.get("author") or []
        if not isinstance(authors, list):
            raise _WrongType(f"“author” is {_kind(authors)}, not a list of names.")
        names = (_plain(_csl_author(person), "authors", where, warnings) for person in authors)
        record.authors = [name for name in names if name]
        record.year, record.month = _csl_date(item.get("issued"))
        record.venue = _plain(
            _text(item, "container-title") or _text(item, "event-title")
            or _text(item, "collection-title"),
            "venue", where, warnings,
        )  # fmt: skip
        url = _text(item, "URL").strip()
        archived = _text(item, "archive").strip().lower() == "arxiv"
        hint = _text(item, "archive_location") if archived else _text(item, "number")
        _identifiers(record, _text(item, "DOI").strip(), [url] if url else [], arxiv_hint=hint)
        record.abstract = _plain(_text(item, "abstract"), "abstract", where, warnings,
                                 multiline=True)  # fmt: skip
        record.notes = _plain(_text(item, "note"), "notes", where, warnings, multiline=True)
        record.alias = _plain(_text(item, "title-short"), "short title", where, warnings)
        keywords = _text(item, "keyword")
        record.tags = [clean_text(tag) for tag in re.split(r"[,;]", keywords) if clean_text(tag)]
    except _WrongType as error:
        return Problem(where, f"{error} The item is not imported.")
    return _short_alias(record)


# --- one entry point --------------------------------------------------------------------


def parse_library(fmt, text, base_dir=None, where_prefix="", warnings=None):
    """``text`` in format ``fmt`` (``bibtex``, ``ris``, ``csljson``) → records and problems."""
    if fmt == "ris":
        return parse_ris(text, where_prefix, warnings)
    if fmt == "csljson":
        return parse_csljson(text, where_prefix, warnings)
    return parse_bibtex(text, base_dir=base_dir, where_prefix=where_prefix, warnings=warnings)
