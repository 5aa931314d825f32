"""org-mode notes → Markdown, line for line, so the Markdown recogniser does the rest.

Keeping one output line per input line keeps every line number in the report true to
the org file. Covered: headings (with their :tags:), [[links][descriptions]] and
[[file:images.png]], *bold* /italic/ =verbatim= ~code~ +strike+, \\(math\\) and \\[math\\],
#+BEGIN_SRC/EXAMPLE/QUOTE blocks, #+CAPTION, lists, tables, drawers and keywords.
pandoc would do this too, but as a 100 MB binary run per file, for a small subset.
"""

import re

import orgparse

HEADING = re.compile(
    r"^(?P<stars>\*+)\s+(?:(?:TODO|DONE|NEXT|WAIT|CANCELLED)\s+)?(?:\[#[A-C]\]\s+)?"
    r"(?P<text>.*?)(?:\s+(?P<tags>:[\w@#%:]+:))?\s*$"
)
LINK = re.compile(r"\[\[(?P<target>[^\[\]]+)\](?:\[(?P<desc>[^\[\]]*)\])?\]")
BLOCK = re.compile(r"^\s*#\+(?P<edge>BEGIN|END)_(?P<kind>\w+)(?:\s+(?P<arg>\S+))?.*$", re.I)
KEYWORD = re.compile(r"^\s*#\+(?P<key>\w+):\s*(?P<value>.*)$")
DRAWER = re.compile(r"^\s*:(?P<name>[A-Za-z_]+):\s*$")
COMMENT = re.compile(r"^\s*#(?:\s|$)")
TABLE_RULE = re.compile(r"^(\s*)\|[-+]+\|?\s*$")
LIST = re.compile(r"^(?P<indent>\s*)(?P<marker>[-+]|\*(?=\s)|\d+[.)])\s+")
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
_EMPHASIS = [
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"**\1**"),
    (re.compile(r"(?<![\w/:])/(?=\S)([^/\n]+?)(?<=\S)/(?![\w/])"), r"*\1*"),
    (re.compile(r"(?<![\w+])\+(?=\S)([^+\n]+?)(?<=\S)\+(?![\w+])"), r"~~\1~~"),
]
# org-cite (org 9.5+): [cite:@key], [cite/t:@key; @other], [cite:@a,@b]: each key cites a
# paper (a literature review's sentence cites two).
_ORG_CITE = re.compile(r"\[cite(?:/[\w/]+)?:(?P<keys>[^\]@]*@[^\]]*)\]")
_ORG_CITE_KEY = re.compile(r"@(?P<key>[^\];,\s@]+)")
_CITE = re.compile(r"(?<![\w\[(/:])cite[pt]?:(?P<key>[\w\-.:]+[\w])")
_CODE = re.compile(r"(?<![\w=~])([=~])(?=\S)([^\n]+?)(?<=\S)\1(?![\w=~])")
_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$.+?\$\$|\$[^$\n]+?\$")


def _is_image(target):
    return target.split("?")[0].lower().endswith(_IMAGE_EXTENSIONS)


def _target(target):
    return target[5:] if target.startswith("file:") else target


def inline(text, caption=""):
    """Org inline markup of one line → Markdown."""
    saved = []

    def keep(markdown):
        saved.append(markdown)
        return f"\x00{len(saved) - 1}\x00"

    def link(match):
        target, desc = _target(match.group("target").strip()), match.group("desc")
        if desc is None and _is_image(target):
            return keep(f"![{caption}]({target})")
        if desc is not None and _is_image(_target(desc.strip())):
            return keep(f"[![{caption}]({_target(desc.strip())})]({target})")
        if desc is None:
            return keep(
                f"<{target}>" if re.match(r"https?://", target) else f"[{target}]({target})"
            )
        target = re.sub(r"^cite[pt]?:", "cite:", target)
        return keep(f"[{inline(desc)}]({target})")

    def math(match):
        if match.group(1) is not None:
            return keep(f"${match.group(1)}$")
        if match.group(2) is not None:
            return keep(f"$${match.group(2)}$$")
        return keep(match.group(0))

    text = LINK.sub(link, text)
    # org-ref's bare citations (cite:key, citep:key) are links to a BibTeX entry.
    text = _ORG_CITE.sub(
        lambda m: keep(
            ", ".join(
                f"[cite:{k}](cite:{k})"
                for k in dict.fromkeys(c.group("key") for c in _ORG_CITE_KEY.finditer(m["keys"]))
            )
        ),
        text,
    )
    text = _CITE.sub(lambda m: keep(f"[cite:{m.group('key')}](cite:{m.group('key')})"), text)
    text = _CODE.sub(lambda m: keep(f"`{m.group(2)}`"), text)
    text = _MATH.sub(math, text)
    for pattern, replacement in _EMPHASIS:
        text = pattern.sub(replacement, text)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], text)
    return text


def org_to_markdown(text):
    """Return ``(markdown, tags_by_line)``: the same number of lines, tags per heading."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out, tags = [], {}
    block, caption, in_drawer = None, "", False
    for index, line in enumerate(lines):
        edge = BLOCK.match(line)
        if block is not None:
            if edge and edge.group("edge").upper() == "END":
                out.append("```" if block in ("SRC", "EXAMPLE") else "")
                block = None
            elif block == "QUOTE":
                out.append("> " + inline(line.strip()))
            else:
                out.append(line)
            continue
        if edge and edge.group("edge").upper() == "BEGIN":
            block = edge.group("kind").upper()
            language = (edge.group("arg") or "") if block == "SRC" else ""
            out.append(f"```{language}" if block in ("SRC", "EXAMPLE") else "")
            continue
        if in_drawer:
            in_drawer = not re.match(r"^\s*:END:\s*$", line, re.I)
            out.append("")
            continue
        if DRAWER.match(line) and not re.match(r"^\s*:END:\s*$", line, re.I):
            in_drawer = True
            out.append("")
            continue
        keyword = KEYWORD.match(line)
        if keyword:
            if keyword.group("key").upper() == "CAPTION":
                caption = keyword.group("value").strip()
            out.append("")
            continue
        if COMMENT.match(line):
            out.append("")
            continue
        heading = HEADING.match(line)
        if heading:
            level = min(len(heading.group("stars")), 6)
            if heading.group("tags"):
                tags[index] = [t for t in heading.group("tags").split(":") if t]
            out.append("#" * level + " " + inline(heading.group("text")))
            continue
        rule = TABLE_RULE.match(line)
        if rule:
            cells = line.strip().strip("|").split("+")
            out.append(rule.group(1) + "|" + "|".join("---" for _ in cells) + "|")
            continue
        if re.match(r"^\s*-{5,}\s*$", line):
            out.append("---")
            continue
        converted = inline(line, caption)
        if caption and converted != line and "![" in converted:
            caption = ""
        marker = LIST.match(converted)
        if marker:
            bullet = marker.group("marker")
            bullet = bullet.replace(")", ".") if bullet[0].isdigit() else "-"
            converted = f"{marker.group('indent')}{bullet} {converted[marker.end() :]}"
        out.append(converted)
    return "\n".join(out), tags


def org_headings(text):
    """``{line index: {"tags": […], "properties": {…}}}`` for every heading, via orgparse."""
    try:
        root = orgparse.loads(text)
    except Exception:  # noqa: BLE001 - orgparse fails on odd input; the converter still works
        return {}
    found = {}
    for node in root[1:]:
        if node.linenumber:
            found[node.linenumber - 1] = {
                "tags": sorted(node.shallow_tags),
                "properties": {str(k): str(v) for k, v in node.properties.items()},
            }
    return found
