"""A Jekyll/Hugo post about one paper: the whole post is that paper's notes.

``title: Distilling the Knowledge in a Neural Network`` over a body of sections whose one
paper link is ``* [Link to the paper](https://arxiv.org/abs/1503.02531)``: the paper is
the one the page's title names (``_title_from_page`` gives the untitled link that title),
and everything the post says — every section, not only the lines under that link — is
its notes. The other papers it links are mentions in those notes, not papers. The front
matter's tags that are a year (``'2014'``) or a venue and year (``'NIPS 2014'``) date it;
its other tags are its tags.
"""

import re
from pathlib import Path

from papers.intake.notes import linktext, meta
from papers.intake.notes.entries import NoteEntry
from papers.intake.notes.frontmatter import _FRONT, _front_matter, page_title
from papers.intake.notes.sections import tag_name
from papers.intake.records import normalize_title

_VENUE_YEAR = re.compile(rf"^(?P<venue>[A-Za-z][\w&\- ]{{1,30}}?)\s+(?P<year>{meta.YEAR})$")
_YEAR_ONLY = re.compile(rf"^{meta.YEAR}$")
# A title that says the page is about several papers ("Papers I read in March").
_SEVERAL = re.compile(r"\bpapers\b|\breading[- ]list\b|\breadings\b", re.I)
# A line that only links the paper: "* [Link to the paper](…)", "- [Paper](…)".
_EMPTY_PAPER_LINK = re.compile(
    r"^\s*(?:[-*+]\s+)?\[(?:link to )?(?:the )?(?:paper|pdf|arxiv)\]\(\s*\)\s*$", re.I
)
# "* [Huang, Po-Sen, et al. "Title." Venue, 2013.](…)": a list item that is one link whose
# text is a whole citation (names, quoted title, year).
_CITATION_ITEM = re.compile(r"^\s*[-*+]\s+\[(?P<text>[^\]]+)\]\([^()\s]+\)\s*\.?\s*$")
_ONLY_PAPER_LINK = re.compile(
    r"^\s*(?:[-*+]\s+)?\[(?:link to )?(?:the )?(?:paper|pdf|arxiv)\]\([^()\s]+\)\s*$", re.I
)


def _labelled_link_entry(entries, lines, title, body_start):
    """``* [Link to the paper](https://github.com/…)`` (or a publisher's page, or nothing
    between the parentheses): the line says it links the post's paper, though the link is
    no paper host. The paper is the page's title; the link stays (a code link when it is a
    repository)."""
    found = [
        index
        for index in range(body_start, len(lines))
        if _ONLY_PAPER_LINK.match(lines[index]) or _EMPTY_PAPER_LINK.match(lines[index])
    ]
    if len(found) != 1:
        return []
    url = re.search(r"\]\((?P<url>[^()\s]*)\)", lines[found[0]]).group("url")
    entry = NoteEntry(line=found[0] + 1, title=title, url=url, lines=[found[0] + 1])
    entries.append(entry)
    return [entry]


def _is_post(text, base_dir):
    """A blog post (``layout: post``, or a file in ``_posts/`` or ``posts/``), not a page."""
    data = _front_matter(text)
    layout = str(data.get("layout") or "") if isinstance(data, dict) else ""
    folder = Path(str(base_dir)).name.lower() if base_dir is not None else ""
    return "post" in layout.lower() or folder in ("_posts", "posts", "post")


def _line(lines, number):
    return lines[number - 1] if 0 < number <= len(lines) else ""


def page_tags(text):
    """The front matter's ``tags`` (a list, or Jekyll's space-separated string)."""
    data = _front_matter(text)
    tags = data.get("tags") if isinstance(data, dict) else None
    if isinstance(tags, str):
        tags = tags.split()
    if not isinstance(tags, list):
        return []
    return [str(tag).strip() for tag in tags if isinstance(tag, (str, int)) and str(tag).strip()]


def post_paper(entries, text, lines, writer, base_dir=None):
    """When ``text`` is a post about one paper of ``entries``, give that entry the whole
    body as notes, the tags' date, venue and tags; return the body's first line number
    (1-based), else ``None``."""
    title = page_title(text)
    match = _FRONT.match(text)
    if not title or not match:
        return None
    key = normalize_title(title)
    named = [entry for entry in entries if entry.title and normalize_title(entry.title) == key]
    untitled = [entry for entry in entries if not entry.title and entry.url]
    # A line that is only "* [Link to the paper](…)": whatever title a later mention of
    # the same link gave ("refer the [original paper](…)" under a heading), it is the
    # post's paper.
    labelled = [e for e in entries if e.url and _ONLY_PAPER_LINK.match(_line(lines, e.line))]
    if not named and (not _is_post(text, base_dir) or _SEVERAL.search(title)):
        # A page (a reading list, a semester's sessions) whose title names no paper of it:
        # none of its links is taken for the page's one paper.
        return None
    if not named and len(title.split()) >= 2:
        # "[Link to the paper](…)" below a paper the post mentions by name first, or
        # beside a citation ("[Buciluǎ et al.](…)"): the one line that only links the
        # paper, else the post's one untitled link, is its paper.
        named = labelled if len(labelled) == 1 else untitled if len(untitled) == 1 else []
        for entry in named:
            entry.title = title
    if not named and len(title.split()) >= 2:
        named = _labelled_link_entry(entries, lines, title, match.group(0).count("\n"))
    if len(named) != 1:
        return None
    entry = named[0]
    body_start = match.group(0).count("\n")  # index of the first line after the front matter
    # Every line but the paper's own link line: the papers the post mentions stay in it
    # (as mentions, and as entries of their own).
    numbered = [
        (index, lines[index]) for index in range(body_start, len(lines)) if index + 1 != entry.line
    ]
    while numbered and not numbered[0][1].strip():
        numbered.pop(0)
    # The post's headings ("# Introduction") are parts of its notes, not its paper's topic.
    entry.notes, entry.images, entry.section = [], [], ""
    entry.post_subject = True
    writer.add(entry, numbered)
    # The other papers the post links ("as [Order Matters](…) showed", "the original
    # paper") are mentions in its notes, not papers of their own; a further-reading list
    # of whole citations names papers the writer lists as such.
    entries[:] = [
        other
        for other in entries
        if other is entry or other.line <= body_start or _cites_a_paper(_line(lines, other.line))
    ]
    _date_from_tags(entry, page_tags(text), _post_year(text))
    return body_start + 1


def _cites_a_paper(line):
    """A list item whose one link's text is a whole citation: authors, a quoted title and
    a year (``* [Huang, Po-Sen, et al. "Title." Venue, 2013.](…)``)."""
    found = _CITATION_ITEM.match(line)
    text = found.group("text") if found else ""
    if '"' not in text and "“" not in text:
        return False
    cited = linktext.read(text)
    return bool(cited and cited[1]["year"] and cited[1]["authors"])


def _post_year(text):
    """The year the post was written (``date: 2017-12-31``), or ``None``."""
    data = _front_matter(text)
    found = re.match(meta.YEAR, str(data.get("date") or "")) if isinstance(data, dict) else None
    return int(found.group(0)) if found else None


def _date_from_tags(entry, tags, written):
    for tag in tags:
        if _YEAR_ONLY.match(tag) and int(tag) == written:
            continue  # the year the post was written, perhaps: not the paper's
        if _YEAR_ONLY.match(tag):
            year, venue = int(tag), ""
        elif (found := _VENUE_YEAR.match(tag)) and meta.VENUE.search(found.group("venue")):
            year, venue = int(found.group("year")), found.group("venue")
        else:
            name = tag_name(tag)
            if name and name not in entry.tags:
                entry.tags.append(name)
            continue
        if not entry.year or entry.section_date:
            entry.year, entry.month, entry.section_date = year, None, False
        if venue and not entry.venue:
            entry.venue = venue[:255]
