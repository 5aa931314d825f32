"""RIS in (EndNote, Mendeley, Zotero): records found by their TY/ER lines first, with their
first line, so a record without its ER — a file cut short — is reported instead of
silently dropped; each record is then read by rispy, keeping its values' line breaks."""

import re

import rispy

from papers.citations.names import from_inverted
from papers.citations.ris import TAG_LIKE_LINE
from papers.intake.batch import EntriesRead, Problem
from papers.intake.library_fields import YEAR, plain, set_identifiers, short_alias
from papers.intake.records import PaperRecord, clean_text


class _RisParser(rispy.RisParser):
    """rispy, keeping a value's line breaks (abstracts and notes have paragraphs)."""

    def parse_line(self, line):
        tag, content = super().parse_line(line)
        if tag is None:
            # Our export writes a line that would read as a tag with one more space.
            content = line.rstrip()
            if content.startswith(" ") and TAG_LIKE_LINE.match(content[1:]):
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


def parse_ris(text, where_prefix="", warnings=None, on_read=None):
    """Every RIS record of ``text`` as a ``PaperRecord``, or a ``Problem`` with its line."""
    warnings = [] if warnings is None else warnings
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    items = EntriesRead(on_read)
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
    record.title = plain(_first(entry, "title", "primary_title", "translated_title"),
                          "title", where, warnings)  # fmt: skip
    if not record.title:
        return Problem(where, "the record has no title (TI).")
    names = [*entry.get("authors", []), *entry.get("first_authors", [])]
    record.authors = [
        name for name in (from_inverted(plain(n, "authors", where, warnings)) for n in names)
        if name
    ]  # fmt: skip
    year = _first(entry, "year", "publication_year", "date")
    if year:
        match = YEAR.match(year)
        if not match:
            return Problem(where, f"the year “{year[:20]}” is not a year (PY  - 2021).")
        record.year = int(match.group(1))
    date = _first(entry, "date", "publication_year")
    month = re.match(r"^\s*\d{4}[/-](\d{1,2})", date)
    if month and 1 <= int(month.group(1)) <= 12:
        record.month = int(month.group(1))
    record.venue = plain(
        _first(entry, "secondary_title", "journal_name", "alternate_title3",
               "alternate_title1", "alternate_title2"),
        "venue", where, warnings,
    )  # fmt: skip
    set_identifiers(
        record,
        _first(entry, "doi"),
        [url.strip() for url in entry.get("urls", []) if url.strip()],
        arxiv_hint=_first(entry, "accession_number"),
    )
    record.pdf_url = _first(entry, "file_attachments1")
    record.pdf_url = record.pdf_url if record.pdf_url.startswith(("http://", "https://")) else ""
    record.abstract = plain(_first(entry, "abstract", "notes_abstract"), "abstract", where,
                             warnings, multiline=True)  # fmt: skip
    record.notes = "\n\n".join(
        plain(note, "notes", where, warnings, multiline=True) for note in entry.get("notes", [])
    ).strip()
    record.alias = plain(_first(entry, "short_title"), "short title", where, warnings)
    short_alias(record)
    record.affiliations = plain(_first(entry, "author_address"), "address", where, warnings)
    record.tags = [clean_text(tag) for tag in entry.get("keywords", []) if clean_text(tag)]
    return record
