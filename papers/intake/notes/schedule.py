"""A reading group's schedule table: its dates say when a paper was presented.

``| Date | Topic | Presenters | Notes |`` with ``20th August, 2021`` in the date column
(and often a ``## 2021`` heading over the table): the date is the session's, not the
paper's. A table with a presenter column is such a schedule; its date column and the
date heading above it date no paper (an arXiv id or the paper's own written date still
does), and its papers are imported with the year unknown, the session date in the report.
"""

import re

from papers.intake.records import clean_text

# Header names of the column that says who presents (or leads) the session.
_PRESENTER = re.compile(
    r"(?:presenters?|presented\s+by|speakers?|discussants?|discussion\s+leads?|leads?|hosts?"
    r"|facilitators?|moderators?)",
    re.I,
)


def presenter_column(header):
    """The position of a schedule's presenter column, or ``None``."""
    for position, name in enumerate(header):
        if _PRESENTER.fullmatch(clean_text(name).strip(" *_:")):
            return position
    return None


def session_dated(entries, when, year):
    """The entries of a schedule row: a date from the row (``when``, its ``year``) or the
    heading above it is when the paper was presented, so it is marked as a reading date
    (``dates.publication_date`` then gives none, and the report says when it was
    presented); a date the entry writes itself is kept."""
    for entry in entries:
        if entry.year is not None and not entry.section_date:
            continue  # "[Title (2015)](…)": the paper's own date
        if year:
            entry.year, entry.month = year, None
        if entry.year is None:
            continue
        entry.section_date = True
        entry.section_when = f"presented {clean_text(when or entry.section_when)}"
