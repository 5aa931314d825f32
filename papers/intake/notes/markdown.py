"""Paper entries in a Markdown notes document.

Four layouts are recognised, wherever they appear, and may be mixed:

- a list of items that each begin with a title link, dated by a ``MM.YYYY`` badge and
  followed by an alias: ``<sub>![](…badge/05.2020…)</sub> [Title](url) (GPT-3)``;
- a table whose rows begin a cell with a title link (``|![fig](…)|<h3>[ViT](url)</h3>
  notes|``) or have a year column (``|2013||[Title, affiliation, venue](url)|``), rows
  without either adding notes to the row above;
- a heading that is a link: ``### [Title](url) (Authors, et al: Month Year)``, its body
  (bullets, math, code links) being the notes;
- a heading with a labelled paper link in its body: ``### Paper Presentation 3: Title``
  then ``**Paper**: [url](url)``.

Headings that are not entries are sections: the nearest one becomes the entry's tag.
"""

import html
import re

from papers.intake.notes.entries import (
    BARE_URL,
    CREDIT,
    HTML_A,
    HTML_ALT,
    HTML_IMG,
    IMAGE,
    LINK,
    NoteEntry,
    date_in,
    is_absolute,
    is_paper_url,
    link_records,
    parse_parentheticals,
    plain,
)
from papers.intake.records import LinkRecord, clean_text, link_kind

HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-*:?\s*)*\|?\s*$")
BREAK = re.compile(r"^\s*(?:<br\s*/?>\s*)+$", re.I)
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
YEAR_CELL = re.compile(r"^\s*(?P<year>(?:19|20)\d{2})\s*$")
# Decoration that may come before an entry's title link: HTML tags, entities, badge
# images, list markers, emphasis markers, spaces (including thin and non-breaking).
_LEAD = re.compile(
    r"^(?:\s|\u2009|\xa0|<(?!https?://)[^>]+>|&[a-z]+;|&#\d+;|!\[[^\]]*\]\([^)]*\)|(?:[-*+]|\d+[.)])\s"
    r"|\*\*|__|\*(?=\[)|_(?=\[))*",
    re.I,
)
_CONJUNCTION = re.compile(r"\s*(?:and|,|;|&|\+|/)\s*", re.I)
_LABELLED = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z ]{1,28}?)(?:\*\*|__)?\s*:"
    r"(?:\*\*|__)?\s*(?P<rest>.*)$"
)
_MAIN_LABELS = {"paper", "pdf", "arxiv", "doi", "link", "url", "article", "preprint"}
_OTHER_LABELS = {
    "code", "github", "implementation", "slides", "recording", "video", "talk", "project",
    "website", "blog", "data", "dataset", "demo", "poster",
}  # fmt: skip
# "No slides or recording available" under a session heading describes the session, not
# the paper: it stays out of the paper's notes.
_NOTHING_AVAILABLE = re.compile(
    r"^\s*(?:\*\*|__|\*|_)?\s*no\s+(?:slides|recording|video|code)"
    r"(?:\s*(?:,|or|and|nor)\s*(?:slides|recording|video|code))*\s+(?:is\s+|are\s+)?"
    r"available\.?\s*(?:\*\*|__|\*|_)?\s*$",
    re.I,
)
_NUMBERED_PREFIX = re.compile(r"^(?:[A-Za-z-]+\s+){1,3}\d+\s*[:.\-–]\s+")
_PREVIOUS_WORK = re.compile(r"previous work|prior work|builds on|based on", re.I)
_VENUE_WORDS = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:ICLR|ICML|NeurIPS|NIPS|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|"
    r"IJCAI|KDD|JMLR|TMLR|TPAMI|COLT|AISTATS|UAI|SIGGRAPH|MICCAI|Interspeech|ICASSP|CoRL|"
    r"ICRA|IROS|Nature|Science|arXiv|PNAS|Workshop|Conference|Journal|Transactions)\b",
    re.I,
)


def _lead_end(text):
    return _LEAD.match(text).end()


class MarkdownNotes:
    """Parse once: ``entries`` (unmerged), ``skipped`` and ``warnings`` are filled."""

    def __init__(self, text, extra_tags=None, first_line=1):
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.extra_tags = extra_tags or {}
        self.first_line = first_line
        self.entries, self.skipped, self.warnings = [], [], []
        self._code = self._code_lines()
        self._parse()

    # --- structure ---------------------------------------------------------------------
    def _code_lines(self):
        code, fence = [], None
        for line in self.lines:
            match = FENCE.match(line)
            if fence is None and match:
                fence = match.group(1)
                code.append(True)
            elif fence is not None:
                code.append(True)
                if line.strip().startswith(fence):
                    fence = None
            else:
                code.append(False)
        return code

    def _number(self, index):
        return index + self.first_line

    def _parse(self):
        headings = []
        for index, line in enumerate(self.lines):
            match = None if self._code[index] else HEADING.match(line)
            if match:
                headings.append((index, len(match.group("hashes")), match.group("text")))
        first = headings[0][0] if headings else len(self.lines)
        self._scan_region(0, first, "")
        consumed_until = -1
        for position, (index, level, text) in enumerate(headings):
            if index <= consumed_until:
                continue
            later = headings[position + 1 :]
            next_any = later[0][0] if later else len(self.lines)
            section_end = next((i for i, lv, _ in later if lv <= level), len(self.lines))
            parent = next(
                (plain(t) for i, lv, t in reversed(headings[:position]) if lv < level), ""
            )
            has_children = bool(later) and later[0][1] > level
            start = _lead_end(text)
            link = LINK.match(text, start)
            if link and is_absolute(link.group("url")):
                self._heading_entry(index, text, link, section_end, parent)
                consumed_until = section_end - 1
                continue
            found = self._scan_region(index + 1, next_any, plain(text))
            if found or has_children:
                continue
            self._titled_entry(index, text, next_any, parent)

    # --- regions of a section: lists and tables -----------------------------------------
    def _scan_region(self, start, end, section):
        found = 0
        index = start
        item = []
        while index < end:
            line = self.lines[index]
            if self._code[index]:
                found += self._item(item, section)
                item = []
            elif RULE.match(line) and not line.strip().startswith("|"):
                found += self._item(item, section)
                item, section = [], ""
            elif line.lstrip().startswith("|"):
                found += self._item(item, section)
                item = []
                rows = []
                while index < end and self.lines[index].lstrip().startswith("|"):
                    rows.append((index, self.lines[index]))
                    index += 1
                found += self._table(rows, section)
                continue
            elif not line.strip() or BREAK.match(line):
                found += self._item(item, section)
                item = []
            elif LIST_MARKER.match(line) and not line.startswith((" ", "\t")):
                found += self._item(item, section)
                item = [(index, line)]
            else:
                item.append((index, line))
            index += 1
        found += self._item(item, section)
        return found

    def _item(self, item, section):
        if not item:
            return 0
        text = "\n".join(line for _, line in item)
        first = item[0][0]
        entries, rest = self._title_links(text, first, section)
        if entries:
            notes = _cell_notes(rest)
            if notes:
                entries[-1].notes.append(notes)
        self.entries += entries
        return len(entries)

    def _title_links(self, text, index, section):
        """Entries for the title link(s) ``text`` begins with, and the text after them."""
        position = _lead_end(text)
        year, month = date_in(text)
        entries = []
        while True:
            link = LINK.match(text, position)
            bare = None if link else BARE_URL.match(text, position)
            if link and is_absolute(link.group("url")):
                title, url = plain(link.group("text")), link.group("url")
                after = link.end()
            elif bare and not entries:
                title, url, after = "", bare.group("url"), bare.end()
            else:
                break
            if title == url or BARE_URL.fullmatch(title or "-"):
                title = ""
            alias, authors, date_year, date_month, used = parse_parentheticals(text[after:])
            after += len(text[after:]) - len(text[after:].lstrip()) + used if used else 0
            entry = NoteEntry(
                line=self._number(index),
                title=title,
                url=url,
                alias=alias,
                authors=authors,
                year=date_year or year,
                month=date_month if date_year else month,
                section=section,
                tags=list(self.extra_tags.get(index, [])),
                lines=[self._number(index)],
            )
            entries.append(entry)
            position = after
            conjunction = _CONJUNCTION.match(text, position)
            if not conjunction or not LINK.match(text, conjunction.end()):
                break
            position = conjunction.end()
        return entries, text[position:] if entries else text

    def _table(self, rows, section):
        current, found = None, 0
        for index, row in rows:
            if TABLE_SEPARATOR.match(row):
                continue
            cells = _split_cells(row)
            if not any(cell.strip() for cell in cells):
                continue
            year = next((int(m.group("year")) for c in cells if (m := YEAR_CELL.match(c))), None)
            title_at = None
            for position, cell in enumerate(cells):
                link = LINK.match(cell, _lead_end(cell))
                if link and is_absolute(link.group("url")):
                    title_at = position
                    break
            if title_at is None:
                if current is not None:
                    for cell in cells:
                        self._notes_into(current, [(index, cell)], table=True)
                continue
            entries, rest = self._title_links(cells[title_at], index, section)
            for entry in entries:
                if year and not entry.year:
                    entry.year, entry.month = year, None
                if year:
                    _split_jekyll_title(entry)
            current = entries[-1]
            self._notes_into(current, [(index, rest)], table=True)
            for position, cell in enumerate(cells):
                if position != title_at and not YEAR_CELL.match(cell):
                    self._notes_into(current, [(index, cell)], table=True)
            self.entries += entries
            found += len(entries)
        return found

    # --- entries introduced by a heading --------------------------------------------------
    def _heading_entry(self, index, text, link, end, parent):
        entries, _ = self._title_links(text, index, parent)
        entry = entries[-1]
        self._notes_into(entry, [(i, self.lines[i]) for i in range(index + 1, end)])
        self.entries += entries

    def _titled_entry(self, index, text, end, parent):
        body = [(i, self.lines[i]) for i in range(index + 1, end)]
        title = plain(_NUMBERED_PREFIX.sub("", plain(text)))
        entry = NoteEntry(
            line=self._number(index),
            title=title,
            section=parent,
            tags=list(self.extra_tags.get(index, [])),
            lines=[self._number(index)],
        )
        entry.year, entry.month = date_in(text)
        remaining = []
        pending_label = None
        for i, line in body:
            labelled = None if self._code[i] else _LABELLED.match(line)
            label = labelled.group("label").strip().lower() if labelled else pending_label
            rest = labelled.group("rest") if labelled else line
            if label in _MAIN_LABELS | _OTHER_LABELS and (labelled or pending_label):
                urls = _urls_in(rest)
                if not urls and labelled and not rest.strip():
                    pending_label = label  # "**Slides**:" with the link on the next line
                    continue
                pending_label = None
                self._labelled_links(entry, label, urls, i)
                for image in _images_in(rest):
                    entry.images.append((*image, self._number(i)))
                continue
            pending_label = None
            if not self._code[i] and _NOTHING_AVAILABLE.match(line):
                continue
            remaining.append((i, line))
        if not entry.url:
            for _, line in remaining:
                paper_links = [u for u in _urls_in(line) if is_paper_url(u)]
                if paper_links:
                    entry.url = paper_links[0]
                    break
        if not entry.url:
            links = sorted({u for _, line in body for u in _urls_in(line)})
            reason = "no link to a paper"
            if links:
                reason += f" (its links: {', '.join(links[:3])}{'…' if len(links) > 3 else ''})"
            self.skipped.append((self._number(index), title or plain(text), reason + "."))
            return
        self._notes_into(entry, remaining)
        self.entries.append(entry)

    def _labelled_links(self, entry, label, urls, index):
        for url in urls:
            if label in _MAIN_LABELS and not entry.url and is_absolute(url):
                entry.url = url
            elif not is_absolute(url):
                self.warnings.append(
                    (
                        f"line {self._number(index)}",
                        f"{label} “{url}” is a local file: not imported.",
                    )
                )
            else:
                kind = link_kind(label, url) or "other"
                entry.links.append(LinkRecord(kind=kind, url=url, label=label.capitalize()))

    # --- notes ---------------------------------------------------------------------------
    def _notes_into(self, entry, numbered_lines, table=False):
        """Add body lines to ``entry`` as Markdown notes; images become figures."""
        kept = []
        last_image = len(entry.images) - 1 if entry.awaiting_credit else None
        for index, line in numbered_lines:
            in_code = not table and self._code[index]
            if table:
                line = _cell_notes(line)
            if not in_code:
                credit = CREDIT.match(plain(line)) if line.strip() else None
                if credit and last_image is not None and not entry.images[last_image][2]:
                    src, caption, _, number = entry.images[last_image]
                    entry.images[last_image] = (src, caption, credit.group("credit"), number)
                    entry.awaiting_credit = False
                    continue
                images = _images_in(line)
                for image in images:
                    entry.images.append((*image, self._number(index)))
                    last_image = len(entry.images) - 1
                if line.strip():
                    entry.awaiting_credit = bool(images)
                if images:
                    line = HTML_A.sub(
                        lambda m: "" if not plain(m.group("text")) else m.group(0),
                        HTML_IMG.sub("", IMAGE.sub("", line)),
                    )
                    if not plain(line):
                        continue
                for match in LINK.finditer(line):
                    if _PREVIOUS_WORK.search(plain(match.group("text"))):
                        entry.related.append(match.group("url"))
                    elif not is_absolute(match.group("url")) and not match.group("url").startswith(
                        "#"
                    ):
                        self.warnings.append(
                            (
                                f"line {self._number(index)}",
                                f"the link “{match.group('url')}” is relative: "
                                "it will not work on the site.",
                            )
                        )
                entry.links += [link for link in link_records(line) if link not in entry.links]
            kept.append(line.rstrip())
        text = "\n".join(kept).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if text and text not in entry.notes:
            entry.notes.append(text)
        if numbered_lines:
            entry.lines.append(self._number(numbered_lines[0][0]))


def _split_cells(row):
    """Cells of a table row; ``\\|`` and pipes inside ``$…$`` or code do not split."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, current, math, code = [], [], False, False
    index = 0
    while index < len(row):
        char = row[index]
        if char == "\\" and index + 1 < len(row):
            current.append(row[index : index + 2])
            index += 2
            continue
        if char == "`":
            code = not code
        elif char == "$" and not code:
            math = not math
            if row.startswith("$$", index):  # one delimiter, not two
                current.append("$$")
                index += 2
                continue
        if char == "|" and not math and not code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current))
    return cells


def _cell_notes(text):
    """Table-cell or item leftovers → Markdown paragraphs."""
    text = re.sub(r"^\s*(?:</h\d>\s*)+", "", text or "", flags=re.I)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = text.replace("\\|", "|")
    text = re.sub(r"^[\s:–—-]+", "", text)
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _urls_in(text):
    urls = [m.group("url") for m in LINK.finditer(text)]
    urls += [m.group("url") for m in HTML_A.finditer(text)]
    if not urls:
        urls = [m.group("url") for m in BARE_URL.finditer(text)]
    return list(dict.fromkeys(urls))


def _images_in(text):
    """``(src, caption, credit)`` of the Markdown and HTML images in ``text``."""
    images = [
        (m.group("src"), clean_text(m.group("title") or m.group("alt")), "")
        for m in IMAGE.finditer(text)
        if "img.shields.io/badge" not in m.group("src")
    ]
    for match in HTML_IMG.finditer(text):
        alt = HTML_ALT.search(match.group(0))
        images.append(
            (html.unescape(match.group("src")), clean_text(alt.group("alt") if alt else ""), "")
        )
    return images


def _split_jekyll_title(entry):
    """``[Title, affiliation, venue](url)`` in a year table → title, affiliations, venue."""
    parts = [part.strip() for part in entry.title.split(",")]
    if len(parts) >= 3:
        entry.title = ", ".join(parts[:-2])
        entry.affiliations, entry.venue = parts[-2][:500], parts[-1][:255]
    elif len(parts) == 2 and _VENUE_WORDS.search(parts[1]):
        entry.title, entry.venue = parts[0], parts[1][:255]
