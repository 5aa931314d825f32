"""Finding the paper an import is about: same arXiv id, same DOI, or same title and year."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from papers.identifiers import normalize_doi, parse_arxiv_id
from papers.intake.records import normalize_title
from papers.models import Paper

_CHUNK = 500  # keeps IN (...) lists well under every database's parameter limit


def arxiv_key(value):
    """The versionless arXiv id, or ``""`` when ``value`` is not one."""
    parsed = parse_arxiv_id(value or "")
    return parsed[0] if parsed else ""


def doi_key(value):
    """The lower-case bare DOI, or ``""`` when ``value`` is not one."""
    try:
        return normalize_doi(value) if value else ""
    except ValidationError:
        return ""


def record_year(record):
    """The record's year, or the one a new-style arXiv id implies."""
    if record.year:
        return record.year
    parsed = parse_arxiv_id(record.arxiv_id or "")
    return parsed[1] if parsed else None


def title_key(title, year):
    """The one "same paper by title" rule: normalised title (case, accents, punctuation
    and spacing ignored) and the same year."""
    return (normalize_title(title), year)


def same_title_and_year(title, year, exclude_pk=None):
    """Stored papers with ``title_key(title, year)``: what the admin warns about."""
    key = title_key(title, year)
    if not key[0] or year is None:
        return []
    rows = Paper.objects.filter(year=year).exclude(pk=exclude_pk).order_by("pk")
    return [
        paper
        for paper in rows.only("pk", "title", "year", "slug")
        if title_key(paper.title, paper.year) == key
    ]


@dataclass(frozen=True)
class Known:
    """The few columns of a stored paper that duplicate detection needs."""

    pk: int
    title: str
    year: int | None
    arxiv_id: str
    doi: str


@dataclass
class Match:
    known: Known
    how: str  # "the same arXiv id", …

    def describe(self):
        return f"“{self.known.title}” (#{self.known.pk}, {self.how})"


class Conflict(Exception):
    """The record matches two different stored papers."""


class DuplicateFinder:
    """An in-memory index of the stored papers an import could collide with.

    Built with one query per few hundred records (``for_records``), then kept up to date
    as the import saves papers, so duplicates inside one file are caught too.
    """

    def __init__(self):
        self._arxiv = {}
        self._doi = {}
        self._title = {}

    @classmethod
    def for_records(cls, records):
        """Index the stored papers that share an id or a year with any of ``records``."""
        finder = cls()
        arxiv_ids, dois, years = set(), set(), set()
        for record in records:
            arxiv_ids.add(arxiv_key(record.arxiv_id))
            dois.add(doi_key(record.doi))
            years.add(record_year(record))
        arxiv_ids.discard("")
        dois.discard("")
        unknown_year = None in years
        years.discard(None)
        lookups = [Q(arxiv_id__in=chunk) for chunk in _chunks(arxiv_ids)]
        lookups += [Q(doi__in=chunk) for chunk in _chunks(dois)]
        lookups += [Q(year__in=chunk) for chunk in _chunks(years)]
        if unknown_year:  # a paper of unknown year is the same as one stored so, by title
            lookups.append(Q(year__isnull=True))
        columns = ("pk", "title", "year", "arxiv_id", "doi")
        for lookup in lookups:
            for row in Paper.objects.filter(lookup).order_by().values_list(*columns):
                finder.add(Known(row[0], row[1], row[2], row[3] or "", row[4] or ""))
        return finder

    def add(self, known):
        if isinstance(known, Paper):
            known = Known(known.pk, known.title, known.year, known.arxiv_id or "", known.doi or "")
        if known.arxiv_id:
            self._arxiv.setdefault(arxiv_key(known.arxiv_id) or known.arxiv_id, known)
        if known.doi:
            self._doi.setdefault(doi_key(known.doi) or known.doi, known)
        self._title.setdefault(title_key(known.title, known.year), known)

    def find(self, record):
        """The stored paper ``record`` describes, or ``None``; ``Conflict`` if two match."""
        matches = []
        key = arxiv_key(record.arxiv_id)
        if key in self._arxiv:
            matches.append(Match(self._arxiv[key], "the same arXiv id"))
        key = doi_key(record.doi)
        if key in self._doi:
            matches.append(Match(self._doi[key], "the same DOI"))
        if not matches and record.title:
            key = title_key(record.title, record_year(record))
            if key in self._title:
                matches.append(Match(self._title[key], "the same title and year"))
        if len({match.known.pk for match in matches}) > 1:
            raise Conflict(
                "It matches two papers in the database: "
                + " and ".join(match.describe() for match in matches)
                + "."
            )
        return matches[0] if matches else None


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
