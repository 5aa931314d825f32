"""Metadata from the arXiv API (an Atom feed), several papers per request."""

import time
import xml.etree.ElementTree as ET  # noqa: N817 - the usual name
from typing import NamedTuple

from papers.identifiers import parse_arxiv_id
from papers.intake.http import FetchError, get
from papers.intake.records import PaperRecord, clean_text

API_URL = "https://export.arxiv.org/api/query"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
PAGE_DELAY = 3  # seconds between calls: arXiv's API terms of use


class Page(NamedTuple):
    records: dict
    entries: int
    total: int


# Python's expat (2.4.1+) refuses entity-expansion bombs and ElementTree never fetches
# external entities, so parsing an untrusted feed is safe without defusedxml.


def fetch(ids, client):
    """``{id: PaperRecord or FetchError}`` for versionless arXiv ids, in as few requests as
    the API allows: it answers in pages (``opensearch:totalResults`` / ``itemsPerPage``),
    so a short page is followed by a request for the rest, ``PAGE_DELAY`` seconds later as
    arXiv's terms of use ask."""
    if not ids:
        return {}
    found, start = {}, 0
    try:
        while True:
            params = {"id_list": ",".join(ids), "max_results": str(len(ids))}
            if start:
                params["start"] = str(start)
            response = get(client, "arXiv", API_URL, **params)
            page = parse_page(response.content, status=response.status_code)
            found.update(page.records)
            start += page.entries
            if not page.entries or start >= min(page.total, len(ids)):
                break
            time.sleep(PAGE_DELAY)
    except FetchError as error:
        if not found:
            return dict.fromkeys(ids, error)
        # The pages that came are kept; the ids of the page that failed get its error.
        return {ident: found.get(ident, error) for ident in ids}
    results = {}
    for ident in ids:
        entry = found.get(ident)
        if entry is None:
            entry = FetchError(f"arXiv has no paper with the id {ident}.")
        results[ident] = entry
    return results


def _text(element, path):
    found = element.find(path, NS)
    return clean_text(found.text) if found is not None and found.text else ""


def parse_page(content, status=200):
    """One page of an arXiv Atom feed: its records (keyed by versionless id), how many
    entries it held, and how many results the query has in all (``opensearch:totalResults``;
    the number of entries when the feed lacks it)."""
    try:
        root = ET.fromstring(content)  # noqa: S314 - see the note on expat above
    except ET.ParseError as error:
        raise FetchError(f"arXiv sent a response that is not valid XML ({error}).") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise FetchError("arXiv sent something other than an Atom feed.")
    records = {}
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        entry_id = _text(entry, "atom:id")
        if "/api/errors" in entry_id:
            # The API reports a bad request as a feed with one "Error" entry.
            message = _text(entry, "atom:summary") or "the request was refused"
            raise FetchError(f"arXiv refused the request: {message}.")
        parsed = parse_arxiv_id(entry_id)
        if parsed is None or not _text(entry, "atom:title"):
            continue
        records[parsed[0]] = entry_to_record(entry, parsed)
    if status != 200 and not records:
        raise FetchError(f"arXiv refused the request (HTTP {status}).")
    total = _text(root, "opensearch:totalResults")
    return Page(records, len(entries), int(total) if total.isdigit() else len(entries))


def entry_to_record(entry, parsed):
    ident, id_year, id_month = parsed
    authors, affiliations = [], []
    for author in entry.findall("atom:author", NS):
        name = _text(author, "atom:name")
        if name:
            authors.append(name)
        for affiliation in author.findall("arxiv:affiliation", NS):
            text = clean_text(affiliation.text)
            if text and text not in affiliations:
                affiliations.append(text)
    published = _text(entry, "atom:published")  # first version: 2021-02-26T18:40:37Z
    year, month = id_year, id_month
    if len(published) >= 7 and published[:4].isdigit() and published[5:7].isdigit():
        year, month = int(published[:4]), int(published[5:7])
    primary = entry.find("arxiv:primary_category", NS)
    category = primary.get("term", "") if primary is not None else ""
    return PaperRecord(
        title=_text(entry, "atom:title"),
        authors=authors,
        year=year,
        month=month,
        venue=_text(entry, "arxiv:journal_ref"),
        affiliations="; ".join(affiliations)[:500],
        url=f"https://arxiv.org/abs/{ident}",
        arxiv_id=ident,
        doi=_text(entry, "arxiv:doi"),
        pdf_url=f"https://arxiv.org/pdf/{ident}",
        abstract=_text(entry, "atom:summary"),
        tags=[category] if category else [],
        source="arXiv",
    )
