"""Metadata from Crossref's REST API (JSON), one DOI per request."""

import html
import re
from urllib.parse import quote

from papers.intake.http import FetchError, get
from papers.intake.records import PaperRecord, clean_text

API_URL = "https://api.crossref.org/works/"
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH_END = re.compile(r"</(?:jats:)?p>", re.I)
_ABSTRACT_TITLE = re.compile(r"<(?:jats:)?title>.*?</(?:jats:)?title>", re.I | re.S)


def fetch(doi, client):
    """The record for ``doi`` (lower-case, bare), or raise ``FetchError``."""
    response = get(client, "Crossref", API_URL + quote(doi, safe="/:;()"))
    if response.status_code == 404:
        raise FetchError(f"Crossref has no record of the DOI {doi}. Is it typed right?")
    if response.status_code != 200:
        raise FetchError(f"Crossref refused the request (HTTP {response.status_code}).")
    try:
        data = response.json()
    except ValueError:
        raise FetchError("Crossref sent a response that is not valid JSON.") from None
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise FetchError("Crossref's answer has no work record in it.")
    return work_to_record(message, doi)


def _plain(markup):
    """Text of a JATS/HTML snippet (Crossref titles can carry <i>, <sub>…)."""
    return clean_text(html.unescape(_TAG.sub("", markup or "")))


def _abstract(jats):
    if not jats:
        return ""
    jats = _ABSTRACT_TITLE.sub("", jats)
    paragraphs = [_plain(part) for part in _PARAGRAPH_END.split(jats)]
    return "\n\n".join(part for part in paragraphs if part)


def _date(message):
    for key in ("published", "issued", "published-print", "published-online", "created"):
        parts = (message.get(key) or {}).get("date-parts") or [[]]
        first = parts[0] if parts and isinstance(parts[0], list) else []
        if first and isinstance(first[0], int):
            month = first[1] if len(first) > 1 and isinstance(first[1], int) else None
            return first[0], month if month and 1 <= month <= 12 else None
    return None, None


def _first(values):
    return _plain(values[0]) if isinstance(values, list) and values else ""


def work_to_record(message, doi):
    title = _first(message.get("title"))
    if not title:
        raise FetchError(f"Crossref's record for {doi} has no title.")
    authors, affiliations = [], []
    for author in message.get("author") or []:
        if not isinstance(author, dict):
            continue
        name = clean_text(f"{author.get('given', '')} {author.get('family', '')}")
        name = name or clean_text(author.get("name", ""))
        if name:
            authors.append(name)
        for affiliation in author.get("affiliation") or []:
            text = clean_text((affiliation or {}).get("name", ""))
            if text and text not in affiliations:
                affiliations.append(text)
    year, month = _date(message)
    venue = _first(message.get("container-title")) or _plain(
        (message.get("event") or {}).get("name", "")
    )
    resource = ((message.get("resource") or {}).get("primary") or {}).get("URL", "")
    pdf_url = next(
        (
            link.get("URL", "")
            for link in message.get("link") or []
            if isinstance(link, dict) and link.get("content-type") == "application/pdf"
        ),
        "",
    )
    return PaperRecord(
        title=title,
        authors=authors,
        year=year,
        month=month,
        venue=venue[:255],
        affiliations="; ".join(affiliations)[:500],
        url=resource or message.get("URL", ""),
        doi=message.get("DOI", doi),
        pdf_url=pdf_url,
        abstract=_abstract(message.get("abstract", "")),
        source="Crossref",
    )
