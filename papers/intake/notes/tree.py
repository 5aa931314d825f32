"""A Markdown document as the blocks that may describe papers, from markdown-it tokens.

The walker keeps what recognition needs and nothing else: headings, list items (their
first paragraph, and what is nested under them), table rows (with the header's cell
texts), paragraphs, and the line range of each, for notes and for reports.
"""

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from papers.intake.notes.entries import BARE_URL
from papers.intake.notes.hosts import unwrap
from papers.intake.records import clean_text

_A_OPEN = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"'](?P<url>[^\"']*)[\"']", re.I)
_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"'][^>]*>", re.I)
_ALT = re.compile(r"\balt\s*=\s*[\"'](?P<alt>[^\"']*)[\"']", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)
# YAML (``---``) or TOML (``+++``, Hugo/Zola) front matter.
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n(?:.*\n){0,200}?(?:---|\.\.\.)|\+\+\+[ \t]*\n(?:.*\n){0,200}?\+\+\+)"
    r"[ \t]*(?:\n|\Z)"
)

# Nesting is bounded (each list level is two tokens deep), so a hostile file cannot
# recurse without end; 130 reads a 60-level list. What lies deeper is not parsed at all:
# ``parse_markdown`` reports those lines (``Blocks.unread``) instead of dropping them unseen.
MAX_NESTING = 130
_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])


_LEAVES = {"inline", "fence", "code_block", "html_block", "hr", "table_open"}


class Blocks(list):
    """The document's blocks; ``unread``: ``(first, last)`` line numbers (1-based) of text
    the parser gave up on (nested deeper than it reads), else ``None``."""

    unread = None


@dataclass
class Span:
    text: str
    url: str = ""  # the link this text belongs to
    strong: bool = False  # bold or italic
    brk: str = ""  # "soft" or "hard" for line breaks, "br" for an HTML <br>
    image: tuple = ()  # (src, alt) of an image


@dataclass
class Link:
    text: str
    url: str
    start: int  # offsets in ``Inline.text``
    end: int


@dataclass
class Inline:
    spans: list = field(default_factory=list)
    source: str = ""

    @property
    def images(self):
        return [span.image for span in self.spans if span.image]

    @property
    def text(self):
        return "".join(span.text for span in self.spans)

    def links(self):
        found, offset, current = [], 0, None
        for span in self.spans:
            if span.url and current and current.url == span.url and current.end == offset:
                current.text += span.text
                current.end += len(span.text)
            elif span.url:
                current = Link(span.text, span.url, offset, offset + len(span.text))
                found.append(current)
            offset += len(span.text)
        for link in found:
            link.text = clean_text(link.text)
        return found

    def strong_prefix(self):
        """The bold/italic text the inline begins with (after spaces and markers)."""
        out = []
        for span in self.spans:
            if not out and not span.strong and not span.text.strip(" \t-–*:#.0123456789)"):
                continue
            if span.strong and not span.url:
                out.append(span.text)
            else:
                break
        return clean_text("".join(out))

    def lines(self):
        """The inline cut at its line breaks: ``(Inline, break kind, source line offset)``."""
        pieces, current, offset, newlines = [], Inline(), 0, 0
        for span in self.spans:
            if span.brk:
                pieces.append((current, span.brk, offset))
                current = Inline()
                newlines += span.brk != "br"
                offset = newlines
            else:
                current.spans.append(span)
        pieces.append((current, "", offset))
        return pieces


@dataclass
class Node:
    kind: str  # heading, item, para, row, code, html, rule, quote
    start: int  # 0-based first line
    end: int  # 0-based line after the last
    level: int = 0  # heading level; list depth for items
    head: Inline | None = None
    cells: list = field(default_factory=list)  # Inline per cell (rows)
    header: list = field(default_factory=list)  # header cell texts (rows)
    children: list = field(default_factory=list)  # what is nested in an item
    head_end: int = 0  # line after an item's first paragraph

    @property
    def line(self):
        return self.start + 1


def _inline(token):
    out = Inline(source=token.content)
    link, strong = "", 0
    for child in token.children or []:
        kind = child.type
        if kind == "link_open":
            link = unwrap(child.attrs.get("href", "") or "")
            out.spans.append(Span("", link))  # an empty ``[](url)`` is still a link
        elif kind == "link_close":
            link = ""
        elif kind in ("strong_open", "em_open"):
            strong += 1
        elif kind in ("strong_close", "em_close"):
            strong = max(0, strong - 1)
        elif kind in ("text", "code_inline"):
            _add_text(out, child.content, link, strong > 0)
        elif kind == "softbreak":
            # A link text wrapped over two lines is one link.
            # A bold title wrapped over two lines stays one bold run.
            out.spans.append(Span(" ", link) if link else Span(" ", strong=strong > 0, brk="soft"))
        elif kind == "hardbreak":
            out.spans.append(Span(" ", brk="hard"))
        elif kind == "image":
            out.spans.append(
                Span("", image=(child.attrs.get("src", ""), clean_text(child.content)))
            )
        elif kind == "html_inline":
            tag = child.content
            if _BR.match(tag):
                out.spans.append(Span(" ", brk="br"))
            elif (match := _A_OPEN.match(tag)) is not None:
                link = html.unescape(match.group("url"))
            elif tag.lower().startswith("</a"):
                link = ""
            elif (match := _IMG.match(tag)) is not None:
                alt = _ALT.search(tag)
                image = (
                    html.unescape(match.group("src")),
                    clean_text(alt.group("alt") if alt else ""),
                )
                out.spans.append(Span("", image=image))
            elif re.match(r"</?h\d\b", tag, re.I):
                out.spans.append(Span(" "))
    return out


def _add_text(out, text, link, strong):
    if link:
        out.spans.append(Span(text, link, strong))
        return
    position = 0
    for match in BARE_URL.finditer(text):
        if text[: match.start()].endswith("[["):
            continue  # org-mode link syntax read as Markdown: not a link here
        if match.start() > position:
            out.spans.append(Span(text[position : match.start()], "", strong))
        out.spans.append(Span(match.group("url"), match.group("url"), strong))
        position = match.end()
    if position < len(text):
        out.spans.append(Span(text[position:], "", strong))


def _walk(children, out, depth=0):
    for child in children:
        kind = child.type
        start, end = child.map or (0, 0)
        if kind == "heading":
            out.append(
                Node("heading", start, end, int(child.tag[1]), _inline(child.children[0].token))
            )
        elif kind == "paragraph":
            out.append(Node("para", start, end, depth, _inline(child.children[0].token)))
        elif kind in ("bullet_list", "ordered_list"):
            for item in child.children:
                out.append(_item(item, depth))
        elif kind == "table":
            _table(child, out)
        elif kind in ("fence", "code_block"):
            out.append(Node("code", start, end, depth))
        elif kind == "html_block":
            out.append(Node("html", start, end, depth, _html_block(child.content)))
        elif kind == "hr":
            out.append(Node("rule", start, end, depth))
        elif kind == "blockquote":
            out.append(Node("quote", start, end, depth))


def _html_block(content):
    """Links and images of raw HTML, so ``<p><a href=…>Title</a></p>`` is seen."""
    token = _PARSER.parseInline(re.sub(r"\s+", " ", content))[0] if content.strip() else None
    return _inline(token) if token else Inline()


def _item(item, depth):
    start, end = item.map or (0, 0)
    node = Node("item", start, end, depth, Inline(), head_end=start + 1)
    rest = list(item.children)
    if rest and rest[0].type == "paragraph":
        node.head = _inline(rest[0].children[0].token)
        _drop_task_marker(node.head)
        node.head_end = rest[0].map[1] if rest[0].map else start + 1
        rest = rest[1:]
    _walk(rest, node.children, depth + 1)
    return node


def _drop_task_marker(inline):
    """GFM task lists: ``- [x] Title`` is the item ``Title`` (done)."""
    if inline.spans and not inline.spans[0].url:
        inline.spans[0].text = re.sub(r"^\s*\[[ xX]\]\s+", "", inline.spans[0].text)


def _table(table, out):
    header = []
    for section in table.children:
        for row in section.children:
            cells = [
                _inline(cell.children[0].token) if cell.children else Inline()
                for cell in row.children
            ]
            if section.type == "thead":
                header = [clean_text(cell.text) for cell in cells]
                continue
            start, end = row.map or (0, 0)
            out.append(Node("row", start, end, cells=cells, header=header))


def _escape_math_pipes(text):
    """``|`` inside ``$…$`` in a table row is math (``$q(z|x)$``), not a cell border."""

    def row(line):
        if not line.lstrip().startswith("|") or "$" not in line:
            return line
        return re.sub(
            r"\$\$?[^$\n]+?\$\$?", lambda m: re.sub(r"(?<!\\)\|", r"\\|", m.group(0)), line
        )

    return "\n".join(row(line) for line in text.split("\n"))


def blank_front_matter(text):
    """Jekyll/Hugo front matter replaced by as many empty lines (line numbers stay true)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text
    return "\n" * match.group(0).count("\n") + text[match.end() :]


def parse_markdown(text):
    """The document's blocks in order; items carry their nested blocks."""
    source = _escape_math_pipes(blank_front_matter(text))
    tokens = _PARSER.parse(source)
    out = Blocks()
    _walk(SyntaxTreeNode(tokens).children, out)
    covered = set()
    for token in tokens:  # the lines some leaf block holds (an open list item spans all)
        if token.map and token.type in _LEAVES:
            covered.update(range(*token.map))
    lines = source.split("\n")
    # Lines inside a block that ends early: markdown-it stops a block at its nesting limit.
    lost = [n for n, line in enumerate(lines) if line.strip() and n not in covered]
    deepest = max(
        (len(line) - len(line.lstrip()) for n, line in enumerate(lines) if n in lost), default=0
    )
    if lost and deepest >= 2 * (MAX_NESTING // 2 - 5):
        out.unread = (lost[0] + 1, lost[-1] + 1)
    return out
