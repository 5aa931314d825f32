"""org-ref: ``cite:key`` entries take their paper from a companion BibTeX file."""

import re
from pathlib import Path

from papers.intake.batch import Problem
from papers.intake.bibtex_import import BibtexInputError, parse_bibtex, read_bibtex_bytes
from papers.intake.notes import meta
from papers.intake.notes.entries import Skipped
from papers.intake.notes.hosts import arxiv_from_url, doi_from_url
from papers.intake.records import clean_text


class CompanionBibError(ValueError):
    """The .bib the notes cite cannot be used; nothing is imported."""


class Bib(dict):
    """``{key: PaperRecord}``; ``problems`` lists the entries left out, and why."""

    problems: list


def load_bib(path):
    """The usable entries of a .bib file, or ``CompanionBibError`` when it cannot be read.

    A syntax error stops everything (the file is not what it seems); an entry that is
    merely incomplete (no title, say) is left out and listed in ``problems``.
    """
    try:
        text = read_bibtex_bytes(Path(path).read_bytes())
    except (OSError, BibtexInputError) as error:
        raise CompanionBibError(f"{path}: {error}") from None
    found, broken = Bib(), []
    found.problems = []
    for item in parse_bibtex(text):
        if isinstance(item, Problem):
            target = broken if "cannot be read" in item.message else found.problems
            target.append(f"{item.where}: {item.message}")
            continue
        key = re.search(r"\((?P<key>[^()]+)\)$", item.source)
        if key:
            found[key.group("key")] = item
    if broken:
        shown = "; ".join(broken[:3]) + ("; …" if len(broken) > 3 else "")
        raise CompanionBibError(
            f"{path} cannot be read ({shown}). Fix it, or name another with --bib."
        )
    return found


def companion_bib(notes_path):
    """The .bib beside a notes file: same name, else the folder's only .bib."""
    path = Path(notes_path)
    same = path.with_suffix(".bib")
    if same.is_file():
        return same
    others = sorted(path.parent.glob("*.bib"))
    return others[0] if len(others) == 1 else None


def resolve_citation(entry, bib):
    """Fill a ``cite:key`` entry from ``bib``; a ``Skipped`` when it cannot be."""
    is_cite = entry.url.lower().startswith("cite:")
    key = entry.cite_key or (entry.url[5:].split(",")[0].lstrip("@") if is_cite else "")
    if not key:
        return entry
    record = (bib or {}).get(key)
    if record is None:
        described = re.match(
            rf"^(?P<who>[^:]*?)\s*(?P<year>{meta.YEAR})\s*:\s*(?P<title>.+)$", entry.cite_text
        )
        if described:
            entry.title = entry.title or meta.clean_title(described.group("title"))
            entry.year = entry.year or int(described.group("year"))
            entry.authors = entry.authors or meta.names(described.group("who"))
        dated_key = re.search(rf"(?:^|[-_])(?P<year>{meta.YEAR})(?:[-_]|$)", key)
        if dated_key and not entry.year:  # org-ref keys like author-2017-words
            entry.year = int(dated_key.group("year"))
        if entry.title:
            entry.url = "" if is_cite else entry.url
            return entry
        where = "no .bib was given (--bib FILE)" if bib is None else "it is not in the .bib"
        return Skipped(entry.line, f"cite:{key}", f"the citation key cannot be resolved: {where}.")
    entry.title = record.title
    entry.authors = entry.authors or record.authors
    entry.year, entry.month = record.year or entry.year, record.month or entry.month
    entry.venue = entry.venue or record.venue
    url = record.url or (f"https://arxiv.org/abs/{record.arxiv_id}" if record.arxiv_id else "")
    url = url or (f"https://doi.org/{record.doi}" if record.doi else "")
    entry.url = url if not entry.url or is_cite else entry.url
    # The entry's ids are the .bib's, even when its url field is a publisher page.
    if record.doi and not doi_from_url(entry.url) and not entry.url_extra:
        entry.url_extra = f"https://doi.org/{record.doi}"
    elif record.arxiv_id and not arxiv_from_url(entry.url) and not entry.url_extra:
        entry.url_extra = f"https://arxiv.org/abs/{record.arxiv_id}"
    if record.notes:
        entry.notes.append(record.notes)
    entry.cite_text = clean_text(entry.cite_text)
    return entry
