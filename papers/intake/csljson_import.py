"""CSL-JSON in (Zotero's "CSL JSON" export, pandoc): items decoded one by one from the
top-level array, so a truncated file still imports the whole items before the break and
says where it breaks; an item of the wrong shape is refused with what was wrong."""

import json
import re

from papers.intake.batch import EntriesRead, Problem
from papers.intake.library_fields import plain, set_identifiers, short_alias
from papers.intake.records import PaperRecord, clean_text


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


def parse_csljson(text, where_prefix="", warnings=None, on_read=None):
    """Every CSL-JSON item of ``text`` as a ``PaperRecord``, or a ``Problem`` with its line."""
    warnings = [] if warnings is None else warnings
    items = EntriesRead(on_read)
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
        record.title = plain(_text(item, "title"), "title", where, warnings)
        if not record.title:
            return Problem(where, "the item has no title.")
        authors = item.get("author") or []
        if not isinstance(authors, list):
            raise _WrongType(f"“author” is {_kind(authors)}, not a list of names.")
        names = (plain(_csl_author(person), "authors", where, warnings) for person in authors)
        record.authors = [name for name in names if name]
        record.year, record.month = _csl_date(item.get("issued"))
        record.venue = plain(
            _text(item, "container-title") or _text(item, "event-title")
            or _text(item, "collection-title"),
            "venue", where, warnings,
        )  # fmt: skip
        url = _text(item, "URL").strip()
        archived = _text(item, "archive").strip().lower() == "arxiv"
        hint = _text(item, "archive_location") if archived else _text(item, "number")
        set_identifiers(record, _text(item, "DOI").strip(), [url] if url else [], arxiv_hint=hint)
        record.abstract = plain(_text(item, "abstract"), "abstract", where, warnings,
                                 multiline=True)  # fmt: skip
        record.notes = plain(_text(item, "note"), "notes", where, warnings, multiline=True)
        record.alias = plain(_text(item, "title-short"), "short title", where, warnings)
        keywords = _text(item, "keyword")
        record.tags = [clean_text(tag) for tag in re.split(r"[,;]", keywords) if clean_text(tag)]
    except _WrongType as error:
        return Problem(where, f"{error} The item is not imported.")
    return short_alias(record)
