"""Add by identifier: pasted arXiv ids/URLs and DOIs → records fetched from the services."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from papers.identifiers import normalize_doi, parse_arxiv_id
from papers.intake import arxiv, crossref
from papers.intake.http import FetchError, make_client

MAX_IDENTIFIERS = 25
# arXiv's own DOIs (DataCite, not Crossref): 10.48550/arXiv.2103.00020.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


@dataclass
class Lookup:
    raw: str
    kind: str = ""  # "arxiv" or "doi"
    key: str = ""
    record: object = None
    error: str = ""


def split_identifiers(text):
    """Identifiers separated by spaces, new lines or commas, in order, without repeats.

    A semicolon separates only before a space: old SICI DOIs contain one (``…CO;2-0``).
    """
    tokens = [token.strip(";") for token in re.split(r"[\s,]+", text or "")]
    return list(dict.fromkeys(token for token in tokens if token))


def classify(raw):
    """``("arxiv", id)`` or ``("doi", doi)``; ``ValidationError`` for anything else."""
    parsed = parse_arxiv_id(raw)
    if parsed:
        return "arxiv", parsed[0]
    try:
        doi = normalize_doi(raw)
    except ValidationError:
        raise ValidationError(
            "“%(raw)s” is neither an arXiv id or URL (2103.00020, arxiv.org/abs/…, "
            "hep-th/9901001) nor a DOI (10.…/… or https://doi.org/…).",
            params={"raw": raw[:100]},
            code="unknown_identifier",
        ) from None
    match = _ARXIV_DOI.match(doi)
    if match and parse_arxiv_id(match.group(1)):
        return "arxiv", parse_arxiv_id(match.group(1))[0]
    return "doi", doi


def look_up(raws, client=None, progress=None):
    """Fetch metadata for each identifier; failures are kept as messages, not raised.

    ``progress`` (a job's or a command's) hears how many identifiers are looked up.
    """
    progress = progress or (lambda **figures: None)
    lookups = []
    for raw in raws:
        lookup = Lookup(raw)
        try:
            lookup.kind, lookup.key = classify(raw)
        except ValidationError as error:
            lookup.error = error.messages[0]
        lookups.append(lookup)
    own_client = client is None
    client = client or make_client()
    done = sum(not lookup.kind for lookup in lookups)  # refused without a lookup
    progress(done=done, total=len(lookups), refused=done, message="Asking arXiv")
    try:
        arxiv_ids = list(dict.fromkeys(x.key for x in lookups if x.kind == "arxiv"))
        arxiv_results = arxiv.fetch(arxiv_ids, client)
        done += sum(lookup.kind == "arxiv" for lookup in lookups)
        progress(done=done, message="Asking Crossref")
        doi_results = {}
        for lookup in lookups:
            if lookup.kind == "doi" and lookup.key not in doi_results:
                try:
                    doi_results[lookup.key] = crossref.fetch(lookup.key, client)
                except FetchError as error:
                    doi_results[lookup.key] = error
            if lookup.kind == "doi":
                done += 1
                progress(done=done)
    finally:
        if own_client:
            client.close()
    for lookup in lookups:
        result = {"arxiv": arxiv_results, "doi": doi_results}.get(lookup.kind, {}).get(lookup.key)
        if isinstance(result, FetchError):
            lookup.error = str(result)
        elif result is not None:
            lookup.record = result
    return lookups
