"""Atom feeds of papers: every paper list (all papers, a year, an author, any filter) is
also a feed, at its own address with ``?format=atom``, in the list's own order.

The entry of a paper (title, summary, dates) is written here once: the tag feeds
(config/tags.py) carry the same entry, with the same id.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe

from papers.models import Authorship, Paper
from papers.site.addresses import absolute_url, site_author
from papers.site.feeds import SiteFeed, entry_id, entry_id_of, names_per_row, tag_names
from papers.site.prefetch import listed

FEED_SIZE = 30
# The paper's columns its entry shows (``entry_facts``; the title is ``str(paper)``).
ENTRY_FIELDS = (
    *("slug", "title", "alias", "year", "month", "added_at", "updated_at"),
    *("venue", "abstract", "notes_html"),
)


@dataclass
class PaperList:
    """A list of papers as a feed: its rows, title, page and own address."""

    papers: QuerySet
    title: str
    link: str
    feed_url: str


def paper_published(paper):
    """When the paper came out (its month, or January of its year): the entry's
    ``published``, the same in every feed. Of unknown year: when it was added."""
    if paper.year is None:
        return paper.added_at
    return datetime.datetime(paper.year, paper.month or 1, 1, tzinfo=datetime.UTC)


def paper_summary_html(paper):
    """Byline and date, then the abstract (escaped) or, without one, the notes (sanitised
    when saved)."""
    names = ", ".join(author.name for author in paper.ordered_authors())
    facts = " · ".join(part for part in (names, paper.date_display, paper.venue) if part)
    body = linebreaks(escape(paper.abstract)) if paper.abstract else paper.notes_html
    return format_html("<p>{}</p>{}", facts, mark_safe(body))  # noqa: S308 - see above


class PaperFeed(SiteFeed):
    def get_object(self, request, paper_list):
        return paper_list

    def items(self, paper_list):
        # Whole rows: an entry carries the abstract and notes that list cards leave out.
        return paper_list.papers.for_export()[:FEED_SIZE]

    def title(self, paper_list):
        return f"{paper_list.title} · {site_author().name}"

    def subtitle(self, paper_list):
        return f"Machine-learning papers on {site_author().name}, with notes."

    def link(self, paper_list):
        return paper_list.link

    def feed_url(self, paper_list):
        return paper_list.feed_url

    def item_title(self, paper):
        return f"Paper: {paper}"

    def item_description(self, paper):
        return paper_summary_html(paper)

    def item_link(self, paper):
        return absolute_url(paper.get_absolute_url())

    def item_pubdate(self, paper):
        return paper_published(paper)

    def item_updateddate(self, paper):
        return paper.updated_at

    def item_categories(self, paper):
        return [tag.name for tag in listed(paper, "tags")]

    def entry_facts(self, paper):
        # Every field the entry shows: notes are rewritten without a save (wiki-links).
        return (
            entry_id(paper),
            *(getattr(paper, name) for name in ENTRY_FIELDS),
            tuple(author.name for author in paper.ordered_authors()),
            tuple(tag.name for tag in listed(paper, "tags")),
        )

    def row_facts(self, rows):
        # ``entry_facts`` of each row, read as values (three queries, no model instance).
        rows = list(rows.values_list("pk", "added_at", *ENTRY_FIELDS))
        pks = [pk for pk, *_ in rows]
        # The byline as ``ordered_authors()`` gives it (``card_prefetches``' order).
        bylines = Authorship.objects.filter(paper__in=pks).order_by("position", "pk")
        authors = names_per_row(bylines, "paper_id", "author__name")
        tags = tag_names(Paper, pks)
        return {
            pk: (entry_id_of(Paper, pk, added), *row, authors.get(pk, ()), tags.get(pk, ()))
            for pk, added, *row in rows
        }


paper_feed = PaperFeed()
