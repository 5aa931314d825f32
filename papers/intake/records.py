"""What an importer found about one paper, before it becomes a ``Paper``."""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from papers.models import PaperLink

MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


def parse_month(value):
    """``"Mar"``, ``"march"``, ``"3"`` or ``"03"`` → 3; anything else → ``None``."""
    text = str(value or "").strip().strip("{}").strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTH_NAMES.get(text)


# The duplicate finder asks for each record's key three times (reading the batch, finding,
# adding): remembered, so a 5,000-entry import folds each title once.
@functools.lru_cache(maxsize=16384)
def normalize_title(title):
    """A comparison key: accents, case, punctuation and spacing do not matter."""
    folded = unicodedata.normalize("NFKD", title or "")
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", folded.casefold()).split())


def clean_text(text):
    """One line of text with runs of whitespace (including non-breaking ones) collapsed."""
    return " ".join((text or "").split())


_LINK_KIND_WORDS = [
    (PaperLink.Kind.CODE, ("code", "github", "gitlab", "implementation", "pytorch",
                           "tensorflow", "jax", "keras", "repo", "repository")),
    (PaperLink.Kind.VIDEO, ("video", "recording", "talk", "youtube", "vimeo")),
    (PaperLink.Kind.SLIDES, ("slides", "slide", "deck")),
    (PaperLink.Kind.PROJECT, ("project", "website", "homepage", "page", "demo")),
    (PaperLink.Kind.BLOG, ("blog", "post", "article")),
    (PaperLink.Kind.DATA, ("data", "dataset", "datasets", "benchmark")),
]  # fmt: skip
_LINK_KIND_HOSTS = {
    "github.com": PaperLink.Kind.CODE,
    "gitlab.com": PaperLink.Kind.CODE,
    "bitbucket.org": PaperLink.Kind.CODE,
    "youtube.com": PaperLink.Kind.VIDEO,
    "youtu.be": PaperLink.Kind.VIDEO,
    "vimeo.com": PaperLink.Kind.VIDEO,
    "huggingface.co": PaperLink.Kind.PROJECT,
}


def link_kind(label, url):
    """Guess a ``PaperLink.Kind`` from a link's label, then its host; ``None`` if unsure."""
    words = set(re.findall(r"[a-z]+", (label or "").lower()))
    for kind, names in _LINK_KIND_WORDS:
        if words & set(names):
            return kind
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return _LINK_KIND_HOSTS.get(host)


@dataclass
class LinkRecord:
    kind: str
    url: str
    label: str = ""


@dataclass
class FigureRecord:
    """A local image file to re-encode and attach; ``path`` is already resolved."""

    path: str
    caption: str = ""
    credit: str = ""


@dataclass
class PaperRecord:
    """Metadata for one paper from one source; empty values mean "unknown"."""

    title: str = ""
    authors: list = field(default_factory=list)
    year: int | None = None
    month: int | None = None
    venue: str = ""
    affiliations: str = ""
    url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    pdf_url: str = ""
    abstract: str = ""
    notes: str = ""
    alias: str = ""
    tags: list = field(default_factory=list)
    links: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    # arXiv ids or DOIs of "previous work" papers, linked when they are in the database.
    related: list = field(default_factory=list)
    # Where it came from, for reports: "arXiv", "Crossref", "line 12".
    source: str = ""

    def summary(self):
        """What a report shows about a new paper: ``05.2020 · 3 authors · tag Language``."""
        parts = []
        if self.year:
            parts.append(f"{self.month:02d}.{self.year}" if self.month else str(self.year))
        elif self.arxiv_id:
            parts.append("date from the arXiv id")
        if self.authors:
            parts.append(f"{len(self.authors)} author{'s' * (len(self.authors) > 1)}")
        if self.tags:
            parts.append(("tags " if len(self.tags) > 1 else "tag ") + ", ".join(self.tags))
        if self.figures:
            parts.append(f"{len(self.figures)} figure{'s' * (len(self.figures) > 1)}")
        if self.notes:
            parts.append("notes")
        return " · ".join(parts)

    def label(self):
        """A short human name for reports."""
        title = self.title or self.url or self.arxiv_id or self.doi or "(untitled)"
        return f"{title} ({self.alias})" if self.alias and self.alias != title else title
