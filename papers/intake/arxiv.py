"""Metadata from the arXiv API (an Atom feed), several papers per request."""

import xml.etree.ElementTree as ET  # noqa: N817 - the usual name

from papers.identifiers import parse_arxiv_id
from papers.intake.http import FetchError, get
from papers.intake.records import PaperRecord, clean_text

API_URL = "https://export.arxiv.org/api/query"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
}
# Python's expat (2.4.1+) refuses entity-expansion bombs and ElementTree never fetches
# external entities, so parsing an untrusted feed is safe without defusedxml.


def fetch(ids, client):
    """``{id: PaperRecord or FetchError}`` for versionless arXiv ids, in one request."""
    if not ids:
        return {}
    try:
        response = get(client, "arXiv", API_URL, id_list=",".join(ids), max_results=str(len(ids)))
        found = parse_feed(response.content, status=response.status_code)
    except FetchError as error:
        return dict.fromkeys(ids, error)
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


def parse_feed(content, status=200):
    """Map each entry of an arXiv Atom feed to a record, keyed by its versionless id."""
    try:
        root = ET.fromstring(content)  # noqa: S314 - see the note on expat above
    except ET.ParseError as error:
        raise FetchError(f"arXiv sent a response that is not valid XML ({error}).") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise FetchError("arXiv sent something other than an Atom feed.")
    records = {}
    for entry in root.findall("atom:entry", NS):
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
    return records


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
