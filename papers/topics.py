"""Topics: a curated, ordered few tags shown as one reading list (``/topics/``).

Like the sections of a hand-kept "papers by topic" README: under each topic its published
papers, newest first, with a month.year badge, the alias, the first figure and a short
summary. A topic is a tag with a position and a description (``Topic``), so merging or
renaming the tag (papers/tagging.py) carries the topic along.
"""

import html

from django.db import models
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from papers.citations.formats import download
from papers.content.base import newest_first_order
from papers.models import Figure, Paper, TaggedPaper, Topic
from papers.site.addresses import absolute_url
from papers.site.cache import cached_value, public_page
from papers.site.feeds import SiteFeed

# Papers shown per topic; the rest are one click away on the tag's page.
PAPERS_PER_TOPIC = 60
SUMMARY_WORDS = 60
FEED_SIZE = 30


def summary_of(paper):
    """A few sentences about ``paper``: the start of the owner's notes, else the abstract."""
    text = html.unescape(strip_tags(paper.notes_html)).strip() or paper.abstract
    return Truncator(" ".join(text.split())).words(SUMMARY_WORDS)


def topic_papers(topics):
    """``{topic tag id: [papers newest first]}``, at most ``PAPERS_PER_TOPIC`` each.

    Three queries whatever the number of topics: the rows ranked per tag by a window
    function (a paper in two topics is listed under both), their figures, their previous work.
    """
    ranked = (
        TaggedPaper.objects.filter(tag__in=[t.tag_id for t in topics])
        .filter(content_object__in=Paper.objects.published())
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("tag"),
                order_by=newest_first_order(Paper, via="content_object__"),
            )
        )
        .filter(rank__lte=PAPERS_PER_TOPIC)
        .select_related("content_object")
        .order_by("tag", "rank")
    )
    rows = list(ranked)
    papers = {row.content_object_id: row.content_object for row in rows}
    models.prefetch_related_objects(
        list(papers.values()),
        Prefetch(
            "figures", queryset=Figure.objects.order_by("position", "pk"), to_attr="ordered_figures"
        ),
        # "Relevant previous work", as a hand-kept reading list links it.
        Prefetch(
            "related",
            queryset=Paper.objects.published().only("slug", "title", "alias").order_by("-year"),
            to_attr="previous_work",
        ),
    )
    grouped = {}
    for row in rows:
        grouped.setdefault(row.tag_id, []).append(papers[row.content_object_id])
    return grouped


TOPIC_FIGURE_WIDTH = 480


def _height_at(figure, width):
    """The figure's height shown ``width`` pixels wide, or None if its size is unknown."""
    if figure is None or not figure.image_width or not figure.image_height:
        return None
    return round(figure.image_height * width / figure.image_width)


def reading_list():
    """``[(topic, [entry, …]), …]`` where an entry has the paper, badge, figure and summary."""
    topics = list(Topic.objects.select_related("tag"))
    grouped = topic_papers(topics)
    sections = []
    for topic in topics:
        entries = []
        for paper in grouped.get(topic.tag_id, []):
            figure = paper.ordered_figures[0] if paper.ordered_figures else None
            entries.append(
                {
                    "paper": paper,
                    "badge": _badge(paper),
                    "figure_url": figure.image.url if figure else "",
                    "figure_caption": figure.caption if figure else "",
                    # Shown this wide; the height keeps its box from shifting as it loads.
                    "figure_width": TOPIC_FIGURE_WIDTH,
                    "figure_height": _height_at(figure, TOPIC_FIGURE_WIDTH),
                    "summary": summary_of(paper),
                }
            )
        sections.append((topic, entries))
    return sections


@require_safe
@public_page
def topic_list(request):
    """The reading list: every topic with its papers, newest first."""
    sections = cached_value(request, "topics-reading-list", (), reading_list)
    return render(request, "papers/topic_list.html", {"sections": sections})


def _topic_paper_queryset():
    return (
        Paper.objects.published()
        .filter(tags__topic__isnull=False)
        .distinct()
        .order_by("-added_at", "-pk")
    )


@require_safe
@public_page
def topic_bibtex(request):
    """Every paper of the reading list as one BibTeX file."""
    return download(_topic_paper_queryset().for_list(), "bibtex", stem="topics")


class TopicFeed(SiteFeed):
    """The papers of the reading list, newest on the site first."""

    feed_type = Atom1Feed

    def items(self):
        return _topic_paper_queryset().prefetch_related("tags")[:FEED_SIZE]

    def title(self):
        from papers.identity import site_name

        return f"Topics · {site_name()}"

    def subtitle(self):
        return "Papers added to the reading list by topic."

    def link(self):
        return absolute_url(reverse("papers:topics"))

    def feed_url(self):
        return absolute_url(reverse("papers:topics_feed"))

    def item_title(self, paper):
        return f"{paper.title} ({paper.alias})" if paper.alias else paper.title

    def item_description(self, paper):
        return summary_of(paper)

    def item_link(self, paper):
        return absolute_url(paper.get_absolute_url())

    def item_pubdate(self, paper):
        return paper.added_at

    def item_updateddate(self, paper):
        return paper.updated_at

    def item_categories(self, paper):
        return [tag.name for tag in paper.tags.all()]


topic_feed = public_page(TopicFeed())


def _badge(paper):
    """“03.2021”, “2021”, or “year unknown”."""
    if paper.year is None:
        return paper.date_display
    return f"{paper.month:02d}.{paper.year}" if paper.month else str(paper.year)
