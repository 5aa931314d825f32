"""What an org heading's property drawer, or a BibTeX block in its notes, says about
the paper it names."""

import re

from papers.intake.notes import meta
from papers.intake.notes.hosts import arxiv_from_text, arxiv_from_url, doi_from_url
from papers.intake.records import clean_text, normalize_title

URL_PROPERTIES = ("link", "url", "arxiv", "doi", "pdf")


def cite_props(extra):
    props = {name.lower() for name in extra.get("properties", {})}
    return "custom_id" in props and bool(props & {"author", "year", "doi", "url", "journal"})


def property_url(value):
    value = value.strip()
    if re.match(r"^\d{4}\.\d{4,5}", value) or value.lower().startswith("arxiv:"):
        return "https://arxiv.org/abs/" + value.split(":", 1)[-1].strip()
    if value.startswith("10."):
        return "https://doi.org/" + value
    match = re.match(r"^\[\[(?P<url>[^\]]+)\]", value)
    return match.group("url") if match else value


def apply_properties(entry, properties):
    lower = {name.lower(): value for name, value in properties.items()}
    if lower.get("year") and not entry.year:
        match = re.search(rf"\b{meta.YEAR}\b", lower["year"])
        entry.year = int(match.group(0)) if match else None
    if lower.get("author") and not entry.authors:
        entry.authors = [
            clean_text(a) for a in re.split(r"\s+and\s+", lower["author"]) if clean_text(a)
        ]
    if lower.get("journal") and not entry.venue:
        entry.venue = clean_text(lower["journal"])[:255]
    if lower.get("custom_id"):
        entry.cite_key = lower["custom_id"]


_BIBTEX_START = re.compile(
    r"^\s*@(?:article|inproceedings|incollection|book|misc|techreport|phdthesis|"
    r"mastersthesis|conference|unpublished|online)\s*\{",
    re.I,
)


def has_bibtex(body):
    """Whether a BibTeX entry starts on one of ``body``'s ``(index, line)`` pairs."""
    return any(_BIBTEX_START.match(line) for _, line in body)


def fill_from_bibtex(entry, body):
    """A BibTeX block among an entry's notes (an org ``#+BEGIN_SRC bibtex``) gives the
    date, authors, venue and DOI the heading does not."""
    lines = [line for _, line in body]
    start = next((i for i, line in enumerate(lines) if _BIBTEX_START.match(line)), None)
    if start is None or entry.year and entry.authors:
        return
    block = []
    for line in lines[start : start + 60]:
        if line.strip().startswith("```"):
            break
        block.append(line)
    from papers.intake.batch import Problem
    from papers.intake.bibtex_import import parse_bibtex

    records = [item for item in parse_bibtex("\n".join(block)) if not isinstance(item, Problem)]
    if not records:
        return
    record = records[0]
    mine, theirs = normalize_title(entry.title), normalize_title(record.title)
    if mine and theirs and (mine in theirs or theirs in mine):
        entry.title = record.title  # the same paper, named in full
    entry.year, entry.month = entry.year or record.year, entry.month or record.month
    entry.authors = entry.authors or record.authors
    entry.venue = entry.venue or record.venue[:255]
    if not entry.url and (record.doi or record.url):
        entry.url = f"https://doi.org/{record.doi}" if record.doi else record.url
    cited = arxiv_from_text(f"arXiv:{record.arxiv_id}") if record.arxiv_id else None
    linked = arxiv_from_url(entry.url)
    if cited and linked and cited[0] != linked[0]:
        # "paper link" to one arXiv id, the citation block's eprint another: not guessed.
        entry.alias, entry.title = "", ""
        entry.untitled_why = (
            f"its link says arXiv:{linked[0]}, its BibTeX block arXiv:{cited[0]}: not guessed."
        )
    elif cited and not linked and not entry.url_extra:
        entry.url_extra = f"https://arxiv.org/abs/{cited[0]}"  # an OpenReview/ACL link
    elif record.doi and not doi_from_url(entry.url) and not entry.url_extra:
        entry.url_extra = f"https://doi.org/{record.doi}"


class OrgProperties:
    """The ``Recogniser``'s org drawer notes (mixed into it)."""

    def _property_notes(self, entry, extra):
        """Org property drawers and ratings are kept as notes lines, never dropped."""
        properties = extra.get("properties", {})
        shown = [
            f"- **{name}**: {value}"
            for name, value in properties.items()
            if name.lower() not in (*URL_PROPERTIES, "custom_id", "id") and str(value).strip()
        ]
        if shown:
            entry.notes.append("\n".join(shown))


def title_from_bibtex(entry, body):
    """An untitled paper link (``[[arXiv]](…/2101.09858)``) followed by a BibTeX block
    citing that same paper (its ``journal = {arXiv preprint arXiv:2101.09858}``, eprint or
    DOI): the block names it. A block citing another paper names nothing."""
    lines = [line for _, line in body]
    start = next((i for i, line in enumerate(lines) if _BIBTEX_START.match(line)), None)
    if entry.title or start is None:
        return
    from papers.intake.batch import Problem
    from papers.intake.bibtex_import import parse_bibtex

    block = "\n".join(line for line in lines[start : start + 60] if not line.startswith("```"))
    records = [item for item in parse_bibtex(block) if not isinstance(item, Problem)]
    if len(records) != 1 or not records[0].title:
        return
    record, linked = records[0], arxiv_from_url(entry.url)
    cited = arxiv_from_text(f"arXiv:{record.arxiv_id}") if record.arxiv_id else None
    same_arxiv = cited and linked and cited[0] == linked[0]
    same_doi = record.doi and record.doi.lower() == doi_from_url(entry.url).lower()
    if same_arxiv or same_doi:
        entry.title = record.title
        fill_from_bibtex(entry, body)
