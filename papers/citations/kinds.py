"""What kind of publication a paper is, for every format's entry type.

One function, ``entry_type``: the stored venue's kind (``papers.venues``, chosen by the
editor or parsed from the venue text) when the paper has one; else a guess from the venue
text and the arXiv id. Every format (BibTeX, BibLaTeX, RIS, CSL-JSON, citation_* tags)
follows it.
"""

import re

CONFERENCE = "conference"
WORKSHOP = "workshop"
JOURNAL = "journal"
PREPRINT = "preprint"
BOOK = "book"
OTHER = ""  # no venue and no preprint server: BibTeX's @misc

_PREPRINT = re.compile(r"\b(arxiv|preprint|corr|biorxiv|medrxiv|ssrn|openreview)\b", re.I)
_WORKSHOP = re.compile(r"\bworkshops?\b", re.I)
_CONFERENCE = re.compile(
    r"\b(conference|proceedings|proc\.|symposium|congress|meeting|"
    r"neurips|nips|icml|iclr|cvpr|iccv|eccv|wacv|bmvc|acl|emnlp|naacl|eacl|coling|aaai|"
    r"ijcai|kdd|www|sigir|sigmod|vldb|siggraph|chi|uist|uai|aistats|colt|corl|rss|icra|"
    r"iros|interspeech|icassp|osdi|sosp|nsdi|eurosys|isca|asplos|pldi|popl|icse|"
    r"fse|usenix|ccs|ndss|mlsys|wsdm|cikm|recsys|miccai|ipmi|ismir)\b",
    re.I,
)
_BOOK = re.compile(r"\b(book|press|publishers?|edition|handbook)\b", re.I)


def entry_type(paper):
    """``conference``, ``workshop``, ``journal``, ``preprint``, ``book`` or ``""``."""
    if paper.published_in_id:
        return paper.published_in.kind
    venue = paper.venue or ""
    if not venue:
        return PREPRINT if paper.arxiv_id else OTHER
    if _PREPRINT.search(venue):
        return PREPRINT
    if _WORKSHOP.search(venue):
        return WORKSHOP
    if _CONFERENCE.search(venue):
        return CONFERENCE
    if _BOOK.search(venue):
        return BOOK
    return JOURNAL
