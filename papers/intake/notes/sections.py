"""Headings: a section groups entries (its text a tag, or a date); a heading is a paper
only when it names one itself."""

import re

from papers.intake.notes import meta
from papers.intake.notes.entries import date_in
from papers.intake.notes.hosts import (
    is_generic_label,
    paper_key,
)
from papers.intake.notes.links import is_cite, is_paper, urls
from papers.intake.notes.orgprops import (
    URL_PROPERTIES,
    apply_properties,
    cite_props,
    fill_from_bibtex,
    has_bibtex,
    property_url,
)
from papers.intake.notes.titles import (
    NUMBERED_PREFIX,
    TITLE_YEAR,
    continue_heading,
    title_before,
    title_like,
)
from papers.intake.records import clean_text
from papers.tagging import TAG_MAX_LENGTH

_PAPER_LABEL = re.compile(r"^\s*[*_]*\s*(?:paper|pdf|link|arxiv|url|doi)\s*[*_]*\s*:", re.I)


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


def flatten(nodes):
    for node in nodes:
        yield node
        yield from flatten(node.children)


def empty():
    from papers.intake.notes.tree import Inline

    return Inline()


def space():
    from papers.intake.notes.tree import Span

    return Span(" ")


def dedent(numbered):
    indents = [len(line) - len(line.lstrip()) for _, line in numbered if line.strip()]
    cut = min(indents) if indents else 0
    return [(index, line[cut:]) for index, line in numbered]


class Sections:
    """The ``Recogniser``'s heading walk (mixed into it)."""

    # --- sections ---------------------------------------------------------------------------
    def _run(self):
        nodes, stack = self.nodes, []  # stack: (level, Context)
        index = 0
        first = next((i for i, n in enumerate(nodes) if n.kind == "heading"), len(nodes))
        self.entries += self._settle_local(self._region(nodes[:first], Context()), Context())
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
            if own is None:
                own = self._heading_over_bibtex(heading, parent, extra, index, subtree_end)
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
            found = self._settle_local(self._region(nodes[index + 1 : following], context), context)
            continue_heading(text, found, nodes[index + 1 : following])
            leaf = following == subtree_end
            titled = [entry for entry in found if entry.title]
            first_untitled = bool(found) and not found[0].title
            if (not titled or first_untitled) and leaf and not date:
                # The heading names the paper its body links first without a title;
                # titled entries further down stay entries of their own.
                untitled = [entry for entry in found if not entry.title]
                cites = [entry for entry in untitled if is_cite(entry.url)]
                # A section of prose citing several papers names none of them.
                adopted = len(cites) <= 1 and self._heading_adopts(
                    heading, untitled[:1], following, parent, extra
                )
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
        url = next((lower[name] for name in URL_PROPERTIES if lower.get(name)), "")
        if not links and not url and not cite_props(extra):
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
            entry.url = entry.url or property_url(url)
        apply_properties(entry, extra.get("properties", {}))
        return entry

    def _org_titled_heading(self, heading, parent, extra, subtree):
        """An org reading list's ``* Kernel Methods For Deep Learning 2009 :svm:`` heading:
        a title and a year, no link, the subtree being the notes."""
        match = TITLE_YEAR.match(clean_text(heading.head.text))
        if not match or len(match.group("title").split()) < 3 or heading.head.links():
            return None
        if any(n.head and n.head.links() for n in flatten(subtree) if n.kind == "heading"):
            return None
        entry = self._new(heading.start, parent.but(tags=extra.get("tags", [])))
        entry.title = meta.clean_title(match.group("title"))
        entry.year, entry.month, entry.section_date = int(match.group("year")), None, False
        return entry

    def _heading_over_bibtex(self, heading, parent, extra, index, subtree_end):
        """``** Title`` over ``*** [[./title.pdf][pdf]]`` and ``*** bibtex`` holding the
        paper's ``@article{…}``: the heading is that paper, its BibTeX giving the date,
        authors and DOI — when nothing under it links a paper of its own."""
        subtree = self.nodes[index + 1 : subtree_end]
        if not subtree or not any(node.kind == "heading" for node in subtree):
            return None  # a leaf heading over a BibTeX block: _heading_adopts' case
        end = self.nodes[subtree_end].start if subtree_end < len(self.nodes) else len(self.lines)
        body = self._source(heading.end, end)
        if not has_bibtex(body):
            return None
        # The BibTeX is this heading's (in its body or a child heading's), not a
        # grandchild's: "* Review" over "** Title" over "*** bibtex" is a section.
        at = next(n for n, line in body if has_bibtex([(n, line)]))
        holder = [node for node in subtree if node.kind == "heading" and node.start < at]
        if holder and holder[-1].level > heading.level + 1:
            return None
        heads = [node.head for node in flatten(subtree) if node.head is not None]
        # Table rows and list items too: an awesome list's title over "cite our survey"
        # (a ```bibtex block) and tables of papers is a section, not the survey.
        inlines = heads + [cell for node in flatten(subtree) for cell in node.cells]
        if any(
            not is_generic_label(link.text) and is_paper(link.url)
            for h in inlines
            for link in h.links()
        ):
            return None  # a section over papers of its own
        title = meta.clean_title(NUMBERED_PREFIX.sub("", clean_text(heading.head.text)))
        if not title_like(title) or len(title.split()) < 3:
            return None
        entry = self._new(heading.start, parent.but(tags=extra.get("tags", [])), title=title)
        # "*** [[https://…/paper.pdf][pdf]]": its own link, labelled, under it.
        entry.url = next((link.url for h in heads for link in h.links() if is_paper(link.url)), "")
        fill_from_bibtex(entry, body)
        if not entry.url:
            return None
        entry.section_date = False
        return entry

    def _heading_adopts(self, heading, found, end, parent, extra):
        """A leaf heading over one untitled paper link (``**Paper**: url``) is that paper."""
        keys = {paper_key(entry.url) for entry in found if entry.url}
        body = self._source(
            heading.end, self.nodes[end].start if end < len(self.nodes) else len(self.lines)
        )
        body_links = [u for _, line in body for u in urls(line) if not u.startswith("#")]
        title = meta.clean_title(NUMBERED_PREFIX.sub("", clean_text(heading.head.text)))
        found_date = meta.parse_meta(title)
        title, alias = meta.strip_remark(meta.clean_title(title_before(title)))
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
        if not entry.url and found:
            entry.url, entry.cite_text = found[0].url, found[0].cite_text
        fill_from_bibtex(entry, body)
        if not entry.url:
            last = body[-1][0] if body else heading.line
            if any(heading.line < line <= last + 1 for line, _, _ in self.skipped):
                return None  # its items are listed one by one ("## List of papers")
            if body_links:
                shown = sorted(set(body_links))
                more = "…" if len(shown) > 3 else ""
                reason = f"no link to a paper (its links: {', '.join(shown[:3])}{more})."
                self.skipped.append((heading.line, title, reason))
                return None
            return None
        return entry
