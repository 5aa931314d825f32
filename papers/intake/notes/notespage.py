"""A local notes page an entry links (``[Title](./notes/x.md)``): where it is, and what it
says it is about."""

import re
from pathlib import Path
from urllib.parse import unquote

from papers.intake.notes.entries import LINK, plain
from papers.intake.notes.hosts import is_absolute, is_paper_url
from papers.intake.records import normalize_title

# How much of a page is read for its subject: its first heading is at the top.
_HEAD_BYTES = 4096


def local_path(base_dir, url):
    """The file a relative link names under ``base_dir`` (``%20`` decoded when the file is
    only found that way: ``./notes/Tensorflow:%20The%20Confusing%20Parts%201.md``)."""
    root = Path(base_dir).resolve()
    raw = url.split("#")[0].lstrip("/")
    path = (root / raw).resolve()
    if not path.is_file() and "%" in raw:
        decoded = (root / unquote(raw)).resolve()
        if decoded.is_file():
            return decoded
    return path


def page_subject(base_dir, url, title):
    """The address the notes page at ``url`` names as its subject — the link of its first
    heading (``## [Tensorflow: The Confusing Parts (1)](https://jacobbuckman.com/…)``)
    when that link's text is the entry's ``title`` — else ``""``."""
    if base_dir is None:
        return ""
    root = Path(base_dir).resolve()
    path = local_path(base_dir, url)
    if not path.is_relative_to(root) or not path.is_file():
        return ""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", "ignore")
    except OSError:
        return ""
    first = next((line for line in head.splitlines() if line.strip()), "")
    heading = re.match(r"^\s{0,3}#{1,6}\s+(?P<text>.+)$", first)
    link = LINK.search(heading.group("text")) if heading else None
    if not link or not is_absolute(link.group("url")):
        return ""
    mine, theirs = normalize_title(title), normalize_title(plain(link.group("text")))
    if not mine or not (mine == theirs or theirs.startswith(mine)):
        return ""
    return link.group("url")


def about_no_paper(base_dir, url, title):
    """The page's subject link when it is no paper (a blog post, a tutorial), else ``""``."""
    subject = page_subject(base_dir, url, title)
    return subject if subject and not is_paper_url(subject) else ""
