"""Where an entry's title is: the bold run, the text before its link (minus authors and
year), a heading cut mid-title; and when a name is only a short name."""

import re

from papers.intake.notes import meta
from papers.intake.notes.hosts import (
    is_generic_label,
)
from papers.intake.records import clean_text, normalize_title

CONJUNCTION = re.compile(r"^\s*(?:and|,|;|&|\+|/|\|)\s*$", re.I)

NUMBERED_PREFIX = re.compile(r"^(?:[A-Za-z-]+\s+){1,3}\d+\s*[:.\-–]\s+")

TITLE_YEAR = re.compile(rf"^(?P<title>[^()]{{10,}}?)\s+\(?(?P<year>{meta.YEAR})\)?$")


def strong_title(inline, upto):
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
        if "，" in run or "、" in run:
            continue  # "**端侧推理，npu+cpu**": keywords listed before the title
        title = meta.clean_title(run)
        if title_like(title) and not re.fullmatch(r"[\W\d]*", title) and len(title) > 8:
            return title
    return ""


def label_link(inline, link):
    """``Title [[Scientific Reports](url)]``: a bracketed link after a title is a label."""
    text = inline.text
    bracketed = text[: link.start].rstrip().endswith("[") and text[link.end :].lstrip().startswith(
        "]"
    )
    before = clean_text(text[: link.start]).strip(" [(")
    return (bracketed or link.text.startswith("[")) and title_like(before) and len(before) > 10


def meta_title_differs(title, reference):
    """The reference's title is the real one unless the item already gives it in full."""
    return normalize_title(title) != normalize_title(reference)


def text_before(inline, link, papers):
    """The text between the last accepted paper link and ``link``."""
    start = papers[-1].end if papers else 0
    return inline.text[start : link.start]


def title_like(text):
    return (
        bool(text)
        and not is_generic_label(text)
        and not meta.date_only(text)
        and len(text) >= 3
        and not _AUTHOR_YEAR.match(text)
    )


# "[Xiong et al. 2016](…)", "[Smith and Le, 2018](…)", "[Zellers et al](…)": a citation
# names the paper's authors and year, never its title ("Sense and Sensibility" may be one).
_NAME_WORD = r"[A-Z][\w'’\-]+"
_AUTHOR_YEAR = re.compile(
    rf"^{_NAME_WORD}(?:\s+et\.?\s*al\.?(?:\s*,?\s*\(?{meta.YEAR}[a-z]?\)?)?"
    rf"|\s+(?:and|&)\s+{_NAME_WORD}\s*,?\s*\(?{meta.YEAR}[a-z]?\)?)$"
)


def strip_generic(inline, upto=None):
    """The inline's text up to ``upto`` without the texts of generic links (``[code]``)."""
    out, offset = [], 0
    for span in inline.spans:
        if upto is not None and offset >= upto:
            break
        if not (span.url and is_generic_label(span.text)):
            out.append(span.text)
        offset += len(span.text)
    return clean_text("".join(out))


def title_before(text):
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


def short_name(title):
    """A nickname rather than a title: "GoogLeNet", "OverFeat, NYU", "Virginia Tech / MSR"."""
    name = title.split(",")[0]
    return bool(title) and (len(name.split()) <= 3 or " / " in name)


def reference_like(text):
    """A reference line: it starts with two authors' full names."""
    parts = [part.strip(" .") for part in text.split(",")]
    return len(parts) >= 3 and all(meta._people(part) for part in parts[:2])


_DANGLING = re.compile(r"\b(?:and|or|of|for|with|the|in|to|a|an|on|via|from|by)$", re.I)


def continue_heading(text, found, body):
    """``### Satirical News Detection … Mechanism and`` / ``Linguistic Features`` /
    ``url``: a heading cut mid-title goes on in its body's first line, which the body's
    entry took for its whole title."""
    if not found or not body or body[0].kind != "para" or not _DANGLING.search(text):
        return
    first = found[0]
    if first.line == body[0].start + 1 and first.title and len(first.title.split()) <= 4:
        first.title = f"{text.rstrip()} {first.title}"
