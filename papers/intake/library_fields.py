"""What the RIS and CSL-JSON readers share: values cleaned of HTML, short titles as
aliases, and the arXiv id found in a DOI, an accession number or a URL."""

import html
import re

import nh3

from papers.identifiers import parse_arxiv_id
from papers.intake.records import clean_text

# Markup some exports put in values (CSL's rich-text titles, Zotero's HTML notes, JATS
# abstracts from publishers). Only these elements count as markup: "$a<b$" is text.
_MARKUP = re.compile(
    r"</?(?:i|b|em|strong|sup|sub|sc|span|p|br|div|a|ul|ol|li|h[1-6]|code|pre|script|style|"
    r"iframe|img|[a-z]+:[a-z-]+)\b[^>]*>",
    re.I,
)
_ARXIV_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.(.+)$", re.I)
YEAR = re.compile(r"^\s*(\d{4})")


def plain(value, field, where, warnings, multiline=False):
    """``value`` without HTML markup (a note says so); text that only looks like it stays."""
    text = str(value or "")
    if _MARKUP.search(text):
        text = html.unescape(nh3.clean(text, tags=set()))
        warnings.append((where, f"HTML markup removed from the {field}."))
    return text.strip() if multiline else clean_text(text)


MAX_ALIAS = 40


def short_alias(record):
    """A short title is a name to call the paper by (LoRA, GPT-3) only when it is short;
    Zotero's is often just the title before its colon."""
    if len(record.alias) > MAX_ALIAS or record.alias == record.title:
        record.alias = ""
    return record


def _arxiv_from(*candidates):
    for value in candidates:
        value = str(value or "").strip()
        if not value:
            continue
        doi = _ARXIV_DOI.match(value)
        if doi:
            return doi.group(1)
        if value.lower().startswith("arxiv:") or parse_arxiv_id(value):
            return value
    return ""


def set_identifiers(record, doi, urls, arxiv_hint=""):
    """DOI, URL and arXiv id; arXiv's own 10.48550 DOI only says which preprint it is."""
    record.arxiv_id = _arxiv_from(arxiv_hint, doi)
    if doi and not _ARXIV_DOI.match(doi):
        record.doi = doi
    record.url = urls[0] if urls else ""
    if record.url and not record.arxiv_id and parse_arxiv_id(record.url):
        record.arxiv_id = record.url
