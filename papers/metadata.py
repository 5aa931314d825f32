"""Machine-readable metadata of the pages: JSON-LD for every page type, and the tags
Google Scholar and reference managers (Zotero's Embedded Metadata translator) read from a
paper's page.
"""

from django.utils.html import strip_tags
from django.utils.text import Truncator

from papers.bibtex import venue_text
from papers.citations.kinds import BOOK, CONFERENCE, JOURNAL, PREPRINT, WORKSHOP, entry_type
from papers.site.addresses import absolute_url, site_author

DESCRIPTION_CHARS = 300
ARXIV_DOI_PREFIX = "10.48550/arXiv."


def text_description(text):
    """Plain text of at most ``DESCRIPTION_CHARS``, cut at a word, for a meta description."""
    return Truncator(" ".join(strip_tags(text).split())).chars(DESCRIPTION_CHARS)


def site_organization():
    """The site as an organisation: its author or group, at its address."""
    author = site_author()
    return {"@type": "Organization", "name": author.name, "url": author.url}


def paper_description(paper):
    """The abstract or, without one, the notes: never the title again (a search snippet
    and Zotero's abstract would repeat it). Empty when the paper has neither."""
    return text_description(paper.abstract or paper.notes_html)


def arxiv_doi(paper):
    """The DOI arXiv assigns to every paper (since 2022, retroactively): 10.48550/arXiv.<id>."""
    return f"{ARXIV_DOI_PREFIX}{paper.arxiv_id}" if paper.arxiv_id else ""


def pdf_link(paper):
    """The paper's PDF: its own link, else arXiv's (every arXiv paper has one)."""
    if paper.pdf_url:
        return paper.pdf_url
    return f"https://arxiv.org/pdf/{paper.arxiv_id}" if paper.arxiv_id else ""


def is_preprint(paper):
    """An arXiv paper that no venue published (yet): its venue is a preprint server or none."""
    return bool(paper.arxiv_id) and entry_type(paper) == PREPRINT


# The Google Scholar tag that names the venue, per kind of publication (papers.citations).
_VENUE_META = {
    CONFERENCE: "citation_conference_title",
    WORKSHOP: "citation_conference_title",
    JOURNAL: "citation_journal_title",
    BOOK: "citation_inbook_title",
}


def citation_meta(paper, authors):
    """``[(name, content)]`` of the ``<meta>`` tags of a paper's page, in order.

    Google Scholar's inclusion guidelines (citation_*, one citation_author per author in
    order) and what Zotero's Embedded Metadata translator reads from them: a preprint is
    typed by ``DC.type`` (its RDF step takes a Zotero item type there), its repository is
    ``DC.publisher`` and its archive id travels as ``citation_technical_report_number``
    (mapped to the item's number, which a preprint's "Archive ID" is); a paper with a
    venue is a conference paper or a journal article by ``citation_*_title``.
    """
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", author.name) for author in authors]
    if paper.year:
        meta.append(("citation_publication_date", paper.date_iso.replace("-", "/")))
    venue_meta = _VENUE_META.get(entry_type(paper))
    if venue_meta and venue_text(paper):
        meta.append((venue_meta, venue_text(paper)))
    if is_preprint(paper):
        meta += [
            ("DC.type", "preprint"),
            ("DC.publisher", "arXiv"),
            ("citation_technical_report_number", f"arXiv:{paper.arxiv_id}"),
        ]
    if pdf_link(paper):
        meta.append(("citation_pdf_url", pdf_link(paper)))
    if paper.arxiv_id:
        meta.append(("citation_arxiv_id", paper.arxiv_id))
    doi = paper.doi or arxiv_doi(paper)
    if doi:
        meta.append(("citation_doi", doi))
    if paper.abstract:
        meta.append(("citation_abstract", Truncator(paper.abstract).words(120)))
    meta.append(("citation_abstract_html_url", absolute_url(paper.get_absolute_url())))
    return meta


def scholarly_article(paper, authors, url):
    """schema.org ``ScholarlyArticle`` for a paper page."""
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": url,
        "headline": paper.title[:110],
        "name": paper.title,
        "url": url,
        "dateModified": paper.updated_at.isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in authors
        ],
        "keywords": [tag.name for tag in paper.tags.all()],
    }
    if paper.date_iso:  # a paper of unknown year has no datePublished
        data["datePublished"] = paper.date_iso
    description = paper_description(paper)
    if description:
        data["description"] = description
    if paper.alias:
        data["alternateName"] = paper.alias
    if paper.abstract:
        data["abstract"] = paper.abstract
    if venue_text(paper):
        data["isPartOf"] = {"@type": "PublicationIssue", "name": venue_text(paper)}
    elif is_preprint(paper):
        data["publisher"] = {"@type": "Organization", "name": "arXiv", "url": "https://arxiv.org"}
    figures = [absolute_url(figure.image.url) for figure in paper.figures.all() if figure.image]
    if figures:
        data["image"] = figures
    if pdf_link(paper):
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": pdf_link(paper),
            "encodingFormat": "application/pdf",
        }
    identifiers = []
    if paper.doi:
        identifiers.append(("DOI", paper.doi))
    if paper.arxiv_id:
        identifiers += [("arXiv", paper.arxiv_id)]
        if not paper.doi:
            identifiers.append(("DOI", arxiv_doi(paper)))
    if identifiers:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": name, "value": value}
            for name, value in identifiers
        ]
    doi_urls = [f"https://doi.org/{value}" for name, value in identifiers if name == "DOI"]
    same_as = list(dict.fromkeys(x for x in (paper.arxiv_url, *doi_urls, paper.url) if x))
    if same_as:
        data["sameAs"] = same_as
    return data
