"""Atom feed of reading-group sessions, newest first (upcoming ones included)."""

import datetime

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from papers.identity import site_name
from papers.models import SEARCH_FIELDS
from papers.site.addresses import absolute_url
from papers.site.feeds import SiteFeed, entry_id, entry_id_of, names_per_row, tag_names
from papers.site.prefetch import as_lists, listed
from readinggroup.models import Presentation

FEED_ITEMS = 30


class PresentationFeed(SiteFeed):
    def title(self):
        return f"{site_name()} reading group"

    def subtitle(self):
        return "Sessions of the reading group: papers presented, with slides and recordings."

    def link(self):
        return absolute_url(reverse("readinggroup:presentation_list"))

    def feed_url(self):
        return absolute_url(reverse("readinggroup:feed"))

    def items(self):
        # An entry shows neither the paper nor the search document (most of the bytes).
        sessions = Presentation.objects.published().defer("summary", *SEARCH_FIELDS)
        # Into lists (``as_lists``): not a manager and a queryset per row and relation.
        sessions = sessions.prefetch_related(*as_lists("presenters", "tags"))
        return sessions.newest_first()[:FEED_ITEMS]

    def item_title(self, presentation):
        cancelled = "Cancelled: " if presentation.cancelled else ""
        return f"{cancelled}Session {presentation.number}: {presentation.title}"

    def item_description(self, presentation):
        """When and who, then the summary (sanitised by nh3 when it was saved)."""
        when = presentation.scheduled_at.astimezone(datetime.UTC)
        parts = [format_html("<p>{}</p>", when.strftime("%A %d %B %Y, %H:%M UTC"))]
        presenters = [presenter.name for presenter in listed(presentation, "presenters")]
        if presenters:
            parts.append(format_html("<p>Presented by {}.</p>", ", ".join(presenters)))
        parts.append(presentation.summary_html)
        return mark_safe("".join(parts))  # noqa: S308 - escaped above or sanitised on save

    def item_link(self, presentation):
        return absolute_url(presentation.get_absolute_url())

    def item_pubdate(self, presentation):
        return presentation.created_at

    def item_updateddate(self, presentation):
        return presentation.updated_at

    def item_author_name(self, presentation):
        return ", ".join(presenter.name for presenter in listed(presentation, "presenters")) or None

    def item_categories(self, presentation):
        return [tag.name for tag in listed(presentation, "tags")]

    def entry_facts(self, presentation):
        # Every field the entry shows: the summary is rewritten without a save (wiki-links).
        return (
            entry_id(presentation),
            presentation.number,
            presentation.title,
            presentation.cancelled,
            presentation.scheduled_at,
            presentation.created_at,
            presentation.updated_at,
            presentation.summary_html,
            tuple(presenter.name for presenter in listed(presentation, "presenters")),
            tuple(tag.name for tag in listed(presentation, "tags")),
        )

    def row_facts(self, rows):
        # ``entry_facts`` of each row, read as values (three queries, no model instance).
        rows = list(
            rows.values_list(
                *("pk", "number", "title", "cancelled", "scheduled_at", "created_at"),
                *("updated_at", "summary_html"),
            )
        )
        pks = [pk for pk, *_ in rows]
        # Presenters in their model's order (by name), as ``listed()`` gives them.
        links = Presentation.presenters.through.objects.filter(presentation__in=pks)
        links = links.order_by("presenter__name", "presenter__pk")
        presenters = names_per_row(links, "presentation_id", "presenter__name")
        tags = tag_names(Presentation, pks)
        return {
            pk: (
                entry_id_of(Presentation, pk, row[4]),
                *row,
                presenters.get(pk, ()),
                tags.get(pk, ()),
            )
            for pk, *row in rows
        }
