"""Find the papers in a parsed notes document (``tree.Node`` blocks), whatever the layout.

An *entry* is a list item, table row, paragraph or heading about one paper; a link to a
paper host (or an org-ref ``cite:`` key) is what makes it one. A heading that groups
entries is a section: it becomes their tag, or their date when it is a date. Paper
links in an entry's notes are mentions, not new entries.
"""

import re

from papers.intake.notes import linktext, meta
from papers.intake.notes.body import NotesWriter
from papers.intake.notes.entries import NoteEntry, date_in
from papers.intake.notes.hosts import (
    arxiv_from_text,
    arxiv_from_url,
    host_of,
    is_absolute,
    is_generic_label,
    is_unsafe,
    paper_key,
)
from papers.intake.notes.links import (
    NEVER_DATED_PAPER,
    in_papers_folder,
    is_cite,
    is_paper,
    is_paper_link,
    local_notes_link,
    names_its_file,
    on_host,
)
from papers.intake.notes.notes_site import NotesSiteList
from papers.intake.notes.notespage import about_no_paper
from papers.intake.notes.orgprops import OrgProperties, title_from_bibtex
from papers.intake.notes.references import References, title_before_wrap
from papers.intake.notes.sections import Sections, dedent, empty, flatten, space, tag_name
from papers.intake.notes.tables import TableRows, column_roles
from papers.intake.notes.titles import (
    CONJUNCTION,
    label_link,
    strip_generic,
    strong_title,
    text_before,
    title_before,
    title_like,
)
from papers.intake.records import LinkRecord, clean_text, link_kind

# "Quick summaries: …", "Notes: …", "Overview: …": a page about several papers.
SEVERAL_PAPERS = re.compile(r"^(?:\w+\s+)?(?:summar(?:y|ies)|notes|overview|round-?up)\s*:", re.I)


# "Planning: " before an entry's title link: the topic it is filed under.
_TOPIC_LABEL = re.compile(r"^\s*(?P<label>[A-Za-z][^:\[\]()]{0,30}):\s*$")

# A notes file named after its paper's year and first author: "2018-Edunov_back-translation.md".
_FILE_YEAR = re.compile(r"(?:^|/)(?P<year>(?:19[5-9]|20[0-4])\d)[-_][A-Za-z][^/]*\.(?:md|org)$")
# Text before a link that ends mid-sentence ("… in the [paper](…)", "see [here](…)").
_RUNS_ON = re.compile(
    r"\b(?:the|a|an|in|of|see|refer|at|from|on|to|this|our|its|their|by|with|and|or)\s*$",
    re.I,
)
# A heading that says its list is one of papers.
_NAMES_PAPERS = re.compile(r"\bpapers?\b|\breading[- ]list\b", re.I)


class Recogniser(Sections, TableRows, References, OrgProperties, NotesSiteList):
    """``entries`` (unmerged, in order), ``skipped`` (``(line, label, reason)``), ``warnings``."""

    def __init__(self, nodes, lines, base_dir=None, heading_extras=None):
        self.nodes, self.lines = nodes, lines
        self.extras = heading_extras or {}
        self.entries, self.skipped, self.warnings = [], [], []
        code = set()
        for node in flatten(nodes):
            if node.kind == "code":
                code.update(range(node.start, node.end))
        self.notes = NotesWriter(lines, code, base_dir, self.warnings)
        self._run()

    # --- regions: lists, tables, paragraphs ---------------------------------------------------
    def _region(self, nodes, context):
        found, last, table, date = [], None, None, context.date
        titled_by = ""  # "- ### Title" with nothing else: the title of the next bare link
        unmatched, items_found = [], False  # leaf list items that named no paper
        for node in nodes:
            here = context.but(date=date)
            before, titled_by = titled_by, ""
            if node.kind != "row":
                table = None
            if node.kind == "item":
                entries = self._item(node, here)
                found += entries
                items_found = items_found or any(not e.local_pending for e in entries)
                if not entries and not node.children:
                    unmatched.append(node)
                last = None
                heads = [child for child in node.children if child.kind == "heading"]
                if not entries and len(node.children) == 1 and heads and not heads[0].head.links():
                    titled_by = meta.strip_remark(meta.clean_title(heads[0].head.text))[0]
            elif node.kind == "row":
                if table is None or table[0] != node.header:
                    table = (
                        node.header,
                        column_roles(
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
                if len(entries) == 1 and not entries[0].title and title_like(before):
                    entries[0].title = before  # "- ### Title" then "https://…" below it
                if entries:
                    found += entries
                    last = entries[-1]
                elif last is not None:
                    self.notes.add(last, self._source(node.start, node.end))
            elif node.kind in ("code", "quote") and last is not None:
                self.notes.add(last, self._source(node.start, node.end))
                # "[[arXiv]](…)" then "```bibtex" citing it: the block names the paper.
                title_from_bibtex(last, self._source(node.start, node.end))
            elif node.kind == "rule":
                context, last = context.but(tag=""), None
        # A list under "List of papers" / "Papers I read" whose items link only notes pages
        # or blogs names papers too: listed, never dropped unseen, though none is imported.
        if items_found:
            self._list_unmatched(unmatched)
        elif _NAMES_PAPERS.search(context.tag or ""):
            # Only the items that link something: a README's "What you find here" bullets
            # under its "# Papers I read" title are no papers.
            linked = [node for node in unmatched if node.head and node.head.links()]
            notes_site = self._notes_site_list(linked, context)
            if notes_site is None:
                self._list_unmatched(linked)
            found += notes_site or []
        return found

    def _list_unmatched(self, items):
        """A list of papers' items that name no paper ("- A Title (2016)" without a link,
        "- [A Blog Post](…)") are listed as skipped with the reason, never dropped unseen."""
        listed = {line for line, _, _ in self.skipped}
        for node in items:
            if node.start + 1 in listed:
                continue  # already listed with a better reason
            text = clean_text((node.head or empty()).text).strip()
            if len(text.split()) < 2:
                continue  # "---", "TODO", an emoji: not something that reads as a paper
            shown = sorted({link.url for link in node.head.links() if is_absolute(link.url)})
            if shown:
                more = "…" if len(shown) > 3 else ""
                reason = f"no link to a paper (its links: {', '.join(shown[:3])}{more})."
            else:
                reason = "no link to a paper and no whole reference (authors, title, venue, year)."
            self.skipped.append((node.start + 1, text[:120], reason))

    def _item(self, node, context):
        head = node.head or empty()
        several = self._references_under(node, head, context)
        if several:
            return several
        entries = self._entries_from(head, node.start, context)
        children_source = self._source(node.head_end, node.end)
        if entries:
            self._children_meta(entries[-1], node.children)
            self.notes.add(entries[-1], dedent(children_source))
            return entries
        # "1. **Title**" with the paper link in a sub-bullet: the item is the entry.
        child_links = [link for child in node.children if child.head for link in child.head.links()]
        paper_links = [link for link in child_links if is_paper(link.url)]
        title = meta.clean_title(head.text)
        if (
            paper_links
            and all(is_generic_label(link.text) for link in paper_links)
            and title_like(title)
        ):
            entry = self._new(node.start, context, title=title)
            entry.url = paper_links[0].url
            found = meta.parse_meta(head.text)
            entry.year, entry.month = found["year"], found["month"]
            self._children_meta(entry, node.children)
            self.notes.add(entry, dedent(children_source))
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
        return self._unlinked_reference(node, head, context)

    def _unlinked_reference(self, node, head, context):
        """``* Zhe Cao, Tomas Simon, and Yaser Sheikh, Realtime Multi-Person Pose Estimation,
        CVPR, 2017.``: a whole reference (authors, title, venue and year) names a paper
        without a link; anything less (a title alone, a remark) does not. Written title
        first (``1. Title. Park, Wonpyo et al. CVPR 2019 [[code]](…)``, ``1. Title.
        arXiv:1606.07947``), the venue and year or the written arXiv id are enough; its
        code and other links are typed links on it."""
        links = head.links()
        if any(is_paper(link.url) for link in links):
            return []
        if not links:
            reference = meta.citation(head.text)
            if reference and reference[0] and reference[2] and reference[3]:
                authors, title, venue, year = reference
                if len(title.split()) < 3:
                    return []
                entry = self._new(node.start, context, title=meta.clean_title(title))
                entry.authors, entry.venue = authors, venue[:255]
                entry.year, entry.month, entry.section_date = year, None, False
                return [entry]
        named, bare = head.text, head.text
        for link in links:
            # "[[code]][1.10]" is no part of the reference; "[KD-Lib][18.29]: A library…"
            # (a name linked to its repository) may be, "… ICLR 2020 [[RepDistill]][4.4]"
            # is not: with the name first, then without it.
            bare = bare.replace(f"[{link.text}]", " ").replace(link.text, " ")
            if is_generic_label(link.text):
                named = named.replace(f"[{link.text}]", " ").replace(link.text, " ")
            else:
                named = named.replace(f"[{link.text}]", link.text)
        reference = meta.title_first(re.sub(r"\[\s*\]", " ", named)) or (
            links and meta.title_first(re.sub(r"\[\s*\]", " ", bare))
        )
        if not reference:
            return []
        authors, title, venue, year, arxiv_id = reference
        title = title_before_wrap(head, title)
        entry = self._new(node.start, context, title=meta.clean_title(title))
        entry.authors, entry.venue = authors, venue[:255]
        if year:
            entry.year, entry.month, entry.section_date = year, None, False
        if arxiv_id:
            entry.url = f"https://arxiv.org/abs/{arxiv_id}"
        for link in links:
            if is_absolute(link.url):
                kind = link_kind(link.text, link.url) or "other"
                entry.links.append(LinkRecord(kind=kind, url=link.url, label=link.text[:200]))
        return [entry]

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
                piece[0].spans.extend([space(), *inline.spans])
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
                found += self._entries_from(inline, node.start + offset, context, prose=True)
        return found

    # --- one entry from one piece of inline text -----------------------------------------------
    def _weak(self, link, inline):
        """A title link to a non-paper page counts when the piece dates it (a badge)."""
        return (
            is_absolute(link.url) and not is_generic_label(link.text)
            and not on_host(host_of(link.url), NEVER_DATED_PAPER)
            and link_kind(link.text, "") is None
            and date_in(" ".join(src for src, _ in inline.images))[0] is not None
        )  # fmt: skip

    def _entries_from(self, inline, start, context, title_cell=None, prose=False):
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
                    and CONJUNCTION.match(joined)
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
            joined = CONJUNCTION.match(between) and not is_generic_label(link.text)
            # Each citation cites its own paper ("TrueNorth [cite:@a] and Loihi [cite:@b]").
            if entries and not joined and not is_cite(link.url):
                if link is not first and entries and not entries[-1].url_extra:
                    entries[-1].url_extra = link.url
                continue
            entry = self._new(start, context)
            entry.url = link.url
            if title_cell is not None and not entries:
                entry.title = meta.clean_title(strip_generic(title_cell))
            elif (
                not is_generic_label(link.text)
                and not is_cite(link.url)
                and not label_link(inline, link)
            ):
                entry.title, own_date = meta.trailing_date(clean_text(link.text))
                entry.title = meta.clean_title(entry.title)
                if own_date:  # "[Pointer Networks (2015.06)](…)": the paper's own date
                    entry.year, entry.month = own_date
                    entry.section_date = False
                _more_than_title(entry, clean_text(link.text))
            elif is_cite(link.url) and not is_generic_label(link.text) and link.text != link.url:
                entry.cite_text = link.text
            else:
                before = strip_generic(inline, upto=link.start).strip()
                bold = strong_title(inline, link.start)
                quoted = re.search(r"[\"“]([^\"”]{10,})[\"”]", before)
                reference = meta.reference_under(before, linked=True)
                if reference:
                    entry.authors = reference[0]
                    entry.venue = reference[2][:255]
                title = bold or (quoted.group(1) if quoted else "")
                cited = None if title else linktext.names_first(before)
                if cited:  # "Li, Y. and Yang, J., 2010. Title. In ECCV [(Paper)](…)"
                    entry.authors, title, entry.venue, year = cited
                    entry.venue = entry.venue[:255]
                    if year and (not entry.year or entry.section_date):
                        entry.year, entry.month, entry.section_date = year, None, False
                    reference = None
                written = None if title or reference else meta.title_first(before)
                if written:  # "Title. Liu, Dugang et al. SIGIR 2020 [[Slides]](…pdf)"
                    entry.authors, title, entry.venue = written[0], written[1], written[2][:255]
                title = title or (reference[1] if reference else title_before(before))
                if not (bold or quoted or reference or written) and _RUNS_ON.search(before):
                    # "…refer section 6 and appendix in the [paper](…)": the sentence runs
                    # on into the link; what comes before it is prose, not a title.
                    title = ""
                entry.title, entry.alias = meta.strip_remark(meta.clean_title(title))
                if is_cite(link.url) and (prose or entry.title[:1].islower()):
                    # "Others have modified the threshold [cite:@key]": a sentence of
                    # prose citing a paper, not its title (the .bib gives that).
                    entry.title, entry.alias = "", ""
            if not title_like(entry.title):
                entry.title = ""
            named_first = linktext.alias_first(entry.title)
            if named_first:  # "CPM-1. Chinese Pre-trained Language Model, 2020"
                entry.title, entry.alias, year = named_first
                if not entry.year or entry.section_date:
                    entry.year, entry.month, entry.section_date = year, None, False
            title, alias, affiliations, venue = meta.split_venue(entry.title)
            title, short = linktext.tidy(title)
            entry.title, entry.alias, entry.affiliations, entry.venue = (
                title,
                alias or short or entry.alias,
                affiliations[:500] or entry.affiliations,
                venue[:255] or entry.venue,
            )
            entries.append(entry)
            used_keys.add(key)
            position = link.end
        # What the piece says around the titles: dates, authors, alias, venue.
        rest = text
        # "- Planning: [Title (1998)](…)": a topic label before the title, not its author.
        label = _TOPIC_LABEL.match(text[: papers[0].start])
        if label and len(label.group("label").split()) <= 3:
            rest = " " + text[label.end() :]
        for link in links:
            rest = rest.replace(link.text, " ", 1) if link.text else rest
        for entry in entries:
            rest = rest.replace(entry.title, " ", 1) if entry.title else rest
            # "**GPT-2**. Title, 2019": the short name before the title is no author.
            rest = rest.replace(f"{entry.alias}.", " ", 1) if entry.alias else rest
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
            if local_notes_link(link.url)
            and (
                in_papers_folder(link.url)
                or title_like(link.text)
                and (len(link.text) > 12 or names_its_file(link))
            )
        ]
        if not local:
            return []
        link = local[0]
        if not is_generic_label(link.text) and link.text != link.url:
            title = link.text
        else:
            title = title_before(strip_generic(inline, upto=link.start))
        more = linktext.read(clean_text(title))
        title, own_date = more or meta.trailing_date(clean_text(title))
        title, alias = meta.strip_remark(meta.clean_title(title))
        rest = inline.text.replace(link.text, " ").replace(title, " ")
        found = meta.parse_meta(rest)
        if more:  # "[Title (2019) - Authors](notes/x.md)": its own year and authors
            found["year"], found["month"] = more[1]["year"], None
            found["authors"] = more[1]["authors"]
        elif own_date:  # "[Pointer Networks (2015.06)](notes/x.md)": the paper's own date
            found["year"], found["month"] = own_date
        named = _FILE_YEAR.search(link.url)
        if named and not found["year"]:
            # "[Title](./cross-lingual/2018-Edunov_back-translation.md)": notes files named
            # year-author-words carry the paper's year.
            found["year"], found["month"] = int(named.group("year")), None
        if not title_like(title):
            return []
        if not (context.date or found["year"]):
            # An undated title linking its notes page: a paper only in a section that lists
            # papers (see ``_settle_local``); elsewhere a README's table of contents.
            return self._pending_local(inline, start, context, link, title, alias)
        if SEVERAL_PAPERS.match(title):
            # "Quick summaries: attention papers [[notes](papers/x.md)]": a notes page on
            # several papers, none of them named as one.
            self.skipped.append((start + 1, title, "a notes page on several papers, not one."))
            return []
        if len(title.split()) < 2:
            # "[BEGAN](neural-nets/BEGAN.md)": a paper's notes page, named by a short name
            # only. Listed, not guessed (a nickname is never a title).
            self.skipped.append(
                (start + 1, title, f"only a short name (“{title}”) names the paper.")
            )
            return []
        subject = "" if found["year"] else about_no_paper(self.notes.base_dir, link.url, title)
        if subject:
            # "[Tensorflow: The Confusing Parts (1)](notes/x.md)" among dated papers, its
            # page headed by a link to a blog post: notes on a post, not on a paper.
            why = f"its notes page ({link.url}) is about {subject}, which is not a paper."
            self.skipped.append((start + 1, clean_text(link.text), why))
            return []
        entry = self._new(start, context, title=title)
        entry.alias = alias or found["alias"]
        if found["year"]:
            entry.year, entry.month, entry.section_date = found["year"], found["month"], False
        entry.venue = found["venue"][:255]
        entry.authors = found["authors"] or entry.authors
        for other in links:
            if local_notes_link(other.url):
                self.notes.local_notes(entry, other.url, f"line {start + 1}")
            elif is_absolute(other.url):
                kind = link_kind(other.text, other.url) or "other"
                entry.links.append(LinkRecord(kind=kind, url=other.url, label=other.text[:200]))
        return [entry]

    def _pending_local(self, inline, start, context, link, title, alias):
        """``- **[Title][ref]**`` (``[ref]: optimizer/overview.md``) in an undated list: held
        until the whole section is read. Only an item that is the one link and nothing
        else, its text a title (a short name is listed in a list of papers)."""
        rest = inline.text.replace(link.text, " ", 1)
        if re.sub(r"[\s*_\[\]()<>|,.:;–—-]", "", rest) or SEVERAL_PAPERS.match(title):
            return []
        entry = self._new(start, context, title=title)
        entry.alias, entry.local_pending = alias, link.url
        return [entry]

    def _settle_local(self, found, context):
        """The undated titles linking local notes pages of one section (``_pending_local``)
        are papers (of unknown year, their page read in as notes) when the section lists
        papers: its heading says papers, or a titled link to a paper host is among its
        entries. Otherwise they are a README's table of contents and name nothing."""
        pending = [entry for entry in found if entry.local_pending]
        if not pending:
            return found
        kept = [entry for entry in found if not entry.local_pending]
        lists_papers = _NAMES_PAPERS.search(context.tag or "") or any(
            entry.title and entry.url and is_paper(entry.url) for entry in kept
        )
        if not lists_papers:
            return kept
        for entry in pending:
            url, entry.local_pending = entry.local_pending, ""
            where = f"line {entry.line}"
            if len(entry.title.split()) < 3:
                # "[DiskANN][diskann]", "[Product Quantization][pq]": a method's name, which
                # a notes page is often named after; listed, not guessed.
                reason = f"only a short name (“{entry.title}”) names the paper."
                self.skipped.append((entry.line, entry.title, reason))
                continue
            subject = about_no_paper(self.notes.base_dir, url, entry.title)
            if subject:
                why = f"its notes page ({url}) is about {subject}, which is not a paper."
                self.skipped.append((entry.line, entry.title, why))
                continue
            self.notes.local_notes(entry, url, where)
            kept.append(entry)
        kept.sort(key=lambda entry: entry.line)
        return kept

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

    def _new(self, start, context, title=""):
        entry = NoteEntry(line=start + 1, title=title, section=context.tag, lines=[start + 1])
        entry.tags = [tag_name(t) for t in context.tags if tag_name(t)]
        if context.date:
            entry.year, entry.month = context.date
            entry.section_date, entry.section_when = True, context.when
        return entry

    def _source(self, start, end):
        return [(index, self.lines[index]) for index in range(start, min(end, len(self.lines)))]


def _more_than_title(entry, text):
    """A link text that is a whole citation or ``Title (2019) - Authors``: the title
    alone, and the year, authors and venue it gives (see ``linktext.read``)."""
    more = linktext.read(text)
    if not more:
        return
    entry.title, found = meta.clean_title(more[0]), more[1]
    entry.authors = found["authors"] or entry.authors
    entry.venue = found["venue"][:255] or entry.venue
    entry.alias = found["alias"][:100] or entry.alias
    entry.affiliations = found.get("affiliations", "")[:500] or entry.affiliations
    if found.get("tag") and found["tag"] not in entry.tags:
        entry.tags.append(found["tag"])
    if found["year"]:
        entry.year, entry.month, entry.section_date = found["year"], None, False
