"""RIS out (what EndNote, Mendeley, Zotero and reference managers since the 1980s read),
written by rispy. RIS is a line format: a value's own line breaks become continuation
lines, and a continuation line that would read as a tag (after any spaces) gets one more
leading space, which the import takes off again."""

import re

import rispy

from papers.citations.kinds import BOOK, CONFERENCE, JOURNAL, PREPRINT, WORKSHOP, entry_type
from papers.citations.names import split_name

RIS_TYPES = {CONFERENCE: "CPAPER", WORKSHOP: "CPAPER", JOURNAL: "JOUR", PREPRINT: "UNPB",
             BOOK: "BOOK"}  # fmt: skip
# A line an RIS reader could take for a tag ("ER  - "), after any number of spaces: those
# with spaces are escaped too, so that taking one space off on import is never a loss.
TAG_LIKE_LINE = re.compile(r"^ *[A-Z][A-Z0-9]  -")


def one_line(text):
    return " ".join((text or "").split())


def lines(text):
    """A multi-line value as RIS continuation lines, none of which reads as a tag."""
    return "\n".join(
        " " + line.rstrip() if TAG_LIKE_LINE.match(line) else line.rstrip()
        for line in text.split("\n")
    )


def ris_record(paper, full=False):
    kind = entry_type(paper)
    record = {
        "type_of_reference": RIS_TYPES.get(kind, "GEN"),
        "title": one_line(paper.title),
        "authors": [one_line(split_name(author.name).inverted()) for author in
                    paper.ordered_authors()],
    }  # fmt: skip
    if paper.year:  # unknown: no PY/DA rather than an invented year
        record["year"] = str(paper.year)
        record["date"] = f"{paper.year}/{paper.month:02d}//" if paper.month else f"{paper.year}///"
    if paper.venue:
        # T2 is the secondary title: the journal, or the proceedings' name.
        record["secondary_title"] = one_line(paper.venue)
    if paper.arxiv_id:
        record["accession_number"] = f"arXiv:{paper.arxiv_id}"
    if paper.doi:
        record["doi"] = paper.doi
    url = paper.url if full else paper.main_url
    if url:
        record["urls"] = [url]
    if paper.abstract:
        record["abstract"] = lines(paper.abstract)
    if full:
        if paper.pdf_url:
            record["file_attachments1"] = paper.pdf_url
        if paper.alias:
            record["short_title"] = one_line(paper.alias)
        if paper.affiliations:
            record["author_address"] = one_line(paper.affiliations)
        tags = sorted(tag.name for tag in paper.tags.all())
        if tags:
            record["keywords"] = [one_line(tag) for tag in tags]
        if paper.notes:
            record["notes"] = [lines(paper.notes)]
    return record


class _Writer(rispy.RisWriter):
    """rispy's writer without its "1." line before each record: Zotero, EndNote and
    Mendeley write none, and some readers take it for text outside any record."""

    def set_header(self, count):
        return ""


def papers_to_ris(papers, full=False):
    return rispy.dumps([ris_record(paper, full=full) for paper in papers], implementation=_Writer)
