"""Normalise arXiv ids and DOIs, whatever form a user pastes them in."""

import re

from django.core.exceptions import ValidationError

# New-style ids (2007 on): YYMM.NNNN or YYMM.NNNNN; old style: archive[.SUB]/YYMMNNN.
_NEW_ARXIV = r"(?P<new>(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5})"
_OLD_ARXIV = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/(?P<oyy>\d{2})(?P<omm>\d{2})\d{3})"
_ARXIV_RE = re.compile(
    r"^(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)?"
    rf"(?:{_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_DOI_RE = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE
)


def _any_case(word):
    """``word`` as a pattern of any letter case: JSON Schema patterns take no flags."""
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else "\\." if c == "." else c for c in word
    )


# The same forms as the two regexes above, for the API's schema (ECMA-262 syntax, no
# flags): every value these match is one the normalisers accept, so the schema never
# promises an answer the view refuses (month 01-12; a DOI suffix that is not just dots
# or a slash). Printable ASCII only and no surrounding spaces: a subset of what the
# normalisers take, which keep accepting pasted text elsewhere.
_MONTH = "(?:0[1-9]|1[0-2])"
_URL_START = f"(?:{_any_case('http')}[sS]?://)?"
ARXIV_ID_PATTERN = (
    f"^(?:{_any_case('arxiv:')} *|{_URL_START}(?:{_any_case('www.')}|{_any_case('export.')})?"
    f"{_any_case('arxiv.org')}/(?:{_any_case('abs')}|{_any_case('pdf')}|{_any_case('html')})/)?"
    f"(?:[0-9]{{2}}{_MONTH}\\.[0-9]{{4,5}}"
    f"|[a-zA-Z][a-zA-Z-]*(?:\\.[a-zA-Z]{{2}})?/[0-9]{{2}}{_MONTH}[0-9]{{3}})"
    f"(?:[vV][0-9]+)?(?:{_any_case('.pdf')})?/?(?:[?#][!-~]*)?$"
)
DOI_PATTERN = (
    f"^(?:{_any_case('doi:')} *|{_URL_START}(?:{_any_case('dx.')})?{_any_case('doi.org')}/)?"
    "10\\.[0-9]{4,9}/[!-~]*[!-,0-~-]\\.*$"
)


def parse_arxiv_id(value):
    """Return ``(id, year, month)`` for an arXiv id or URL, or ``None`` if it is not one.

    The id has no version: ``https://arxiv.org/pdf/2103.07579v2.pdf`` → ``2103.07579``.
    """
    match = _ARXIV_RE.match((value or "").strip())
    if not match:
        return None
    if match.group("new"):
        yy, mm = int(match.group("yy")), int(match.group("mm"))
        ident = match.group("new")
    else:
        yy, mm = int(match.group("oyy")), int(match.group("omm"))
        archive, number = match.group("old").split("/")
        name, _, subject = archive.partition(".")
        ident = (
            f"{name.lower()}.{subject.upper()}/{number}" if subject else f"{name.lower()}/{number}"
        )
    if not 1 <= mm <= 12:
        return None
    year = 1900 + yy if yy >= 91 else 2000 + yy  # arXiv started in August 1991
    return ident, year, mm


def normalize_arxiv_id(value):
    """Return the canonical arXiv id, or raise ``ValidationError`` with a clear message."""
    parsed = parse_arxiv_id(value)
    if parsed is None:
        raise ValidationError(
            "“%(value)s” is not an arXiv id or URL (e.g. 2103.07579 or arxiv.org/abs/2103.07579).",
            params={"value": value},
            code="invalid_arxiv",
        )
    return parsed[0]


def normalize_doi(value):
    """Return the DOI in lower case without resolver prefix, or raise ``ValidationError``.

    DOIs are case-insensitive, so lower case makes ``10.1000/ABC`` and ``10.1000/abc`` one.
    """
    match = _DOI_RE.match((value or "").strip())
    if not match:
        raise ValidationError(
            "“%(value)s” is not a DOI (e.g. 10.1038/s41586-024-08328-6 or https://doi.org/…).",
            params={"value": value},
            code="invalid_doi",
        )
    doi = match.group("doi").rstrip(".").lower()
    if doi.endswith("/"):  # "10.1000/." has no suffix once the sentence's full stop goes
        raise ValidationError(
            "“%(value)s” has no DOI suffix after the “/”.",
            params={"value": value},
            code="invalid_doi",
        )
    return doi
