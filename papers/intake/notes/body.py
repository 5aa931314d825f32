"""An entry's notes: the Markdown lines about it, with images, typed links and mentions.

Nothing the file says about a paper is dropped: lines stay as Markdown notes, except
lines that only carry a labelled link (``**Code**: [url](url)``), which become typed
links, and a local ``.md`` link, whose file becomes part of the notes.
"""

import html
import re
from pathlib import Path

from papers.intake.notes.entries import (
    CREDIT,
    HTML_A,
    HTML_ALT,
    HTML_IMG,
    IMAGE,
    LINK,
    plain,
)
from papers.intake.notes.hosts import is_absolute, is_paper_url, is_unsafe
from papers.intake.records import LinkRecord, clean_text, link_kind

_LABELLED = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z ]{1,28}?)(?:\*\*|__)?\s*:"
    r"(?:\*\*|__)?\s*(?P<rest>.*)$"
)
_URL_ONLY = re.compile(
    r"^\s*(?:(?:\[[^\]]*\]\([^)]*\)|<a\b[^>]*>.*?</a>|<img\b[^>]*>|<?https?://\S+?>?)\s*)+$", re.I
)
_ANY_URL = re.compile(
    r"\]\(\s*<?(?P<u1>[^()\s<>]+)|href\s*=\s*[\"'](?P<u2>[^\"']+)|<?(?P<u3>https?://[^\s<>()\[\]|]+)"
)
# "No slides or recording available" under a session heading says nothing about the paper.
_NOTHING_AVAILABLE = re.compile(
    r"^\s*(?:\*\*|__|\*|_)?\s*no\s+(?:slides|recording|video|code)"
    r"(?:\s*(?:,|or|and|nor)\s*(?:slides|recording|video|code))*\s+(?:is\s+|are\s+)?"
    r"available\.?\s*(?:\*\*|__|\*|_)?\s*$",
    re.I,
)
_PREVIOUS_WORK = re.compile(r"previous work|prior work|builds on|based on", re.I)
MAX_LOCAL_NOTES = 512 * 1024


def urls_in(text):
    return list(
        dict.fromkeys(
            m.group("u1") or m.group("u2") or m.group("u3") for m in _ANY_URL.finditer(text)
        )
    )


class NotesWriter:
    """Adds source lines to entries as notes; collects warnings (``(where, message)``)."""

    def __init__(self, lines, code_lines, base_dir, warnings):
        self.lines, self.code, self.base_dir, self.warnings = lines, code_lines, base_dir, warnings
        self.mentions = 0

    def add(self, entry, numbered, table=False, keep_labelled=False):
        """``numbered``: ``[(line index, Markdown text)]``."""
        kept, last_image = [], len(entry.images) - 1 if entry.awaiting_credit else None
        pending = pending_line = None  # "**Slides**:" with its link on the next line
        for index, line in numbered:
            where = f"line {index + 1}"
            if table:
                line = cell_notes(line)
            if not table and index in self.code:
                kept.append(line.rstrip())
                continue
            credit = CREDIT.match(plain(line)) if line.strip() else None
            if credit and last_image is not None and not entry.images[last_image][2]:
                src, caption, _, number = entry.images[last_image]
                entry.images[last_image] = (src, caption, credit.group("credit"), number)
                entry.awaiting_credit = False
                continue
            if _NOTHING_AVAILABLE.match(line):
                continue
            labelled = _LABELLED.match(line)
            if pending and _URL_ONLY.match(line):
                self._labelled(entry, pending, line, where)
                pending = None
                continue
            if pending:
                kept.append(pending_line)  # the label had no link after all: keep it
            pending = None
            if labelled and not keep_labelled and not labelled.group("rest").strip():
                pending, pending_line = labelled.group("label").strip(), line
                continue
            if labelled and not keep_labelled and _URL_ONLY.match(labelled.group("rest") or "-"):
                self._labelled(
                    entry, labelled.group("label").strip(), labelled.group("rest"), where
                )
                continue
            images = [image for image in _images_in(line) if "img.shields.io" not in image[0]]
            for image in images:
                entry.images.append((*image, index + 1))
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
            line = self._links(entry, line, where)
            if line is not None:
                kept.append(line.rstrip())
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept).strip("\n")).strip()
        if text and text not in entry.notes:
            entry.notes.append(text)
        if numbered:
            entry.lines.append(numbered[0][0] + 1)

    def _links(self, entry, line, where):
        for match in LINK.finditer(line):
            url, label = match.group("url"), plain(match.group("text"))
            if is_unsafe(url):
                self.warnings.append((where, f"the link “{url[:40]}” is unsafe: left out."))
                line = line.replace(match.group(0), label)
            elif _PREVIOUS_WORK.search(label):
                entry.related.append(url)
            elif not is_absolute(url):
                if url.split("#")[0].lower().endswith((".md", ".markdown")):
                    self.local_notes(entry, url, where)
                elif not url.startswith("#") and not url.lower().startswith("cite:"):
                    self.warnings.append(
                        (where, f"the link “{url}” is relative: it will not work on the site.")
                    )
            elif is_paper_url(url):
                self.mentions += 1
            else:
                kind = link_kind(label, url)
                if kind:
                    record = LinkRecord(kind=kind, url=url, label=label[:200])
                    if record not in entry.links:
                        entry.links.append(record)
        return line

    def _labelled(self, entry, label, rest, where):
        for url in urls_in(rest):
            if is_unsafe(url):
                self.warnings.append((where, f"the link “{url[:40]}” is unsafe: left out."))
            elif not is_absolute(url):
                if url.lower().endswith((".md", ".markdown")):
                    self.local_notes(entry, url, where)
                else:
                    self.warnings.append(
                        (where, f"{label.lower()} “{url}” is a local file: not imported.")
                    )
            elif is_paper_url(url) and not entry.url:
                entry.url = url
            elif not is_paper_url(url) or label.lower() not in ("paper", "pdf", "arxiv", "doi"):
                kind = link_kind(label, url) or "other"
                record = LinkRecord(kind=kind, url=url, label=label.capitalize()[:200])
                if record not in entry.links:
                    entry.links.append(record)

    def local_notes(self, entry, url, where):
        """A linked local Markdown file inside the notes' folder becomes part of the notes."""
        if self.base_dir is None:
            self.warnings.append((where, f"the notes file “{url}”: no folder to look in."))
            return
        from papers.intake.notes.notespage import local_path

        root = Path(self.base_dir).resolve()
        path = local_path(root, url)
        if not path.is_relative_to(root):
            self.warnings.append((where, f"the notes file “{url}” is outside {root}: not read."))
        elif not path.is_file():
            self.warnings.append((where, f"the notes file “{url}” was not found: not read."))
        elif path.stat().st_size > MAX_LOCAL_NOTES:
            self.warnings.append((where, f"the notes file “{url}” is too large: not read."))
        else:
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (UnicodeDecodeError, OSError):
                self.warnings.append(
                    (where, f"the notes file “{url}” is not UTF-8 text: not read.")
                )
                return
            if text and text not in entry.notes:
                entry.notes.append(text)


def cell_notes(text):
    """Table-cell or item leftovers → Markdown paragraphs."""
    text = re.sub(r"^\s*(?:</h\d>\s*)+", "", text or "", flags=re.I)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = text.replace("\\|", "|")
    text = re.sub(r"^[\s:–—-]+", "", text)
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


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
