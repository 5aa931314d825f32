"""Import notes documents (Markdown or org-mode) as papers (the package's entry point).

``tree.py`` parses (markdown-it; org goes through ``org.py`` and orgparse first),
``recognise.py`` finds the entries, ``entries.py`` turns them into records.
"""

import re
from dataclasses import dataclass, field, replace

from papers.intake.batch import ImportReport, run_batch
from papers.intake.lookup import MAX_IDENTIFIERS, look_up
from papers.intake.notes.citations import resolve_citation
from papers.intake.notes.dates import headings_are_reading_dates
from papers.intake.notes.entries import Skipped, merge, to_record
from papers.intake.notes.frontmatter import front_matter_entries, page_title
from papers.intake.notes.hosts import arxiv_from_url, doi_from_url
from papers.intake.notes.links import stored_in_repository
from papers.intake.notes.org import org_headings, org_to_markdown
from papers.intake.notes.post import post_paper
from papers.intake.notes.reading import (  # noqa: F401 - read here by the importer's users
    MAX_NOTES_BYTES,
    MAX_NOTES_LINES,
    NotesInputError,
    detect_format,
    read_notes_bytes,
)
from papers.intake.notes.recognise import Recogniser
from papers.intake.notes.tree import parse_markdown
from papers.intake.records import PaperRecord
from papers.intake.saving import Outcome

FORMATS = ("auto", "markdown", "org")


# Undated entries at least this share of a file's titled paper entries: the file does not
# date its papers (measured: 11–18% in undated reading lists, at most 1.5% stray links in
# dated awesome lists).
UNDATED_SHARE = 0.1
# ...and at least this many: one or two undated links say too little about a file.
UNDATED_MIN = 3


@dataclass
class NotesParse:
    records: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    mentions: int = 0


def parse_notes(text, fmt="markdown", base_dir=None, bib=None, repository_pdfs=False):
    """Records for the papers a notes document describes, merged across mentions.

    ``bib``: ``{key: PaperRecord}`` that org-ref ``cite:key`` entries resolve against.
    ``repository_pdfs``: a PDF stored in a code repository and titled as a paper is the
    paper (``--repository-pdfs``); by default such entries are listed as skipped.
    """
    extras = None
    if fmt == "org":
        extras = org_headings(text)
        text, _ = org_to_markdown(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = parse_markdown(text)
    found = Recogniser(blocks, lines, base_dir, extras)
    if fmt != "org":
        found.entries[:0] = front_matter_entries(text)
    result = NotesParse(mentions=len(found.entries), warnings=list(found.warnings))
    if blocks.unread:
        first, last = blocks.unread
        result.warnings.append(
            (f"lines {first}–{last}", "nested too deeply to be read (over 60 levels): not read.")
        )
    result.warnings += _unsafe_links(lines)
    result.skipped = [Skipped(line, label, reason) for line, label, reason in found.skipped]
    if not repository_pdfs:
        found.entries = _without_repository_pdfs(found.entries, result.skipped)
    entries = merge(found.entries)
    if fmt != "org":
        body = post_paper(entries, text, lines, found.notes, base_dir)
        if body is None:
            _title_from_page(entries, page_title(text))
        else:
            # The post's prose bullets are its paper's notes now, not unrecognised items.
            result.skipped = [
                s for s in result.skipped if s.line < body or not s.reason.startswith("no link")
            ]
    reading_log = headings_are_reading_dates(entries)
    items = []
    for entry in entries:
        item = resolve_citation(entry, bib)
        if not isinstance(item, Skipped):
            item = to_record(entry, base_dir, result.warnings, reading_log)
        items.append((entry, item))
    undated = [entry for entry, item in items if isinstance(item, Skipped) and item.undated]
    dated = sum(1 for _, item in items if not isinstance(item, Skipped))
    # A file that leaves many of its papers undated ("papers I read" checklists, candidate
    # lists) does not date papers: its undated entries are papers of unknown year. A rare
    # undated link in a file that dates its papers (an awesome list's "Distill [web]", a
    # tutorial PDF) is more likely not a paper: it stays skipped, listed.
    undated_ok = len(undated) >= max(UNDATED_MIN, UNDATED_SHARE * (len(undated) + dated))
    for entry, item in items:
        if undated_ok and isinstance(item, Skipped) and item.undated:
            item = to_record(entry, base_dir, result.warnings, reading_log, undated_ok=True)
        (result.skipped if isinstance(item, Skipped) else result.records).append(item)
    return result


def _without_repository_pdfs(entries, skipped):
    """The entries whose only paper link is a PDF stored in a code repository, listed in
    ``skipped``: such a list holds slides, talks and decks stored and titled exactly as
    its papers are (wzhe06/Reco-papers: "Building a Machine Learning Platform at Quora
    (Quora 2016)", a talk), and nothing in the text tells them apart. A user whose list
    is an archive of papers says so (``--repository-pdfs``)."""
    kept = []
    for entry in entries:
        where = stored_in_repository(entry.url)
        other = entry.url_extra and not stored_in_repository(entry.url_extra)
        if not where or other or entry.cite_key:
            kept.append(entry)
            continue
        reason = (
            f"a PDF stored in a code repository ({where}): not imported as a paper unless "
            "--repository-pdfs is given (in the admin: “PDFs stored in a code repository "
            "are papers”)."
        )
        skipped.append(Skipped(entry.line, entry.title or entry.url, reason, url=entry.url))
    return kept


# "[x](javascript:…)", "<data:…>": the Markdown parser does not make links of them, so the
# recogniser never sees them; they are named here, so that nothing is left out unseen.
_UNSAFE_LINK = re.compile(
    r"(?:\]\(\s*<?|<)(?P<url>(?:javascript|vbscript|data):[^)\s>]{0,40})", re.I
)


def _unsafe_links(lines):
    return [
        (f"line {number}", f"the link “{match.group('url')}” is unsafe: left out.")
        for number, line in enumerate(lines, 1)
        for match in _UNSAFE_LINK.finditer(line)
    ]


def _title_from_page(entries, title):
    """A post about one paper (a Jekyll/Hugo page: ``title: Distilling the Knowledge…``
    over ``[Link to the paper](https://arxiv.org/abs/…)``): the page's title names the one
    paper its body links first, without a title (what it cites further down keeps its own
    titles). A page with several untitled links names none of them."""
    untitled = [entry for entry in entries if not entry.title]
    if not title or len(title.split()) < 2 or len(untitled) != 1:
        return
    if untitled[0].line == min(entry.line for entry in entries):
        untitled[0].title = title


def import_notes_text(text, fmt="markdown", base_dir=None, **options):
    """Parse and write; returns ``(report, parse)``; ``options`` go to ``run_batch``.

    ``bib`` (``{key: PaperRecord}``) is taken out of ``options`` for org-ref citations,
    ``lookup`` and ``repository_pdfs`` as ``parse_notes`` and ``fill_by_lookup`` take them.
    """
    parsed = parse_notes(
        text,
        fmt,
        base_dir,
        bib=options.pop("bib", None),
        repository_pdfs=options.pop("repository_pdfs", False),
    )
    if options.pop("lookup", False):
        fill_by_lookup(parsed)
    report = ImportReport(notes=list(parsed.warnings))
    for skipped in parsed.skipped:
        record = PaperRecord(title=skipped.label, source=f"line {skipped.line}")
        report.outcomes.append(Outcome("skipped", record, reason=skipped.reason))
    return run_batch(parsed.records, report=report, **options), parsed


def fill_by_lookup(parsed):
    """``--lookup``: arXiv/Crossref (the add-by-identifier code) are asked about

    - skipped entries whose link carries an arXiv id or DOI (no title, no date): the
      looked-up record replaces them;
    - entries of unknown year with an arXiv id or DOI: the looked-up year and month (and
      authors and venue, when the file gives none) fill them; the file's title stays.

    What cannot be fetched stays as it was, with the reason."""
    wanted = {}
    for skipped in parsed.skipped:
        ident = _identifier(skipped.url)
        if ident:
            wanted.setdefault(ident, skipped)
    undated = {}
    for record in parsed.records:
        if record.year is None:
            ident = record.arxiv_id or record.doi or _identifier(record.url)
            if ident:
                undated.setdefault(ident, []).append(record)
    idents = list(dict.fromkeys([*wanted, *undated]))
    found = {}
    for start in range(0, len(idents), MAX_IDENTIFIERS):
        for lookup in look_up(idents[start : start + MAX_IDENTIFIERS]):
            found[lookup.raw] = lookup
    kept = []
    for skipped in parsed.skipped:
        lookup = found.get(_identifier(skipped.url))
        if lookup is not None and lookup.record is not None and wanted.get(lookup.raw) is skipped:
            record = replace(lookup.record, source=f"line {skipped.line} (looked up)")
            parsed.records.append(record)
        else:
            if lookup is not None and lookup.error:
                skipped.reason += f" Look-up failed: {lookup.error}"
            kept.append(skipped)
    parsed.skipped = kept
    for ident, records in undated.items():
        for record in records:
            _fill_year(record, found[ident], parsed.warnings)


def _fill_year(record, lookup, warnings):
    """Fill ``record``'s unknown year from ``lookup`` and say so (or say why not)."""
    where = record.source
    service = "arXiv" if lookup.kind == "arxiv" else "Crossref"
    if lookup.record is None or lookup.record.year is None:
        why = lookup.error or f"{service} gives no year either"
        warnings.append((where, f"“{record.title[:60]}”: year still unknown ({why})."))
        return
    found = lookup.record
    record.year, record.month = found.year, found.month
    record.authors = record.authors or list(found.authors)
    record.venue = record.venue or found.venue
    # The "year unknown" warning the recogniser gave this entry is answered now.
    warnings[:] = [
        (w, message)
        for w, message in warnings
        if not (w == where and "year unknown" in message and record.title[:60] in message)
    ]
    message = f"“{record.title[:60]}”: year {found.year} from {service} (looked up)."
    warnings.append((where, message))


def _identifier(url):
    arxiv = arxiv_from_url(url or "")
    if arxiv:
        return arxiv[0]
    return doi_from_url(url or "")
