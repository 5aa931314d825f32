"""Whether the dates on a notes document's headings say when its papers appeared.

A reading log's "#### 2017-12" or "## Added 2018/10/01" says when a paper was read or
added, not when it was published: such a heading must not give a paper its year (the
paper is skipped with the reason unless its identifier or its own line dates it). An
awesome list's "## 2016" or a new-papers digest's "#### 2018-02" does date its papers.
"""

import re

from papers.intake.notes.hosts import arxiv_from_url
from papers.intake.notes.meta import date_only

# A heading that says what happened to the paper on that date.
_LOG_WORDS = re.compile(
    r"\b(?:added|read|reading|reviewed|updated|summari[sz]ed|notes?|week|session|presented)\b",
    re.I,
)
_DAY = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def logged_not_published(when):
    """The heading's own words say it is a reading/adding date (or it names a day)."""
    return bool(_LOG_WORDS.search(when or "") or _DAY.search(when or ""))


def _fits(heading, appeared):
    """A heading's ``(year, month)`` fits when the paper ``appeared``: the month it
    appeared (or up to 3 months on, a digest's lag), or for a year heading that year or
    the next (a conference year)."""
    (year, month), (paper_year, paper_month) = heading, appeared
    if month and paper_month:
        lag = (year * 12 + month) - (paper_year * 12 + paper_month)
        return -1 <= lag <= 3
    return year in (paper_year, paper_year + 1)


def headings_are_reading_dates(entries):
    """True when the document's date headings record reading, not publication.

    Judged on the entries that carry a heading date and a date of their own — an arXiv
    id, or a date written on the entry (``[Pointer Networks (2015.06)](…)`` under
    ``#### 2018-10``): if fewer than 60% fit their heading, the headings are a reading
    log. With fewer than 3 such entries, only the headings' own words (``Added``,
    ``Read``, a day) decide.
    """
    checked = []
    for entry in entries:
        arxiv = arxiv_from_url(entry.url) or arxiv_from_url(entry.url_extra)
        if entry.section_date and arxiv:
            checked.append(_fits((entry.year, entry.month), arxiv[1:]))
        elif not entry.section_date and entry.year and entry.section_when:
            heading = date_only(entry.section_when)
            if heading:
                checked.append(_fits(heading, (entry.year, entry.month)))
    if len(checked) >= 3:
        return sum(checked) < 0.6 * len(checked)
    return False


def publication_date(entry, reading_log):
    """``(year, month)`` the entry's heading may give it, or ``None`` (a reading date)."""
    if not entry.section_date:
        return entry.year, entry.month
    if reading_log or logged_not_published(entry.section_when):
        return None
    return entry.year, entry.month
