"""Reference lines under an item (``Authors, Title, Venue, Year``): the full title under
a short name, or several papers under one label."""

import re

from papers.intake.notes import meta
from papers.intake.notes.hosts import (
    arxiv_from_text,
    arxiv_from_url,
    is_absolute,
)
from papers.intake.notes.links import is_paper_link
from papers.intake.notes.sections import dedent
from papers.intake.notes.titles import (
    meta_title_differs,
    reference_like,
    short_name,
    strip_generic,
)
from papers.intake.records import LinkRecord, clean_text, link_kind


def title_before_wrap(head, title):
    """``40. Adaptive Consistency Regularization for … Transfer Learning`` wrapped onto
    ``Abulikemu. Abulikemu et al. CVPR 2021``: the first sentence of the item runs over the
    line break and takes in a name the writer repeats as the first author. The title is
    the first line then. A title that really goes on over the break (``… of Knowledge`` /
    ``Distillation and Cross-modal Matching. Wu, Bofeng et al.``) is kept whole."""
    pieces = [clean_text(inline.text) for inline, _, _ in head.lines()]
    if len(pieces) < 2 or not pieces[0] or not title.startswith(pieces[0]):
        return title
    tail = title[len(pieces[0]) :].split()
    after = clean_text(head.text)[len(title) :]
    if not 1 <= len(tail) <= 3 or not all(word[:1].isupper() for word in tail):
        return title
    # The name comes again, as the first author: "Abulikemu. Abulikemu et al."
    if re.match(rf"[\s.,:;]*{re.escape(tail[0])}\b", after):
        return pieces[0].strip(" .")
    return title


class References:
    """The ``Recogniser``'s reference lines (mixed into it)."""

    def _references_under(self, node, head, context):
        """``* Blur Removal`` (or ``* SRCNN [[ECCV]](…) [[arXiv]](…)``) over two or more
        reference lines (``Authors, Title, Venue, Year [[Paper]](…)``): each line is a
        paper, with its own link or, when the item has one per line, the item's in order."""
        refs = []
        for child in node.children:
            if child.kind != "item" or not child.head:
                continue
            reference = meta.reference_under(strip_generic(child.head), head.text)
            if reference and reference[1] and (reference[0] or reference[3]):
                refs.append((child, reference))
        if len(refs) < 2:
            return []
        own = [link for link in head.links() if is_paper_link(link)]
        entries = []
        for index, (child, (authors, title, venue, year)) in enumerate(refs):
            links = [link for link in child.head.links() if is_paper_link(link)]
            if links:
                url = links[0].url
            elif len(own) == len(refs):
                url = own[index].url
            else:
                continue  # no link says which paper it is: a mention
            entry = self._new(child.start, context, title=meta.clean_title(title))
            entry.url, entry.authors, entry.venue = url, authors, venue[:255]
            if year:
                entry.year, entry.month, entry.section_date = year, None, False
            written = arxiv_from_text(child.head.text)
            if written and not arxiv_from_url(url):
                entry.url_extra = f"https://arxiv.org/abs/{written[0]}"
            for link in child.head.links():
                if link.url != url and is_absolute(link.url) and not is_paper_link(link):
                    kind = link_kind(link.text, link.url) or "other"
                    entry.links.append(LinkRecord(kind=kind, url=link.url, label=link.text[:200]))
            self.notes.add(entry, dedent(self._source(child.head_end, child.end)))
            entries.append(entry)
        return entries

    def _children_meta(self, entry, children):
        """A sub-bullet gives authors, venue, year: ``Kaiming He, Xiangyu Zhang, ArXiv, 2016``;
        or a whole reference, ``Authors, Full Title, Venue, Year``, whose title wins over
        a short name in the item (which becomes the alias)."""
        for child in children[:3]:
            if child.kind not in ("item", "para") or not child.head:
                continue
            text = strip_generic(child.head)
            reference = meta.reference_under(text, entry.title)
            if reference and not meta_title_differs(entry.title, reference[1]):
                if reference[3] and (not entry.year or entry.section_date):
                    entry.year, entry.month, entry.section_date = reference[3], None, False
                entry.authors = entry.authors or reference[0]
                return
            if reference is None and short_name(entry.title) and reference_like(text):
                # "GoogLeNet [[Paper]](…)" over "Authors, CVPR, 2015.": the paper's title
                # is nowhere in the file; the short name is not it.
                entry.alias, entry.title = entry.title[:100], ""
                entry.untitled_why = (
                    f"only a short name (“{entry.alias[:40]}”) names the paper and its "
                    "reference line gives no title (--lookup fetches it)."
                )
                return
            written = arxiv_from_text(text)
            # "…, arXiv:1502.03044 / ICML 2015" under a link to the author's PDF.
            if reference and written and not entry.url_extra and not arxiv_from_url(entry.url):
                entry.url_extra = f"https://arxiv.org/abs/{written[0]}"
            if reference and meta_title_differs(entry.title, reference[1]):
                short, _, affiliation = entry.title.partition(", ")
                entry.alias = entry.alias or (short if len(short) <= 40 else "")
                entry.affiliations = entry.affiliations or affiliation[:500]
                entry.title = reference[1]
                entry.authors = entry.authors or reference[0]
                entry.venue = entry.venue or reference[2][:255]
                if reference[3] and (not entry.year or entry.section_date):
                    entry.year, entry.month, entry.section_date = reference[3], None, False
                return
            if child.head.links():
                continue
            found = meta.parse_meta(child.head.text)
            if found["authors"] and not entry.authors:
                entry.authors = found["authors"]
                entry.venue = entry.venue or found["venue"][:255]
                entry.year = entry.year or found["year"]
