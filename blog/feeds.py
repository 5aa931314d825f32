"""Atom feeds of published reports: all of them, one kind, one tag. Full HTML content."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from blog.models import Kind, Report, kind_heading, public_label
from papers import identity
from papers.identity import site_name
from papers.models import SEARCH_FIELDS, Tag
from papers.site.addresses import absolute_url
from papers.site.feeds import SiteFeed, entry_id, entry_id_of, tag_names
from papers.site.prefetch import as_lists, listed
from papers.tagging import with_tag_ids

FEED_SIZE = 20


@dataclass
class Scope:
    """What a feed is about, with the request (feed instances are shared between threads)."""

    request: HttpRequest
    subject: object = None


class ReportFeed(SiteFeed):
    def get_object(self, request, **kwargs):
        return Scope(request, self.subject(**kwargs))

    def subject(self):
        return None

    def reports(self, subject):
        return Report.objects.published()

    def items(self, scope):
        # Not the Markdown sources nor the search document: an entry shows their HTML.
        reports = self.reports(scope.subject).defer("body", "teaser", "toc", *SEARCH_FIELDS)
        # Tags into lists (``as_lists``): not a manager and a queryset per row.
        reports = reports.prefetch_related(*as_lists("tags")).newest_first()
        reports = list(reports[:FEED_SIZE])
        for report in reports:
            # item_title() is not given the request: the label is read here, once per feed.
            report.feed_label = report.public_label(scope.request)
        return reports

    def title(self, scope):
        return f"Reports · {site_name()}"

    def subtitle(self, scope):
        return "Paper reports, book reports, paper-of-the-week posts and articles."

    def link(self, scope):
        return absolute_url(reverse("blog:report_list"))

    def feed_url(self, scope):
        return absolute_url(reverse("blog:feed"))

    def item_title(self, report):
        # Reports listed by another feed (config/tags.py's mixed tag feed) skip items().
        label = getattr(report, "feed_label", None) or report.public_label()
        return f"{label}: {report.title}"

    def item_description(self, report):
        # Atom's <summary type="html">: the sanitised teaser, never unescaped text.
        return report.teaser_html

    def item_link(self, report):
        return absolute_url(report.get_absolute_url())

    def item_pubdate(self, report):
        return report.published_at

    def item_updateddate(self, report):
        return report.updated_at

    def item_categories(self, report):
        return [tag.name for tag in listed(report, "tags")]

    def item_extra_kwargs(self, report):
        # The whole report in <content>, beside the teaser in <summary>.
        return {"content": report.body_html}

    def entry_facts(self, report):
        # Every field the entry shows: the texts are rewritten without a save (wiki-links).
        return (
            entry_id(report),
            report.slug,
            self.item_title(report),
            report.published_at,
            report.updated_at,
            report.teaser_html,
            report.body_html,
            tuple(tag.name for tag in listed(report, "tags")),
        )

    def row_facts(self, rows):
        # ``entry_facts`` of each row, read as values (two queries, no model instance).
        rows = list(
            rows.values_list(
                *("pk", "created_at", "slug", "kind", "number", "title", "published_at"),
                *("updated_at", "teaser_html", "body_html"),
            )
        )
        tags = tag_names(Report, [pk for pk, *_ in rows])
        labels = identity.current().labels  # once, not once per row (a cache read each)
        return {
            pk: (
                entry_id_of(Report, pk, created),
                slug,
                f"{public_label(kind, number, labels=labels)}: {title}",
                *texts,
                tags.get(pk, ()),
            )
            for pk, created, slug, kind, number, title, *texts in rows
        }


class KindFeed(ReportFeed):
    def subject(self, kind_slug):
        kind = Kind.from_url_slug(kind_slug)
        if kind is None:
            raise Http404("No such kind of report.")
        return kind

    def reports(self, kind):
        return Report.objects.published().filter(kind=kind)

    def title(self, scope):
        return f"{kind_heading(scope.subject)} · {site_name()}"

    def subtitle(self, scope):
        return f"{kind_heading(scope.subject)} published on {site_name()}."

    def link(self, scope):
        return absolute_url(reverse("blog:report_kind", args=[scope.subject.url_slug]))

    def feed_url(self, scope):
        return absolute_url(reverse("blog:feed_kind", args=[scope.subject.url_slug]))


class TagFeed(ReportFeed):
    def subject(self, slug):
        return get_object_or_404(Tag, slug=slug)

    def reports(self, tag):
        return with_tag_ids(Report.objects.published(), [tag.pk])

    def title(self, scope):
        return f"Reports tagged “{scope.subject.name}” · {site_name()}"

    def subtitle(self, scope):
        return f"Reports about {scope.subject.name}."

    def link(self, scope):
        query = urlencode({"tag": scope.subject.slug})
        return absolute_url(reverse("blog:report_list") + "?" + query)

    def feed_url(self, scope):
        return absolute_url(reverse("blog:feed_tag", args=[scope.subject.slug]))
