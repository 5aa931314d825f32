"""The one Markdown renderer of Papershelf: paper notes, reports and session summaries.

Markdown (tables, footnotes, fenced code highlighted by Pygments, math) is turned into
HTML, ``$…$`` and ``$$…$$`` become MathML on the server (no JavaScript, no CDN), and the
result goes through the nh3 allowlist, so whatever an author or an attacker typed, only
the tags and URL schemes listed here reach a page, a preview or a feed.
"""

import html
import re
import threading
from dataclasses import dataclass, field

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

# Longer input is refused by the forms; the renderer also stops here so that nothing
# (an import, a script) can make it spend minutes on a pathological document.
MAX_MARKDOWN_LENGTH = 200_000

_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.sane_lists",
    "markdown.extensions.toc",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.arithmatex",
    "pymdownx.tilde",
    "pymdownx.blocks.caption",  # `/// figure-caption` blocks turn an image into a <figure>
]
_EXTENSION_CONFIGS = {
    "pymdownx.highlight": {
        "css_class": "highlight",
        "guess_lang": False,
        "pygments_lang_class": True,
    },
    # "generic" keeps the TeX source untouched in a span/div that we convert below.
    "pymdownx.arithmatex": {"generic": True, "smart_dollar": True},
    "markdown.extensions.toc": {"permalink": False},
    # align="…" rather than style="text-align: …": the Content-Security-Policy allows no
    # inline style, so pages and the editor preview stay free of CSP violations.
    "markdown.extensions.tables": {"use_align_attribute": True},
    "markdown.extensions.footnotes": {"BACKLINK_TEXT": "↩"},
}

_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "menclose", "mpadded", "mphantom", "mmultiscripts",
    "mprescripts", "none", "merror",
}  # fmt: skip
_HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_MATHML_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "columnalign", "rowalign", "columnspacing", "rowspacing", "width",
    "height", "depth", "notation", "scriptlevel", "displaystyle", "minsize", "maxsize",
    "movablelimits", "symmetric", "largeop", "linethickness", "form",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"id"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "math": {"xmlns", "display"},
    **dict.fromkeys(_MATHML_TAGS - {"math"}, _MATHML_ATTRIBUTES),
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto"}

_MAX_UNMATCHED_BRACKETS = 10
_MAX_BRACKET_DEPTH = 32
_MAX_BRACKETS = 5_000
# Python-Markdown recurses once per nested list or quote level and hits Python's
# recursion limit near 300 (``"1. " * 1000``); no real text nests anywhere near this.
_MAX_BLOCK_NESTING = 50
_BLOCK_MARKER = re.compile(r"[ \t]*(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t]))[ \t]?")

_INLINE_MATH = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_BLOCK_MATH = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)


_FENCE = re.compile(r"^\s*(```|~~~)")
_WHOLE_LINE_DISPLAY = re.compile(r"^\s*\$\$.*\$\$\s*$")
_INLINE_DOUBLE_DOLLAR = re.compile(r"(?<![\\$])\$\$(?!\$)(.+?)(?<![\\$])\$\$(?!\$)")


def _inline_double_dollars(text):
    """``$$x$$`` inside a sentence is inline math, as in kramdown (Jekyll) notes.

    Arithmatex only knows ``$$`` as a block of its own, so inside prose it is rewritten to
    ``$x$``. Fenced code and lines with code spans are left alone.
    """
    if "$$" not in text:
        return text
    lines, in_fence = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (
            not in_fence
            and "$$" in line
            and "`" not in line
            and not _WHOLE_LINE_DISPLAY.match(line)
        ):
            line = _INLINE_DOUBLE_DOLLAR.sub(r"$\1$", line)
        lines.append(line)
    return "\n".join(lines)


def _to_mathml(tex, display):
    """Convert one formula; a formula latex2mathml cannot read stays visible as code."""
    # Imported at the first formula: a job worker or a command renders none.
    from latex2mathml.converter import convert as latex_to_mathml

    source = html.unescape(tex).strip()
    try:
        mathml = latex_to_mathml(source, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many types on bad TeX; any of them means "show it"
        klass = "math-error"
        escaped = html.escape(source)
        return (
            f'<pre class="{klass}"><code>{escaped}</code></pre>'
            if display
            else f'<code class="{klass}">{escaped}</code>'
        )
    return f'<div class="math-display">{mathml}</div>' if display else mathml


def _convert_math(rendered):
    rendered = _BLOCK_MATH.sub(lambda m: _to_mathml(m.group(1), display=True), rendered)
    return _INLINE_MATH.sub(lambda m: _to_mathml(m.group(1), display=False), rendered)


def _block_nesting(line):
    """How deep ``line`` nests quotes and lists: markers at its start plus indent levels."""
    depth, position = 0, 0
    while (match := _BLOCK_MARKER.match(line, position)) and match.end() > position:
        depth += 1
        position = match.end()
    indent = len(line) - len(line.lstrip(" \t"))
    return depth + line[:indent].expandtabs(4).count(" ") // 4


def markdown_problem(text):
    """Return why ``text`` is too costly to render as Markdown, or ``None`` when it is fine.

    Python-Markdown searches for the end of a link from every ``[`` (and every ``(`` after
    one) to the end of the text, so brackets that never close, or nest very deep, make it
    quadratic: ``"[" * 13000`` takes most of a minute. Real notes have a handful at most.
    """
    if len(text) > MAX_MARKDOWN_LENGTH:
        return f"is {len(text):,} characters long; the limit is {MAX_MARKDOWN_LENGTH:,}."
    if text.count("[") > _MAX_BRACKETS:
        return f"has more than {_MAX_BRACKETS:,} “[” characters."
    open_brackets = {"[": 0, "(": 0}
    closers = {"]": "[", ")": "("}
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in open_brackets:
            open_brackets[char] += 1
            depth = max(depth, open_brackets["["])
        elif char in closers and open_brackets[closers[char]]:
            open_brackets[closers[char]] -= 1
    if depth > _MAX_BRACKET_DEPTH:
        return f"nests “[” more than {_MAX_BRACKET_DEPTH} deep."
    if any(_block_nesting(line) > _MAX_BLOCK_NESTING for line in text.splitlines()):
        return f"nests lists, quotes or indentation more than {_MAX_BLOCK_NESTING} levels deep."
    unmatched = open_brackets["["] + open_brackets["("]
    if unmatched > _MAX_UNMATCHED_BRACKETS:
        return f"has {unmatched:,} brackets that are never closed."
    return None


# Built once: ``nh3.clean(…, tags=…, attributes=…)`` converts the allowlists and builds
# ammonia's sanitizer on every call, 0.13 ms of a short note's 0.14 ms of cleaning; every
# save of a paper, report or session cleans two or three texts.
_CLEANER = nh3.Cleaner(
    tags=_HTML_TAGS | _MATHML_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(fragment):
    """Clean an HTML fragment with the Papershelf allowlist."""
    return _CLEANER.clean(fragment)


_SCROLLABLE = re.compile(r'<(pre|div class="math-display")(?=[\s>])')


def _scrollable(sanitised):
    """Code blocks and display math scroll sideways when too wide: ``tabindex="0"`` lets a
    keyboard reach and scroll them (WCAG 2.1.1; axe's scrollable-region-focusable). Added
    after nh3, which allows no tabindex from authors."""
    return _SCROLLABLE.sub(r'<\1 tabindex="0"', sanitised)


def validate_markdown(text):
    """Form/model validator: refuse Markdown that :func:`markdown_problem` objects to."""
    problem = markdown_problem(text or "")
    if problem:
        raise ValidationError(f"This text {problem} Please shorten or simplify it.")


# Extensions that read the database for a given text: wiki-links resolve the papers they
# name (papers.wikilinks, added by papers/apps.py). Added from outside so that this module
# imports no model: the models import the renderer, never the other way round.
_TEXT_EXTENSIONS = []


def add_text_extension(factory):
    """Render every text with ``factory(text, found)``'s Markdown extension (``None``: not
    for this text); the extension appends the papers it links to ``found``."""
    if factory not in _TEXT_EXTENSIONS:
        _TEXT_EXTENSIONS.append(factory)


@dataclass(frozen=True)
class Rendered:
    """One rendering of a Markdown text: the sanitised HTML, the papers its wiki-links link,
    and its table of contents (``[{"level": 2, "id": "method", "title": "Method"}, …]``,
    the h2 and h3 headings, from the ``toc`` extension's ``toc_tokens``)."""

    html: str
    mentions: list = field(default_factory=list)
    toc: list = field(default_factory=list)


# The headings a table of contents lists: sections and their subsections.
TOC_LEVELS = (2, 3)
_TEX_DELIMITERS = re.compile(r"\\[()\[\]]")


def _toc(tokens):
    """Flatten ``toc_tokens`` (nested by level) to the h2/h3 entries, in document order.

    A token's ``name`` is its heading's text, HTML-escaped, with math as its TeX source
    between ``\\(…\\)``: the delimiters are dropped and the TeX kept as the title.
    """
    entries = []
    for token in tokens:
        if token["level"] in TOC_LEVELS:
            title = " ".join(_TEX_DELIMITERS.sub("", html.unescape(token["name"])).split())
            if title:
                entries.append({"level": token["level"], "id": token["id"], "title": title})
        entries += _toc(token["children"])
    return entries


_renderers = threading.local()


def _shared_renderer():
    """This thread's renderer with the common extensions, reset for the next text.

    Building one loads and configures nine extensions: a fifth of a short text's rendering
    (0.5 of 2 ms), paid by every save of a paper, report or session. ``reset()`` empties
    what a conversion leaves (footnotes, the table of contents, stashed code blocks).
    """
    md = getattr(_renderers, "md", None)
    if md is None:
        md = _renderers.md = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS
        )
    return md.reset()


def render_markdown(text):
    """Render Markdown source to sanitised HTML (a ``SafeString``)."""
    return render_document(text).html


def render_markdown_with_mentions(text):
    """Render like :func:`render_markdown`; also return the papers its wiki-links link."""
    rendered = render_document(text)
    return rendered.html, rendered.mentions


def render_document(text):
    """Render Markdown to a :class:`Rendered`: HTML, wiki-linked papers, contents.

    Text with ``[[…]]`` costs one query to resolve every reference at once.
    """
    if not text:
        return Rendered(mark_safe(""))  # noqa: S308 - empty string
    text = str(text).replace("\x00", "")
    if markdown_problem(text):
        # Forms refuse such text (``validate_markdown``); anything that still arrives
        # (an import, a script) is shown as plain text rather than stalling the worker.
        return Rendered(_fallback(text))
    found = []
    extensions = [
        extension
        for extension in (factory(text, found) for factory in _TEXT_EXTENSIONS)
        if extension is not None
    ]
    if extensions:
        md = markdown.Markdown(
            extensions=[*_EXTENSIONS, *extensions], extension_configs=_EXTENSION_CONFIGS
        )
    else:
        md = _shared_renderer()
    try:
        rendered = _convert_math(md.convert(_inline_double_dollars(text)))
    except RecursionError:  # a nesting the checks above did not foresee: never a 500
        return Rendered(_fallback(text))
    sanitised = mark_safe(_scrollable(sanitize_html(rendered)))  # noqa: S308 - sanitised by nh3
    return Rendered(sanitised, found, _toc(md.toc_tokens))


def _fallback(text):
    return mark_safe(f'<pre class="markdown-fallback">{html.escape(text)}</pre>')  # noqa: S308
