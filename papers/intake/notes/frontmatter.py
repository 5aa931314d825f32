"""Papers listed as data in a Jekyll/Hugo page's YAML front matter.

A reading-group page may keep its sessions as ``sessions: [{title, authors, venue,
link, date}, …]``; any list of mappings with a title and a paper link is read that way.
"""

import re
import tomllib

import yaml

from papers.intake.notes import meta
from papers.intake.notes.entries import NoteEntry
from papers.intake.notes.hosts import is_absolute, is_paper_url
from papers.intake.records import clean_text

_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>(?:.*\n){0,2000}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# Hugo/Zola's TOML front matter: ``+++`` / ``title = "…"`` / ``+++``.
_TOML_FRONT = re.compile(r"\A\+\+\+[ \t]*\n(?P<toml>(?:.*\n){0,2000}?)\+\+\+[ \t]*(?:\n|\Z)")
_TITLE_KEYS = ("title", "paper", "name")
_LINK_KEYS = ("link", "url", "paper_url", "pdf", "arxiv", "doi", "paper")
_SHORT_YEAR = re.compile(r"['’](?P<yy>\d{2})\b")


def page_title(text):
    """The front matter's ``title:`` (a Jekyll/Hugo post's), or ``""``."""
    data = _front_matter(text)
    title = data.get("title") if isinstance(data, dict) else None
    return meta.clean_title(_READING.sub("", title)) if isinstance(title, str) else ""


# "Paper Reading: In Search of …", "Paper review: …", "Reading notes: …": what the post is,
# before the title of the paper it is about.
_READING = re.compile(
    r"^\s*(?:\[?papers?\]?\s*)?(?:reading|review|notes?|summary)(?:\s+notes?)?\s*[:：]\s*"
    r"|^\s*\[?paper\]?\s*[:：]\s*",
    re.I,
)


def _front_matter(text):
    return _data_and_lines(text)[0]


def _data_and_lines(text):
    """The front matter's data (YAML or TOML) and its lines; ``(None, [])`` without one."""
    for pattern, group, load, error in _FORMATS:
        match = pattern.match(text)
        if match:
            try:
                return load(match.group(group)), match.group(group).split("\n")
            except error:
                return None, []
    return None, []


_FORMATS = (
    (_FRONT, "yaml", yaml.safe_load, yaml.YAMLError),
    (_TOML_FRONT, "toml", tomllib.loads, tomllib.TOMLDecodeError),
)


def front_matter_entries(text):
    """``NoteEntry`` for each paper the front matter lists (none when there is none)."""
    data, lines = _data_and_lines(text)
    if data is None:
        return []
    page = _page_paper(data, lines)
    if page:
        # The page is the paper's notes: its text below the front matter.
        match = _FRONT.match(text) or _TOML_FRONT.match(text)
        body = text[match.end() :].strip() if match else ""
        page.notes = [body] if body else []
        return [page]
    found = []
    _walk(data, lines, found, depth=0)
    return found


def _page_paper(data, lines):
    """A literature note's own front matter — ``title``, ``authors`` and ``year`` (a
    Zotero/Obsidian/Hugo template's) — names the paper the page is about, link or not.
    (A blog post's ``author`` and ``date`` are the writer's and the post's.)"""
    if not isinstance(data, dict):
        return None
    keys = {str(key).lower(): value for key, value in data.items()}
    title, authors, year = keys.get("title"), keys.get("authors"), keys.get("year")
    if not isinstance(title, str) or not authors or not str(year or "").strip().isdigit():
        return None
    title = meta.clean_title(title)
    if len(title.split()) < 2 or not re.fullmatch(meta.YEAR, str(year).strip()):
        return None
    if isinstance(authors, list):
        names = [clean_text(str(name)) for name in authors if str(name).strip()]
    else:
        names = meta.names(clean_text(str(authors)))
    line = next((n + 2 for n, text in enumerate(lines) if title[:30] in text), 1)
    entry = NoteEntry(line=line, title=title, lines=[line])
    entry.year, entry.authors = int(str(year).strip()), names
    url = next(
        (str(keys[k]) for k in _LINK_KEYS if isinstance(keys.get(k), str) and is_absolute(keys[k])),
        "",
    )
    entry.url = url if is_paper_url(url) else ""
    return entry


def _walk(value, lines, found, depth):
    if depth > 6:
        return
    if isinstance(value, dict):
        entry = _entry(value, lines)
        if entry:
            found.append(entry)
            return
        for item in value.values():
            _walk(item, lines, found, depth + 1)
    elif isinstance(value, list):
        for item in value[:5000]:
            _walk(item, lines, found, depth + 1)


def _entry(mapping, lines):
    keys = {str(key).lower(): value for key, value in mapping.items()}
    title = next((str(keys[k]) for k in _TITLE_KEYS if isinstance(keys.get(k), str)), "")
    url = next(
        (str(keys[k]) for k in _LINK_KEYS if isinstance(keys.get(k), str) and is_absolute(keys[k])),
        "",
    )
    title = meta.clean_title(title)
    if not title or len(title.split()) < 2:
        return None
    # A session that names its paper's authors and venue is about a paper even when its
    # link is a publisher gateway, a mirror or missing ("link: (Link)").
    cited = keys.get("authors") and (keys.get("venue") or keys.get("conference"))
    if not (url and is_paper_url(url)) and not cited:
        return None
    line = next((n + 2 for n, text in enumerate(lines) if title[:30] in text), 1)
    entry = NoteEntry(line=line, title=title, url=url, lines=[line])
    venue = clean_text(str(keys.get("venue") or keys.get("conference") or ""))
    entry.venue = venue[:255]
    short = _SHORT_YEAR.search(venue)
    year = keys.get("year")
    if isinstance(year, int) or str(year or "").isdigit():
        entry.year = int(year)
    elif short:  # "SOSP '89", "OSDI '24"
        yy = int(short.group("yy"))
        entry.year = 1900 + yy if yy > 50 else 2000 + yy
    else:
        match = re.search(rf"\b{meta.YEAR}\b", venue + " " + str(keys.get("date") or ""))
        entry.year = int(match.group(0)) if match else None
        entry.section_date = bool(match)
    return entry
