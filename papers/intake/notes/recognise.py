"""Find the papers in a parsed notes document (``tree.Node`` blocks), whatever the layout.

An *entry* is a list item, table row, paragraph or heading about one paper; a link to a
paper host (or an org-ref ``cite:`` key) is what makes it one. A heading that groups
entries is a section: it becomes their tag, or their date when it is a date. Paper
links in an entry's notes are mentions, not new entries.
"""

import re

from papers.intake.notes import meta
from papers.intake.notes.body import NotesWriter
from papers.intake.notes.entries import NoteEntry, date_in
from papers.intake.notes.hosts import (
    NOT_PAPER_HOSTS,
    arxiv_from_text,
    arxiv_from_url,
    host_of,
    is_absolute,
    is_generic_label,
    is_paper_url,
    is_unsafe,
    paper_key,
)
from papers.intake.records import LinkRecord, clean_text, link_kind, normalize_title
from papers.tagging import TAG_MAX_LENGTH

_CONJUNCTION = re.compile(r"^\s*(?:and|,|;|&|\+|/|\|)\s*$", re.I)
# A dated title link (an MM.YYYY badge) names a paper even on a code host (a paper's
# repository); videos and social posts never do.
_NEVER_DATED_PAPER = ("youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com", "reddit.com")
_PAPER_LABEL = re.compile(r"^\s*[*_]*\s*(?:paper|pdf|link|arxiv|url|doi)\s*[*_]*\s*:", re.I)
_TITLE_YEAR = re.compile(rf"^(?P<title>[^()]{{10,}}?)\s+\(?(?P<year>{meta.YEAR})\)?$")
_URL_PROPERTIES = ("link", "url", "arxiv", "doi", "pdf")
_NUMBERED_PREFIX = re.compile(r"^(?:[A-Za-z-]+\s+){1,3}\d+\s*[:.\-–]\s+")
_COLUMN_ROLES = [
    ("title", r"title|papers?|name|article|publication|论文|work"),
    ("authors", r"authors?|by|who"),
    ("year", r"year|date|published|time|when"),
    ("venue", r"venue|conference|conf\.?|journal|where|booktitle|source|conf\.?\s*/\s*jour\w*"),
    ("link", r"links?|pdf|url|arxiv|paper link|download"),
]


def is_cite(url):
    return (url or "").lower().startswith("cite:")


def is_paper(url):
    return is_paper_url(url) or is_cite(url)


# ("article" is not among them: it is as often a blog article about the paper.)
_PAPER_WORDS = {"paper", "pdf", "arxiv", "publication", "full paper", "preprint"}


def is_paper_link(link):
    """A paper host, or any page the writer labels as the paper (``[Paper](distill.pub/…)``)."""
    if is_paper(link.url):
        return True
    if _local_pdf(link.url):
        return True  # the paper kept beside the notes ([[file:paper.pdf][PDF]])
    label = re.sub(r"[\W_]+", " ", link.text.lower()).strip()
    return (
        label in _PAPER_WORDS
        and is_absolute(link.url)
        and not any(host_of(link.url).endswith(h) for h in NOT_PAPER_HOSTS)
    )


def tag_name(text):
    """A section heading as a tag: footnotes and links out, at most the tag length."""
    text = clean_text(re.sub(r"\[\^[^\]]*\]", "", text)).strip(" :#*-–")
    if len(text) > TAG_MAX_LENGTH:
        text = text[: TAG_MAX_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return text if any(char.isalnum() for char in text) else ""


class Context:
    def __init__(self, tag="", date=None, tags=(), when=""):
        # ``when``: the text that gave ``date`` ("2017-12", "Added 2018/10/01").
        self.tag, self.date, self.tags, self.when = tag, date, list(tags), when

    def but(self, **changes):
        new = Context(self.tag, self.date, self.tags, self.when)
        for name, value in changes.items():
            setattr(new, name, value)
        return new


class Recogniser:
    """``entries`` (unmerged, in order), ``skipped`` (``(line, label, reason)``), ``warnings``."""

    def __init__(self, nodes, lines, base_dir=None, heading_extras=None):
        self.nodes, self.lines = nodes, lines
        self.extras = heading_extras or {}
        self.entries, self.skipped, self.warnings = [], [], []
        code = set()
        for node in _flatten(nodes):
            if node.kind == "code":
                code.update(range(node.start, node.end))
        self.notes = NotesWriter(lines, code, base_dir, self.warnings)
        self._run()

    # --- sections ---------------------------------------------------------------------------
    def _run(self):
        nodes, stack = self.nodes, []  # stack: (level, Context)
        index = 0
        first = next((i for i, n in enumerate(nodes) if n.kind == "heading"), len(nodes))
        self.entries += self._region(nodes[:first], Context())
        index = first
        while index < len(nodes):
            heading = nodes[index]
            following = next(
                (i for i in range(index + 1, len(nodes)) if nodes[i].kind == "heading"), len(nodes)
            )
            subtree_end = next(
                (i for i in range(index + 1, len(nodes))
                 if nodes[i].kind == "heading" and nodes[i].level <= heading.level),
                len(nodes),
            )  # fmt: skip
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            parent = stack[-1][1] if stack else Context()
            extra = self.extras.get(heading.start, {})
            own = self._heading_entry(heading, parent, extra)
            if own is None and heading.start in self.extras:
                own = self._org_titled_heading(
                    heading, parent, extra, nodes[index + 1 : subtree_end]
                )
            if own:
                body = self._source(
                    heading.end,
                    nodes[subtree_end].start if subtree_end < len(nodes) else len(self.lines),
                )
                self._property_notes(own, extra)
                self.notes.add(own, body)
                self.entries.append(own)
                index = subtree_end
                continue
            text = clean_text(heading.head.text)
            date = meta.date_only(text)
            context = (
                parent.but(date=date, when=text)
                if date
                else parent.but(tag=tag_name(text), tags=extra.get("tags", []))
            )
            stack.append((heading.level, context))
            found = self._region(nodes[index + 1 : following], context)
            _continue_heading(text, found, nodes[index + 1 : following])
            leaf = following == subtree_end
            titled = [entry for entry in found if entry.title]
            first_untitled = bool(found) and not found[0].title
            if (not titled or first_untitled) and leaf and not date:
                # The heading names the paper its body links first without a title;
                # titled entries further down stay entries of their own.
                untitled = [entry for entry in found if not entry.title]
                adopted = self._heading_adopts(heading, untitled[:1], following, parent, extra)
                if adopted:
                    self.entries += [adopted, *titled]
                    index = following
                    continue
            self.entries += found
            index = following

    def _heading_entry(self, heading, parent, extra):
        """The heading itself names a paper: a title link, or a link in its drawer."""
        links = [
            link
            for link in heading.head.links()
            if is_paper(link.url) or self._weak(link, heading.head)
        ]
        lower = {k.lower(): v for k, v in extra.get("properties", {}).items()}
        url = next((lower[name] for name in _URL_PROPERTIES if lower.get(name)), "")
        if not links and not url and not _cite_props(extra):
            return None
        context = parent.but(tags=extra.get("tags", []))
        if links:
            entries = self._entries_from(heading.head, heading.start, context)
            if not entries:
                return None
            entry = entries[0]
        else:
            entry = self._new(heading.start, context, title=meta.clean_title(heading.head.text))
            found = meta.parse_meta(heading.head.text)
            entry.year = entry.year or found["year"]
        if url:
            entry.url = entry.url or _property_url(url)
        _apply_properties(entry, extra.get("properties", {}))
        return entry

    def _org_titled_heading(self, heading, parent, extra, subtree):
        """An org reading list's ``* Kernel Methods For Deep Learning 2009 :svm:`` heading:
        a title and a year, no link, the subtree being the notes."""
        match = _TITLE_YEAR.match(clean_text(heading.head.text))
        if not match or len(match.group("title").split()) < 3 or heading.head.links():
            return None
        if any(n.head and n.head.links() for n in _flatten(subtree) if n.kind == "heading"):
            return None
        entry = self._new(heading.start, parent.but(tags=extra.get("tags", [])))
        entry.title = meta.clean_title(match.group("title"))
        entry.year, entry.month, entry.section_date = int(match.group("year")), None, False
        return entry

    def _heading_adopts(self, heading, found, end, parent, extra):
        """A leaf heading over one untitled paper link (``**Paper**: url``) is that paper."""
        keys = {paper_key(entry.url) for entry in found if entry.url}
        body = self._source(
            heading.end, self.nodes[end].start if end < len(self.nodes) else len(self.lines)
        )
        body_links = [u for _, line in body for u in _urls(line) if not u.startswith("#")]
        title = meta.clean_title(_NUMBERED_PREFIX.sub("", clean_text(heading.head.text)))
        found_date = meta.parse_meta(title)
        title, alias = meta.strip_remark(meta.clean_title(_title_before(title)))
        if not title:
            return None
        entry = self._new(heading.start, parent.but(tags=extra.get("tags", [])), title=title)
        entry.year, entry.month = date_in(heading.head.source)
        if not entry.year and found_date["year"]:
            entry.year, entry.month = found_date["year"], found_date["month"]
        entry.alias = alias
        if len(keys) > 1:
            return None
        # A short heading ("Reading", "Vision") over a bare link is a section; a heading
        # names a paper when it reads as a title, or the body labels the link as its paper.
        labelled = any(_PAPER_LABEL.match(line) for _, line in body)
        cited = any(is_cite(entry.url) for entry in found)
        if len(title.split()) < 3 and not labelled and not cited:
            return None
        self.notes.add(entry, body)
        _fill_from_bibtex(entry, body)
        if not entry.url and found:
            entry.url, entry.cite_text = found[0].url, found[0].cite_text
        if not entry.url:
            if body_links:
                shown = sorted(set(body_links))
                more = "…" if len(shown) > 3 else ""
                reason = f"no link to a paper (its links: {', '.join(shown[:3])}{more})."
                self.skipped.append((heading.line, title, reason))
                return None
            return None
        return entry

    # --- regions: lists, tables, paragraphs ---------------------------------------------------
    def _region(self, nodes, context):
        found, last, table, date = [], None, None, context.date
        for node in nodes:
            here = context.but(date=date)
            if node.kind != "row":
                table = None
            if node.kind == "item":
                entries = self._item(node, here)
                found += entries
                last = None
            elif node.kind == "row":
                if table is None or table[0] != node.header:
                    table = (
                        node.header,
                        _roles(
                            node.header,
                            [n for n in nodes if n.kind == "row" and n.header == node.header],
                        ),
                        [None],
                    )
                entries = self._row(node, here, table)
                found += entries
            elif node.kind in ("para", "html"):
                when = meta.date_only(node.head.text) if node.kind == "para" else None
                if when:
                    date, last = when, None
                    context = context.but(when=clean_text(node.head.text))
                    continue
                entries = self._paragraph(node, here)
                if entries:
                    found += entries
                    last = entries[-1]
                elif last is not None:
                    self.notes.add(last, self._source(node.start, node.end))
            elif node.kind in ("code", "quote") and last is not None:
                self.notes.add(last, self._source(node.start, node.end))
            elif node.kind == "rule":
                context, last = context.but(tag=""), None
        return found

    def _item(self, node, context):
        head = node.head or _empty()
        several = self._references_under(node, head, context)
        if several:
            return several
        entries = self._entries_from(head, node.start, context)
        children_source = self._source(node.head_end, node.end)
        if entries:
            self._children_meta(entries[-1], node.children)
            self.notes.add(entries[-1], _dedent(children_source))
            return entries
        # "1. **Title**" with the paper link in a sub-bullet: the item is the entry.
        child_links = [link for child in node.children if child.head for link in child.head.links()]
        paper_links = [link for link in child_links if is_paper(link.url)]
        title = meta.clean_title(head.text)
        if (
            paper_links
            and all(is_generic_label(link.text) for link in paper_links)
            and _title_like(title)
        ):
            entry = self._new(node.start, context, title=title)
            entry.url = paper_links[0].url
            found = meta.parse_meta(head.text)
            entry.year, entry.month = found["year"], found["month"]
            self._children_meta(entry, node.children)
            self.notes.add(entry, _dedent(children_source))
            return [entry]
        if node.children:
            tag = tag_name(head.text) if head.text.strip() and not head.links() else context.tag
            date = meta.date_only(head.text)
            inner = (
                context.but(date=date, when=clean_text(head.text))
                if date
                else context.but(tag=tag or context.tag)
            )
            return self._region(node.children, inner)
        return []

    def _references_under(self, node, head, context):
        """``* Blur Removal`` (or ``* SRCNN [[ECCV]](…) [[arXiv]](…)``) over two or more
        reference lines (``Authors, Title, Venue, Year [[Paper]](…)``): each line is a
        paper, with its own link or, when the item has one per line, the item's in order."""
        refs = []
        for child in node.children:
            if child.kind != "item" or not child.head:
                continue
            reference = meta.reference_under(_strip_generic(child.head), head.text)
            if reference and reference[1] and (reference[0] or reference[3]):
                refs.append((child, reference))
        if len(refs) < 2:
            return []
        own = [link for link in head.links() if is_paper_link(link)]
        entries = []
        for index, (child, (authors, title, venue, year)) in enumerate(refs):
            links = [link for link in child.head.links() if is_paper_link(link)]
            if links:
                url = links[0].url
            elif len(own) == len(refs):
                url = own[index].url
            else:
                continue  # no link says which paper it is: a mention
            entry = self._new(child.start, context, title=meta.clean_title(title))
            entry.url, entry.authors, entry.venue = url, authors, venue[:255]
            if year:
                entry.year, entry.month, entry.section_date = year, None, False
            written = arxiv_from_text(child.head.text)
            if written and not arxiv_from_url(url):
                entry.url_extra = f"https://arxiv.org/abs/{written[0]}"
            for link in child.head.links():
                if link.url != url and is_absolute(link.url) and not is_paper_link(link):
                    kind = link_kind(link.text, link.url) or "other"
                    entry.links.append(LinkRecord(kind=kind, url=link.url, label=link.text[:200]))
            self.notes.add(entry, _dedent(self._source(child.head_end, child.end)))
            entries.append(entry)
        return entries

    def _paragraph(self, node, context):
        """A paragraph may hold several entries, one per line (badge lists, link lines)."""
        found, piece, lines, had = [], None, [], False
        for inline, brk, offset in node.head.lines():
            signs = [
                link for link in inline.links() if is_paper(link.url) or self._weak(link, inline)
            ]
            if piece is None:
                piece, had = (inline, offset), bool(signs)
            elif had and any(is_paper(link.url) for link in signs):
                lines.append(piece)
                piece, had = (inline, offset), True
            else:
                # A badge line then its link line: one piece. ``had`` is kept up to date
                # instead of re-reading the piece, so long paragraphs stay linear.
                piece[0].spans.extend([_space(), *inline.spans])
                had = (
                    had
                    or bool(signs)
                    or any(self._weak(link, piece[0]) for link in inline.links()[:5])
                )
            if brk in ("hard", "br"):
                lines.append(piece)
                piece, had = None, False
        if piece is not None:
            lines.append(piece)
        for inline, offset in lines:
            if inline.text.strip() or inline.images:
                found += self._entries_from(inline, node.start + offset, context)
        return found

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

    # --- one entry from one piece of inline text -----------------------------------------------
    def _weak(self, link, inline):
        """A title link to a non-paper page counts when the piece dates it (a badge)."""
        return (
            is_absolute(link.url) and not is_generic_label(link.text)
            and not _on_host(host_of(link.url), _NEVER_DATED_PAPER)
            and link_kind(link.text, "") is None
            and date_in(" ".join(src for src, _ in inline.images))[0] is not None
        )  # fmt: skip

    def _entries_from(self, inline, start, context, title_cell=None):
        links = inline.links()
        for link in links:
            if is_unsafe(link.url):
                self.warnings.append(
                    (f"line {start + 1}", f"the link “{link.url[:40]}” is unsafe: left out.")
                )
        links = [link for link in links if not is_unsafe(link.url)]
        papers = []
        for link in links:
            # A weak (dated, non-paper-host) title link counts first in the piece, or
            # joined to the previous one by "and" / ",".
            joined = re.sub(r"\([^()]*\)", "", text_before(inline, link, papers))
            if (
                is_paper_link(link)
                or self._weak(link, inline)
                and (
                    not inline.text[: link.start].strip(" \xa0\u2009*_")
                    or papers
                    and _CONJUNCTION.match(joined)
                )
            ):
                papers.append(link)
        if not papers:
            return self._local_entry(inline, start, context, links)
        text = inline.text
        entries, used_keys, position = [], set(), 0
        first = papers[0]
        for link in papers:
            key = paper_key(link.url) if not is_cite(link.url) else ("cite", link.url)
            if key in used_keys:
                continue
            between = re.sub(r"\([^()]*\)", "", text[position : link.start])
            joined = _CONJUNCTION.match(between) and not is_generic_label(link.text)
            # Each citation cites its own paper ("TrueNorth [cite:@a] and Loihi [cite:@b]").
            if entries and not joined and not is_cite(link.url):
                if link is not first and entries and not entries[-1].url_extra:
                    entries[-1].url_extra = link.url
                continue
            entry = self._new(start, context)
            entry.url = link.url
            if title_cell is not None and not entries:
                entry.title = meta.clean_title(_strip_generic(title_cell))
            elif (
                not is_generic_label(link.text)
                and not is_cite(link.url)
                and not _label_link(inline, link)
            ):
                entry.title = meta.clean_title(link.text)
            elif is_cite(link.url) and not is_generic_label(link.text) and link.text != link.url:
                entry.cite_text = link.text
            else:
                before = _strip_generic(inline, upto=link.start).strip()
                bold = _strong_title(inline, link.start)
                quoted = re.search(r"[\"“]([^\"”]{10,})[\"”]", before)
                reference = meta.reference_under(before, linked=True)
                if reference:
                    entry.authors = reference[0]
                    entry.venue = reference[2][:255]
                title = bold or (quoted.group(1) if quoted else "")
                title = title or (reference[1] if reference else _title_before(before))
                entry.title, entry.alias = meta.strip_remark(meta.clean_title(title))
                if is_cite(link.url) and entry.title[:1].islower():
                    # "Others have modified the threshold [cite:@key]": a sentence of
                    # prose citing a paper, not its title (the .bib gives that).
                    entry.title, entry.alias = "", ""
            if not _title_like(entry.title):
                entry.title = ""
            title, alias, affiliations, venue = meta.split_venue(entry.title)
            entry.title, entry.alias, entry.affiliations, entry.venue = (
                title,
                alias,
                affiliations[:500],
                venue[:255],
            )
            entries.append(entry)
            used_keys.add(key)
            position = link.end
        # What the piece says around the titles: dates, authors, alias, venue.
        rest = text
        for link in links:
            rest = rest.replace(link.text, " ", 1) if link.text else rest
        for entry in entries:
            rest = rest.replace(entry.title, " ", 1) if entry.title else rest
        found = meta.parse_meta(rest)
        badge = date_in(" ".join(src for src, _ in inline.images))
        if not found["year"] and len(entries) == 1:
            # "[Deep Compression - ICLR'16 Best Paper]", "[[NIPS'17](…pdf)]": a link's
            # text names the venue and year.
            found["year"] = next(
                (y for link in links if (y := meta.short_venue_year(link.text))), None
            )
        for entry in entries:
            entry.alias = entry.alias or found["alias"] if len(entries) == 1 else entry.alias
            entry.authors = entry.authors or found["authors"]
            entry.venue = entry.venue or found["venue"][:255]
            own = badge if badge[0] else (found["year"], found["month"])
            if own[0] and (not entry.year or entry.section_date):
                # The entry's own date beats the heading's it sits under.
                entry.year, entry.month = own
                entry.section_date = False
        written, linked = arxiv_from_text(text), arxiv_from_url(entries[0].url)
        if len(entries) == 1 and written and linked and written[0] != linked[0]:
            # "…, arXiv:1511.02680 [[Paper]](…/abs/1511.00561)": which id is right?
            reason = f"its text says arXiv:{written[0]}, its link {linked[0]}: not guessed."
            self.skipped.append((start + 1, entries[0].title or entries[0].url, reason))
            return []
        if len(entries) > 1:
            self._aliases(entries, text, links)
        elif not arxiv_from_url(entries[0].url) and not entries[0].url_extra:
            # "arXiv preprint arXiv:1502.04623", "CoRR abs/1510.00149" beside a PDF link.
            written = arxiv_from_text(text)
            if written:
                entries[0].url_extra = f"https://arxiv.org/abs/{written[0]}"
        for link in links:
            if link in papers:
                continue
            if not is_absolute(link.url):
                if link.url.split("#")[0].lower().endswith((".md", ".markdown")):
                    self.notes.local_notes(entries[-1], link.url, f"line {start + 1}")
                continue
            kind = link_kind(link.text, link.url) or "other"
            entries[-1].links.append(LinkRecord(kind=kind, url=link.url, label=link.text[:200]))
        for src, alt in inline.images:
            if "img.shields.io" not in src and not is_absolute(src):
                entries[-1].images.append((src, alt, "", start + 1))
        return entries

    def _local_entry(self, inline, start, context, links):
        """``Title [[notes](papers/x.md)]`` or ``[Title](summaries/x.md)`` in a dated list:
        a paper whose notes are kept in that file (one file per paper)."""
        local = [
            link
            for link in links
            if _local_notes_link(link.url)
            and (_in_papers_folder(link.url) or _title_like(link.text) and len(link.text) > 12)
        ]
        if not local:
            return []
        link = local[0]
        if not is_generic_label(link.text) and link.text != link.url:
            title = link.text
        else:
            title = _title_before(_strip_generic(inline, upto=link.start))
        title, alias = meta.strip_remark(meta.clean_title(title))
        rest = inline.text.replace(link.text, " ").replace(title, " ")
        found = meta.parse_meta(rest)
        if not _title_like(title) or len(title.split()) < 2 or not (context.date or found["year"]):
            return []
        entry = self._new(start, context, title=title)
        entry.alias = alias or found["alias"]
        if found["year"]:
            entry.year, entry.month, entry.section_date = found["year"], found["month"], False
        entry.venue = found["venue"][:255]
        for other in links:
            if _local_notes_link(other.url):
                self.notes.local_notes(entry, other.url, f"line {start + 1}")
            elif is_absolute(other.url):
                kind = link_kind(other.text, other.url) or "other"
                entry.links.append(LinkRecord(kind=kind, url=other.url, label=other.text[:200]))
        return [entry]

    def _aliases(self, entries, text, links):
        """``[A](u) (MoE) and [B](v) (Mixtral 8x7B)``: each alias follows its own link."""
        ends = {link.url: link.end for link in links}
        for entry in entries:
            after = text[ends.get(entry.url, len(text)) :]
            match = re.match(r"\s*\((?P<alias>[^()]{1,40})\)", after)
            entry.alias = (
                match.group("alias").strip()
                if match and not meta.date_only(match.group("alias"))
                else ""
            )

    def _children_meta(self, entry, children):
        """A sub-bullet gives authors, venue, year: ``Kaiming He, Xiangyu Zhang, ArXiv, 2016``;
        or a whole reference, ``Authors, Full Title, Venue, Year``, whose title wins over
        a short name in the item (which becomes the alias)."""
        for child in children[:3]:
            if child.kind not in ("item", "para") or not child.head:
                continue
            text = _strip_generic(child.head)
            reference = meta.reference_under(text, entry.title)
            if reference and not meta_title_differs(entry.title, reference[1]):
                if reference[3] and (not entry.year or entry.section_date):
                    entry.year, entry.month, entry.section_date = reference[3], None, False
                entry.authors = entry.authors or reference[0]
                return
            if reference is None and _short_name(entry.title) and _reference_like(text):
                # "GoogLeNet [[Paper]](…)" over "Authors, CVPR, 2015.": the paper's title
                # is nowhere in the file; the short name is not it.
                entry.alias, entry.title = entry.title[:100], ""
                entry.untitled_why = (
                    f"only a short name (“{entry.alias[:40]}”) names the paper and its "
                    "reference line gives no title (--lookup fetches it)."
                )
                return
            written = arxiv_from_text(text)
            # "…, arXiv:1502.03044 / ICML 2015" under a link to the author's PDF.
            if reference and written and not entry.url_extra and not arxiv_from_url(entry.url):
                entry.url_extra = f"https://arxiv.org/abs/{written[0]}"
            if reference and meta_title_differs(entry.title, reference[1]):
                short, _, affiliation = entry.title.partition(", ")
                entry.alias = entry.alias or (short if len(short) <= 40 else "")
                entry.affiliations = entry.affiliations or affiliation[:500]
                entry.title = reference[1]
                entry.authors = entry.authors or reference[0]
                entry.venue = entry.venue or reference[2][:255]
                if reference[3] and (not entry.year or entry.section_date):
                    entry.year, entry.month, entry.section_date = reference[3], None, False
                return
            if child.head.links():
                continue
            found = meta.parse_meta(child.head.text)
            if found["authors"] and not entry.authors:
                entry.authors = found["authors"]
                entry.venue = entry.venue or found["venue"][:255]
                entry.year = entry.year or found["year"]

    def _new(self, start, context, title=""):
        entry = NoteEntry(line=start + 1, title=title, section=context.tag, lines=[start + 1])
        entry.tags = [tag_name(t) for t in context.tags if tag_name(t)]
        if context.date:
            entry.year, entry.month = context.date
            entry.section_date, entry.section_when = True, context.when
        return entry

    def _property_notes(self, entry, extra):
        """Org property drawers and ratings are kept as notes lines, never dropped."""
        properties = extra.get("properties", {})
        shown = [
            f"- **{name}**: {value}"
            for name, value in properties.items()
            if name.lower() not in (*_URL_PROPERTIES, "custom_id", "id") and str(value).strip()
        ]
        if shown:
            entry.notes.append("\n".join(shown))

    def _source(self, start, end):
        return [(index, self.lines[index]) for index in range(start, min(end, len(self.lines)))]


def _strong_title(inline, upto):
    """The first bold/italic run before ``upto`` that reads as a title (not ``[12]``)."""
    runs, current, offset = [], [], 0
    for span in inline.spans:
        if offset >= upto:
            break
        if span.strong and not span.url:
            current.append(span.text)
        elif current:
            runs.append("".join(current))
            current = []
        offset += len(span.text)
    runs.append("".join(current))
    for run in runs:
        title = meta.clean_title(run)
        if _title_like(title) and not re.fullmatch(r"[\W\d]*", title) and len(title) > 8:
            return title
    return ""


def _on_host(host, hosts):
    # huggingface.co pages can be papers (hf.co/papers) or blog posts: not excluded here.
    return any(host == h or host.endswith("." + h) for h in hosts if h != "huggingface.co")


def _local_notes_link(url):
    return not is_absolute(url) and url.split("#")[0].lower().endswith((".md", ".markdown", ".org"))


def _local_pdf(url):
    path = (url or "").split("#")[0].split("?")[0].lower()
    return not is_absolute(url) and not is_unsafe(url) and path.endswith(".pdf")


def _in_papers_folder(url):
    return any("paper" in part.lower() for part in url.split("/")[:-1])


def _label_link(inline, link):
    """``Title [[Scientific Reports](url)]``: a bracketed link after a title is a label."""
    text = inline.text
    bracketed = text[: link.start].rstrip().endswith("[") and text[link.end :].lstrip().startswith(
        "]"
    )
    before = clean_text(text[: link.start]).strip(" [(")
    return (bracketed or link.text.startswith("[")) and _title_like(before) and len(before) > 10


def meta_title_differs(title, reference):
    """The reference's title is the real one unless the item already gives it in full."""
    return normalize_title(title) != normalize_title(reference)


def text_before(inline, link, papers):
    """The text between the last accepted paper link and ``link``."""
    start = papers[-1].end if papers else 0
    return inline.text[start : link.start]


_BIBTEX_START = re.compile(
    r"^\s*@(?:article|inproceedings|incollection|book|misc|techreport|phdthesis|"
    r"mastersthesis|conference|unpublished|online)\s*\{",
    re.I,
)


def _fill_from_bibtex(entry, body):
    """A BibTeX block among an entry's notes (an org ``#+BEGIN_SRC bibtex``) gives the
    date, authors, venue and DOI the heading does not."""
    lines = [line for _, line in body]
    start = next((i for i, line in enumerate(lines) if _BIBTEX_START.match(line)), None)
    if start is None or entry.year and entry.authors:
        return
    block = []
    for line in lines[start : start + 60]:
        if line.strip().startswith("```"):
            break
        block.append(line)
    from papers.intake.batch import Problem
    from papers.intake.bibtex_import import parse_bibtex

    records = [item for item in parse_bibtex("\n".join(block)) if not isinstance(item, Problem)]
    if not records:
        return
    record = records[0]
    mine, theirs = normalize_title(entry.title), normalize_title(record.title)
    if mine and theirs and (mine in theirs or theirs in mine):
        entry.title = record.title  # the same paper, named in full
    entry.year, entry.month = entry.year or record.year, entry.month or record.month
    entry.authors = entry.authors or record.authors
    entry.venue = entry.venue or record.venue[:255]
    if not entry.url and (record.doi or record.url):
        entry.url = f"https://doi.org/{record.doi}" if record.doi else record.url


def _flatten(nodes):
    for node in nodes:
        yield node
        yield from _flatten(node.children)


def _empty():
    from papers.intake.notes.tree import Inline

    return Inline()


def _space():
    from papers.intake.notes.tree import Span

    return Span(" ")


def _urls(line):
    from papers.intake.notes.body import urls_in

    return urls_in(line)


def _dedent(numbered):
    indents = [len(line) - len(line.lstrip()) for _, line in numbered if line.strip()]
    cut = min(indents) if indents else 0
    return [(index, line[cut:]) for index, line in numbered]


def _title_like(text):
    return bool(text) and not is_generic_label(text) and not meta.date_only(text) and len(text) >= 3


def _strip_generic(inline, upto=None):
    """The inline's text up to ``upto`` without the texts of generic links (``[code]``)."""
    out, offset = [], 0
    for span in inline.spans:
        if upto is not None and offset >= upto:
            break
        if not (span.url and is_generic_label(span.text)):
            out.append(span.text)
        offset += len(span.text)
    return clean_text("".join(out))


def _title_before(text):
    """``Title (2015), G. Hinton et al.`` → ``Title``; ``Title - A. Name`` → ``Title``."""
    text = re.sub(r"[\[(]+\s*$", "", text).strip()
    # "… et al. [[pdf]] (https://…)": a label that did not become a link.
    text = re.sub(r"\s*\[\[?[^\[\]]{1,12}\]\]?\s*$", "", text).strip()
    # "perhaps read with (or instead): Contextual String Embeddings…": a remark first.
    remark = re.match(r"^[a-z][^:]*?\s[^:]*?\s[^:]{1,80}:\s+(?P<title>[A-Z].+)$", text)
    if remark:
        text = remark.group("title")
    match = re.search(rf"\s*\((?:[^()]*?\b{meta.YEAR}\b[^()]*|[^()]*et al\.?[^()]*)(?:\)|$)", text)
    if match:
        return text[: match.start()]
    match = re.search(
        r",\s*(?:[A-Z]\.\s?)+[A-Z][\w'’\-]+(?:\s+et\.? al\.?)?(?:\s+and\s+.*)?\.?$", text
    )
    if match:
        return text[: match.start()]
    match = re.search(r"\.\s+(?P<who>[^.]+(?:\.\s?[A-Z][^.]*)*)\.?$", text)
    if match and meta.names(match.group("who")):  # "Title. Chen and Manning."
        return text[: match.start()]
    match = re.search(r"\s+[-–—]\s+(?!(?:A|An|The)\s)(?P<who>.*)$", text)
    if match and meta.names(match.group("who")):
        return text[: match.start()]
    return text


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


def _roles(header, rows):
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


def _cite_props(extra):
    props = {name.lower() for name in extra.get("properties", {})}
    return "custom_id" in props and bool(props & {"author", "year", "doi", "url", "journal"})


def _property_url(value):
    value = value.strip()
    if re.match(r"^\d{4}\.\d{4,5}", value) or value.lower().startswith("arxiv:"):
        return "https://arxiv.org/abs/" + value.split(":", 1)[-1].strip()
    if value.startswith("10."):
        return "https://doi.org/" + value
    match = re.match(r"^\[\[(?P<url>[^\]]+)\]", value)
    return match.group("url") if match else value


def _apply_properties(entry, properties):
    lower = {name.lower(): value for name, value in properties.items()}
    if lower.get("year") and not entry.year:
        match = re.search(rf"\b{meta.YEAR}\b", lower["year"])
        entry.year = int(match.group(0)) if match else None
    if lower.get("author") and not entry.authors:
        entry.authors = [
            clean_text(a) for a in re.split(r"\s+and\s+", lower["author"]) if clean_text(a)
        ]
    if lower.get("journal") and not entry.venue:
        entry.venue = clean_text(lower["journal"])[:255]
    if lower.get("custom_id"):
        entry.cite_key = lower["custom_id"]


def _short_name(title):
    """A nickname rather than a title: "GoogLeNet", "OverFeat, NYU", "Virginia Tech / MSR"."""
    name = title.split(",")[0]
    return bool(title) and (len(name.split()) <= 3 or " / " in name)


def _reference_like(text):
    """A reference line: it starts with two authors' full names."""
    parts = [part.strip(" .") for part in text.split(",")]
    return len(parts) >= 3 and all(meta._people(part) for part in parts[:2])


_DANGLING = re.compile(r"\b(?:and|or|of|for|with|the|in|to|a|an|on|via|from|by)$", re.I)


def _continue_heading(text, found, body):
    """``### Satirical News Detection … Mechanism and`` / ``Linguistic Features`` /
    ``url``: a heading cut mid-title goes on in its body's first line, which the body's
    entry took for its whole title."""
    if not found or not body or body[0].kind != "para" or not _DANGLING.search(text):
        return
    first = found[0]
    if first.line == body[0].start + 1 and first.title and len(first.title.split()) <= 4:
        first.title = f"{text.rstrip()} {first.title}"
