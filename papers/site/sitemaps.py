"""Sitemaps whose addresses start with ``SITE_URL``, and the section view that writes them.

Django's ``sitemaps.views.sitemap`` builds one dict per URL (``get_absolute_url()`` and a
``reverse()`` each) and renders them through a template: 1.3–3 s for the 5,000 papers of
one page on the development machine. ``sitemap_section`` writes the XML directly from
``(path, lastmod)`` rows for the sections that give ``entries()`` (one query, one
``reverse()`` per page): the same document, well under a second.
"""

import datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from papers.site.addresses import path_format
from papers.site.cache import cards_version, kept_values


class SiteSitemap(Sitemap):
    """A sitemap whose addresses start with ``SITE_URL``, never the request's Host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PublishedSitemap(SiteSitemap):
    """A sitemap section of published rows that carry an ``updated_at``.

    Subclasses give ``items()`` (published rows only, a stable order for the pages), and
    ``url_name`` when the row's address is ``reverse(url_name, args=[slug])``: the
    section is then written by ``entries()`` without loading a model instance per row.
    """

    changefreq = "monthly"
    # None: no <priority>, as Django writes none for a sitemap that sets none. Read once per
    # page by the direct writer (the same for every row); Django's Sitemap has no default.
    priority = None
    # Entries per page (``?p=N``); the sitemap index links every page.
    limit = 5000
    url_name = None

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        # The index shows each section's latest change. Django's default calls lastmod()
        # on every item, which would read all 100,000 papers: one aggregate instead.
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]

    def page_facts(self, rows, number=None):
        """What decides the XML of ``rows`` (page ``number``'s ``object_list``), from one aggregate
        query that the index ``(id, status, updated_at)`` answers alone: their number, the
        sum of their ids, their latest change. A row's address or date changes only by a
        save, which moves its ``updated_at`` (so the latest); a row published, unpublished
        or deleted changes the number and the ids. What rewrites many rows without saving
        each (imports, merges, a restore) moves the cards version, also in the facts."""
        return rows.aggregate(n=Count("pk"), ids=Sum("pk"), latest=Max("updated_at"))

    def entries(self, rows):
        """``(path, lastmod)`` of ``rows`` (a page's ``object_list``)."""
        return slug_paths(self.url_name, rows.values_list("slug", "updated_at"))


def slug_paths(url_name, rows):
    """``(path, extra)`` for ``(slug, extra)`` rows: ``reverse(url_name, args=[slug])``
    resolved once for the page, not once per row (``path_format``)."""
    path = path_format(url_name)
    return [(path(slug), extra) for slug, extra in rows]


def _lastmod_xml(lastmod, zone):
    if not lastmod:
        return ""
    if isinstance(lastmod, datetime.datetime) and timezone.is_aware(lastmod):
        lastmod = lastmod.astimezone(zone)  # as Django's template's |date shows it
    return f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>"


def _tail_xml(changefreq, priority):
    """What follows ``<lastmod>`` in a ``<url>``: the same for every row of a section."""
    parts = [f"<changefreq>{changefreq}</changefreq>"] if changefreq else []
    if priority is not None and priority != "":
        parts.append(f"<priority>{priority}</priority>")
    parts.append("</url>")
    return "".join(parts)


def _url_xml(location, lastmod, changefreq, priority, zone):
    return (
        f"<url><loc>{escape(location)}</loc>{_lastmod_xml(lastmod, zone)}"
        f"{_tail_xml(changefreq, priority)}"
    )


def _direct_urls(sitemap, page):
    """``(xml of the page's <url>s, latest lastmod or None)`` of a section that gives
    ``entries()``, kept under the facts of its rows (``page_facts()``, ``kept_values``):
    reading and writing 5,000 rows was 34–40 ms of CPU a page at every save anywhere.
    """
    zone = timezone.get_current_timezone()
    base = escape(f"{sitemap.get_protocol()}://{sitemap.get_domain()}")
    rows = sitemap.paginator.page(page)  # EmptyPage / PageNotAnInteger
    summary = sitemap.page_facts(rows.object_list, rows.number)
    facts = (
        *(sitemap.url_name, rows.number, base, str(zone), cards_version()),
        *(sitemap.changefreq, sitemap.priority, sorted(summary.items())),
    )

    def make(_):
        # 5,000 rows a page: the parts shared by every row are written once.
        tail = _tail_xml(sitemap.changefreq, sitemap.priority)
        return "".join(
            f"<url><loc>{base}{escape(path)}</loc>{_lastmod_xml(when, zone)}{tail}"
            for path, when in sitemap.entries(rows.object_list)
        )

    [xml] = kept_values("sitemap-page", [facts], make)
    return xml, summary.get("latest")


def _section_urls(sitemap, page):
    """``(xml of the <url>s, latest lastmod or None)`` of one section page."""
    if getattr(sitemap, "url_name", None):
        return _direct_urls(sitemap, page)
    zone = timezone.get_current_timezone()
    urls = sitemap.get_urls(page=page)
    xml = "".join(
        _url_xml(url["location"], url["lastmod"], url["changefreq"], url["priority"], zone)
        for url in urls
    )
    return xml, getattr(sitemap, "latest_lastmod", None)


def sitemap_section(request, sitemaps, section):
    """``/sitemap-<section>.xml?p=N``: what Django's sitemap view answers, written directly."""
    if section not in sitemaps:
        raise Http404(f"No sitemap section {section!r}.")
    sitemap = sitemaps[section]
    sitemap = sitemap() if callable(sitemap) else sitemap
    try:
        urls, lastmod = _section_urls(sitemap, request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(f"No page {request.GET.get('p')!r} in this sitemap.") from exc
    body = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            urls,
            "</urlset>\n",
        ]
    )
    response = HttpResponse(body, content_type="application/xml")
    if lastmod:  # ConditionalGetMiddleware answers a repeat with 304
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response
