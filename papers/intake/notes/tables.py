"""Table rows as entries: column roles from header names and cell contents."""

import re

from papers.intake.notes import meta
from papers.intake.notes.hosts import (
    is_absolute,
)
from papers.intake.notes.links import is_paper_link
from papers.intake.notes.schedule import presenter_column, session_dated
from papers.intake.records import clean_text

_COLUMN_ROLES = [
    ("title", r"title|papers?|name|article|publication|论文|work"),
    ("authors", r"authors?|by|who"),
    ("year", r"year|date|published|time|when"),
    ("venue", r"venue|conference|conf\.?|journal|where|booktitle|source|conf\.?\s*/\s*jour\w*"),
    ("link", r"links?|pdf|url|arxiv|paper link|download"),
]


def _after_link(source, url):
    """The Markdown of a cell after its title link (``</h3> My note…``)."""
    at = source.find(f"]({url}")
    if at < 0:
        return ""
    close = source.find(")", at + 2 + len(url))
    return source[close + 1 :] if close >= 0 else ""


def _year_cell(cells, roles):
    position = roles.get("year")
    if position is None or position >= len(cells):
        return None
    match = re.search(rf"\b{meta.YEAR}\b", cells[position].text)
    return int(match.group(0)) if match else None


def column_roles(header, rows):
    """Column roles from header names, else from what the cells hold."""
    roles = {}
    for position, name in enumerate(header):
        label = name.strip().lower()
        for role, pattern in _COLUMN_ROLES:
            if role not in roles and re.fullmatch(rf"(?:{pattern})s?", label):
                roles[role] = position
                break
    width = max((len(row.cells) for row in rows), default=0)
    if "year" not in roles:
        for position in range(min(width, 50)):
            values = [row.cells[position].text.strip() for row in rows if position < len(row.cells)]
            filled = [value for value in values if value]
            if filled and sum(bool(re.fullmatch(meta.YEAR, v)) for v in filled) >= 0.8 * len(
                filled
            ):
                roles["year"] = position
                break
    if "link" in roles and "title" not in roles:
        for position in range(min(width, 50)):
            if position not in roles.values():
                roles["title"] = position
                break
    return roles


class TableRows:
    """The ``Recogniser``'s table rows (mixed into it)."""

    def _row(self, node, context, table):
        header, roles, last = table
        cells = node.cells
        role_of = {position: role for role, position in roles.items()}
        links = [(position, link) for position, cell in enumerate(cells) for link in cell.links()]
        paper = [
            (p, link)
            for p, link in links
            if is_paper_link(link) or (p == roles.get("title") and self._weak(link, cells[p]))
        ]
        title_at = roles.get("title")
        title_cell = cells[title_at] if title_at is not None and title_at < len(cells) else None
        year = _year_cell(cells, roles)
        schedule = presenter_column(header) is not None
        when, held = "", None
        if schedule and year:
            # A schedule's date column: when it was presented, not when it appeared.
            when, held, year = clean_text(cells[roles["year"]].text), year, None
        # Without a paper link, a row with a title and a year is a paper only when it
        # links nothing else either (a "Blogs" table links its blog posts).
        unlinked = not any(is_absolute(link.url) for _, link in links)
        if not paper and not (title_cell and title_cell.text.strip() and year and unlinked):
            if last[0] is not None:
                for position, cell in enumerate(cells):
                    if cell.source.strip() and role_of.get(position) not in ("year",):
                        self.notes.add(last[0], [(node.start, cell.source)], table=True)
            return []
        if paper:
            position = next((p for p, _ in paper if p == title_at), paper[0][0])
            entries = self._entries_from(
                cells[position],
                node.start,
                context,
                title_cell=title_cell if position != title_at else None,
            )
            if title_cell is not None and title_cell.text.strip():
                # A row with a title column is one paper, whatever its links cell holds.
                entries = entries[:1]
        else:
            entries = [self._new(node.start, context, title=meta.clean_title(title_cell.text))]
            position = title_at
        if not entries:
            return []
        entry = entries[-1]
        if schedule:
            session_dated(entries, when, held)
        if year:
            for each in entries:
                each.year, each.month, each.section_date = year, None, False
        if "authors" in roles and roles["authors"] < len(cells) and not entry.authors:
            entry.authors = meta.names(cells[roles["authors"]].text)
        if "venue" in roles and roles["venue"] < len(cells) and not entry.venue:
            entry.venue = clean_text(cells[roles["venue"]].text)[:255]
        rest = _after_link(cells[position].source, entries[-1].url)
        self.notes.add(entry, [(node.start, rest)], table=True)
        for other, cell in enumerate(cells):
            if (
                other != position
                and role_of.get(other) not in ("year", "title", "authors", "venue")
                and cell.source.strip()
            ):
                self.notes.add(entry, [(node.start, cell.source)], table=True)
        last[0] = entry
        return entries
