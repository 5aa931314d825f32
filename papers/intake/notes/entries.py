"""A paper entry found in a notes document, and the rules shared by every notes format."""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from papers.intake.notes.dates import publication_date
from papers.intake.notes.hosts import (
    arxiv_from_url,
    doi_from_url,
    is_absolute,
    is_paper_url,
    paper_key,
    year_from_url,
)
from papers.intake.records import (
    FigureRecord,
    LinkRecord,
    PaperRecord,
    clean_text,
    link_kind,
    normalize_title,
)

# A Markdown link (not an image): [text](url "title"); text may hold one level of [].
LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
    r"\(\s*<?(?P<url>[^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^()\s<>]+)>?(?:\s+\"(?P<title>[^\"]*)\")?\s*\)"
)
HTML_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"'][^>]*>", re.I)
HTML_ALT = re.compile(r"\balt\s*=\s*[\"'](?P<alt>[^\"']*)[\"']", re.I)
HTML_A = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"'](?P<url>[^\"']+)[\"'][^>]*>(?P<text>.*?)</a>",
                    re.I | re.S)  # fmt: skip
BARE_URL = re.compile(r"<?(?P<url>https?://[^\s<>()\[\]|]+[^\s<>()\[\].,;:!?|'\"])>?")
TAG = re.compile(r"<[^>]+>")
BADGE_DATE = re.compile(r"img\.shields\.io/badge/(?P<month>\d{1,2})\.(?P<year>\d{4})\b")
DOTTED_DATE = re.compile(r"(?<![\d.])(?P<month>0?[1-9]|1[0-2])\.(?P<year>(?:19|20)\d{2})(?![\d.])")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp")
CREDIT = re.compile(r"^\s*[*_]*\s*(?:image\s+)?(?:credit|source)s?\s*[*_]*\s*:\s*(?P<credit>.+)$",
                    re.I)  # fmt: skip


def plain(text):
    """Markdown/HTML inline text → plain text (for titles, tags, aliases)."""
    text = IMAGE.sub("", text or "")
    text = LINK.sub(lambda m: m.group("text"), text)
    text = TAG.sub(" ", text)
    text = html.unescape(text)
    text = re.sub(r"(\*\*|__|\*|`|~~)", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    return clean_text(text)


def date_in(text):
    """``(year, month)`` from a ``MM.YYYY`` badge or date in ``text``; ``(None, None)``."""
    match = BADGE_DATE.search(text) or DOTTED_DATE.search(TAG.sub(" ", IMAGE.sub("", text)))
    if match:
        month = int(match.group("month"))
        return int(match.group("year")), month if 1 <= month <= 12 else None
    return None, None


@dataclass
class NoteEntry:
    """One paper as a notes document describes it."""

    line: int
    title: str = ""
    url: str = ""
    alias: str = ""
    authors: list = field(default_factory=list)
    year: int | None = None
    month: int | None = None
    venue: str = ""
    affiliations: str = ""
    section: str = ""
    notes: list = field(default_factory=list)  # Markdown paragraphs
    images: list = field(default_factory=list)  # (src, caption, credit, line)
    links: list = field(default_factory=list)  # LinkRecord
    related: list = field(default_factory=list)
    tags: list = field(default_factory=list)  # org heading tags and the like
    lines: list = field(default_factory=list)
    awaiting_credit: bool = False  # the last thing read was an image: a credit may follow
    url_extra: str = ""  # a second paper link of the same entry (``[pdf] [html]``)
    cite_key: str = ""  # org-ref: the BibTeX key the entry cites
    cite_text: str = ""  # org-ref: the citation's description
    section_date: bool = False  # the date came from a heading above, not the entry
    section_when: str = ""  # that heading's text
    untitled_why: str = ""  # why the entry has no title (a short name only)
    post_subject: bool = False  # the one paper a post is about (undated: year unknown)
    local_pending: str = ""  # an undated title's notes page, until its section is read

    def key(self):
        if self.cite_key:
            return ("cite", self.cite_key)
        if self.url:
            return paper_key(self.url)
        return ("title", normalize_title(self.title), self.year)

    def absorb(self, other):
        """Merge a later mention of the same paper (an index line, then a summary row)."""
        if _two_papers(self.title, other.title):
            # One link under two full titles ("Artistic Style Transfer For Videos" and
            # "Grammar as a Foreign Language", both 1412.7449): which is it? Not guessed.
            self.untitled_why = (
                f"the file gives one link two titles (“{self.title[:50]}” and "
                f"“{other.title[:50]}”): not guessed."
            )
            self.alias, self.title = "", ""
            self.lines += other.lines
            return
        if self.title != other.title and other.title:
            longer, shorter = sorted([self.title, other.title], key=len, reverse=True)
            self.title = longer
            short = re.sub(r"\s*\(.*\)\s*$", "", shorter).strip()
            if not self.alias and short and normalize_title(short) != normalize_title(longer):
                self.alias = short[:100]
        for name in ("alias", "year", "month", "venue", "affiliations", "url", "section"):
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))
        if other.section and other.section != self.section and other.section not in self.tags:
            self.tags.append(other.section)
        self.authors = self.authors or other.authors
        self.notes += [paragraph for paragraph in other.notes if paragraph not in self.notes]
        self.images += [image for image in other.images if image not in self.images]
        self.links += [link for link in other.links if link not in self.links]
        self.related += [ident for ident in other.related if ident not in self.related]
        self.tags += [tag for tag in other.tags if tag not in self.tags]
        self.lines += other.lines


def _two_papers(title, other):
    """Two full titles, neither containing the other: two papers, not two mentions."""
    mine, theirs = normalize_title(title), normalize_title(other)
    return (
        len(mine.split()) >= 4
        and len(theirs.split()) >= 4
        and mine not in theirs
        and theirs not in mine
    )


def merge(entries):
    """One entry per paper, in order of first mention."""
    merged = {}
    for entry in entries:
        key = entry.key()
        if key in merged:
            merged[key].absorb(entry)
        else:
            merged[key] = entry
    return list(merged.values())


@dataclass
class Skipped:
    line: int
    label: str
    reason: str
    url: str = ""  # the paper link, when there is one (``--lookup`` can fill it in)
    undated: bool = False  # a titled paper link with no date: see ``parse_notes``


def to_record(entry, base_dir, warnings, reading_log=False, undated_ok=False):
    """A ``PaperRecord`` for the writer, or ``Skipped`` when it cannot be a paper.

    ``reading_log``: the document's date headings say when papers were read (see
    ``dates.headings_are_reading_dates``), so they date no paper. ``undated_ok``: the
    document does not date its papers, so an entry without a date is a paper of unknown
    year, not an odd link among dated papers."""
    where = "line " + ", ".join(str(n) for n in sorted(set(entry.lines or [entry.line])))
    label = entry.title or entry.url or "(no title)"
    if not entry.title:
        reason = entry.untitled_why or "the link has no title."
        return Skipped(entry.line, label, reason, url=entry.url)
    if not re.search(r"\s", entry.title.strip()) and len(re.findall(r"[A-Z0-9]", entry.title)) >= 2:
        # "[LayerNorm](https://arxiv.org/abs/1607.06450)": a nickname is never a title.
        reason = f"only a short name (“{entry.title}”) names the paper."
        return Skipped(entry.line, label, reason, url=entry.url)
    if entry.url.lower().startswith("cite:"):
        entry.url = ""
    arxiv = arxiv_from_url(entry.url) or arxiv_from_url(entry.url_extra)
    doi = doi_from_url(entry.url) or doi_from_url(entry.url_extra)
    year, month = entry.year, entry.month
    read_on = ""
    if entry.section_date and publication_date(entry, reading_log) is None:
        year, month, read_on = None, None, entry.section_when.strip(" :#*")
    if arxiv and entry.section_date:
        # A heading's date says when the paper was read (a reading log); the id says
        # when it appeared.
        year, month = arxiv[1], arxiv[2]
    gap = (arxiv[1] * 12 + arxiv[2]) - (year * 12 + (month or 12)) if arxiv and year else 0
    if 4 <= gap <= 36:
        # Months to a few years before its preprint: a slip (2016 for 1706.03762), the id
        # knows better. A conference version just before the preprint (Nov 2018 for
        # 1901.…) is fine, and so is an old paper posted years later (2002, 1106.…).
        warnings.append((where, f"the year {year} contradicts arXiv {arxiv[0]}: {arxiv[1]} used."))
        year, month = arxiv[1], arxiv[2]
    if arxiv and not year:
        year, month = arxiv[1], arxiv[2]
    if not year:
        year = year_from_url(entry.url) or year_from_url(entry.url_extra)
    if not year and _names_teaching_material(entry.title):
        return Skipped(
            entry.line,
            label,
            "tutorials or lectures, not a paper (and nothing dates it).",
            url=entry.url,
        )
    if (
        not year
        and not read_on
        and not undated_ok
        and len(entry.authors) < 2
        and not entry.post_subject
    ):
        # (A whole reference naming its authors is a paper all the same: year unknown; so is
        # the paper a whole post is about, which its title names.)
        # Nothing dates it in a file that dates its papers: a link to a journal's site
        # or a tutorial PDF looks the same. Listed, not guessed (see ``undated_ok``).
        hint = f" Add it with: manage.py add_paper {doi}" if doi else ""
        return Skipped(entry.line, label, f"no date found.{hint}", url=entry.url, undated=True)
    if not year:
        # Imported with its year unknown (NULL), never with a year the file does not give.
        hint = f" (manage.py add_paper {doi} would fetch it)" if doi else ""
        why = "the file gives no publication year"
        if read_on:
            why = f"the heading “{read_on[:40]}” above it says when it was read or added"
        warnings.append((where, f"“{label[:60]}”: year unknown — {why}{hint}."))
        month = None
    if arxiv and month is None and year == arxiv[1]:
        month = arxiv[2]  # a year column says 2013; the arXiv id knows it was December
    figures = []
    for src, caption, credit, line in entry.images:
        figure = _local_figure(src, caption, credit, base_dir)
        if isinstance(figure, str):
            warnings.append((f"line {line}", figure))
        else:
            figures.append(figure)
    links = list(entry.links)
    url = entry.url if is_absolute(entry.url) else ""
    if url and not is_paper_url(url) and link_kind("", url) == "code":
        # A dated entry whose only link is its repository: a code link, not its page.
        links.insert(0, LinkRecord(kind="code", url=url, label="Code"))
        url = ""
    if entry.url_extra and is_absolute(entry.url_extra):
        links.append(LinkRecord(kind="other", url=entry.url_extra, label="Paper (another copy)"))
    pdf = next((u for u in (entry.url, entry.url_extra) if _is_pdf(u)), "")
    return PaperRecord(
        title=entry.title[:500],
        authors=[name for name in entry.authors if len(name) <= 200],
        year=year,
        month=month,
        venue=entry.venue[:255],
        affiliations=entry.affiliations[:500],
        url=url,
        arxiv_id=arxiv[0] if arxiv else "",
        doi=doi,
        pdf_url=pdf,
        alias=entry.alias[:100],
        notes="\n\n".join(paragraph for paragraph in entry.notes if paragraph.strip()),
        tags=list(dict.fromkeys(tag for tag in [entry.section, *entry.tags] if tag)),
        links=links,
        figures=figures,
        related=entry.related,
        source=where,
    )


def _is_pdf(url):
    return is_absolute(url) and (
        urlsplit(url).path.lower().endswith(".pdf") or "arxiv.org/pdf/" in url
    )


def _local_figure(src, caption, credit, base_dir):
    """A ``FigureRecord`` for an image file inside ``base_dir``, or why not (a string)."""
    if is_absolute(src) or src.startswith("//"):
        return (
            f"image {src} is not a local file: not imported (download it and add it as a figure)."
        )
    if base_dir is None:
        return f"image {src}: no folder to look in (give --images-dir)."
    root = Path(base_dir).resolve()
    path = (root / src.split("?")[0].split("#")[0].lstrip("/")).resolve()
    if not path.is_relative_to(root):
        return f"image {src} is outside {root}: not imported."
    if not path.is_file():
        return f"image {src} was not found in {root}: not imported."
    return FigureRecord(path=str(path), caption=caption, credit=credit)


__all__ = [
    "LINK", "IMAGE", "HTML_IMG", "HTML_ALT", "HTML_A", "BARE_URL", "CREDIT", "IMAGE_EXTENSIONS",
    "NoteEntry", "Skipped", "merge", "to_record", "plain", "date_in", "is_absolute",
    "is_paper_url", "doi_from_url",
]  # fmt: skip


# "Quoc Le's Tutorials on Deep Learning", "Deep Learning Tutorial by LISA lab": teaching
# material named as such (plural, or "tutorial by"); "A Tutorial on Spectral Clustering" is
# a paper's title and does not match.
_TEACHING = re.compile(r"\b(?:tutorials|lectures|lecture notes|courses|tutorial by)\b", re.I)


def _names_teaching_material(title):
    return bool(_TEACHING.search(title or ""))
