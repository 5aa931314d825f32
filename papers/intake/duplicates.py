"""Finding the paper an import is about: same arXiv id, same DOI, or same title and year.

An unknown year (a reading log's entry, a ``.bib`` entry without one) is a wildcard: such a
record is the stored paper with its title whatever that paper's year, and a record with a
year is the stored paper of unknown year with its title (the import then fills the year).
Two stored papers with one title and different known years are different papers, so a
record that could be either is not merged into one of them by guess: it is a ``Conflict``.
"""

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

    def describe_paper(self):
        year = self.known.year if self.known.year is not None else "year unknown"
        return f"“{self.known.title}” (#{self.known.pk}, {year})"


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
        self._titles = {}  # normalised title → {year or None → Known}

    @classmethod
    def for_records(cls, records):
        """Index the stored papers that share an id or a year with any of ``records``,
        the stored papers of unknown year, and — for records of unknown year — every
        stored paper with their title, whatever its year."""
        finder = cls()
        arxiv_ids, dois, years, titles = set(), set(), set(), {}
        for record in records:
            arxiv_ids.add(arxiv_key(record.arxiv_id))
            dois.add(doi_key(record.doi))
            year = record_year(record)
            years.add(year)
            title = normalize_title(record.title)
            if title:
                titles[title] = titles.get(title, False) or year is None
        arxiv_ids.discard("")
        dois.discard("")
        years.discard(None)
        lookups = [Q(arxiv_id__in=chunk) for chunk in _chunks(arxiv_ids)]
        lookups += [Q(doi__in=chunk) for chunk in _chunks(dois)]
        # A record with a year may be a stored paper of unknown year (few: reading logs):
        # read with the first chunk of years, not in a query of its own.
        by_year = [Q(year__in=chunk) for chunk in _chunks(years)] or [Q(pk__in=[])]
        by_year[0] |= Q(year__isnull=True)
        lookups += by_year
        for lookup in lookups:
            finder._load(Paper.objects.filter(lookup))
        # Where the year is a wildcard — a record of unknown year, or a stored paper of
        # unknown year with a record's title — every stored paper with that title counts,
        # whatever its year (to tell one match from several).
        wanted = {
            title
            for title, undated in titles.items()
            if undated or None in finder._titles.get(title, {})
        }
        if wanted:
            # The normalised title is not a column, so titles are compared here, in one
            # pass over the dated papers' short columns, keeping only the wanted ones.
            finder._load(Paper.objects.exclude(year__isnull=True), wanted)
        return finder

    _COLUMNS = ("pk", "title", "year", "arxiv_id", "doi")

    def _load(self, queryset, titles=None):
        rows = queryset.order_by().values_list(*self._COLUMNS)
        for row in rows.iterator(chunk_size=5000) if titles else rows:
            if titles is None or normalize_title(row[1]) in titles:
                self.add(Known(row[0], row[1], row[2], row[3] or "", row[4] or ""))

    def add(self, known):
        if isinstance(known, Paper):
            known = Known(known.pk, known.title, known.year, known.arxiv_id or "", known.doi or "")
        if known.arxiv_id:
            self._arxiv.setdefault(arxiv_key(known.arxiv_id) or known.arxiv_id, known)
        if known.doi:
            self._doi.setdefault(doi_key(known.doi) or known.doi, known)
        title = normalize_title(known.title)
        if not title:
            return
        by_year = self._titles.setdefault(title, {})
        # A paper whose year the import just filled is no longer one of unknown year.
        for year, other in list(by_year.items()):
            if other.pk is not None and other.pk == known.pk and year != known.year:
                del by_year[year]
        by_year.setdefault(known.year, known)

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
            match = self._by_title(normalize_title(record.title), record_year(record))
            if match:
                matches.append(match)
        if len({match.known.pk for match in matches}) > 1:
            raise Conflict(
                "It matches two papers in the database: "
                + " and ".join(match.describe() for match in matches)
                + "."
            )
        return matches[0] if matches else None

    def _by_title(self, title, year):
        by_year = self._titles.get(title) if title else None
        if not by_year:
            return None
        if year in by_year:
            return Match(by_year[year], "the same title and year")
        dated = [known for known_year, known in by_year.items() if known_year is not None]
        if year is None:
            candidates = dated
            how = "the same title; this entry's year is unknown"
        elif None in by_year:
            candidates = [by_year[None], *dated]
            how = "the same title; its year was unknown"
        else:  # the same title in other years only: another paper
            return None
        if len(candidates) > 1:
            raise Conflict(
                "Its title matches papers of different years and it does not say which it "
                "is: "
                + " and ".join(Match(known, "").describe_paper() for known in candidates)
                + ". Add its year or an identifier."
            )
        return Match(candidates[0], how)


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
