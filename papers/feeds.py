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

from papers.site.addresses import absolute_url, site_author
from papers.site.feeds import SiteFeed, entry_id
from papers.site.prefetch import listed

FEED_SIZE = 30


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
            paper.slug,
            str(paper),
            paper.year,
            paper.month,
            paper.added_at,
            paper.updated_at,
            paper.venue,
            paper.abstract,
            paper.notes_html,
            tuple(author.name for author in paper.ordered_authors()),
            tuple(tag.name for tag in listed(paper, "tags")),
        )


paper_feed = PaperFeed()
