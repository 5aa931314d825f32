from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from papers.models import Paper


class SiteSitemap(Sitemap):
    """A sitemap whose addresses start with ``SITE_URL``, never the request's Host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PublishedSitemap(SiteSitemap):
    """A sitemap section of published rows that carry an ``updated_at``.

    Subclasses give ``items()`` (published rows only, a stable order for the pages).
    """

    changefreq = "monthly"
    # Entries per page (``?p=N``); the sitemap index links every page.
    limit = 5000

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        # The index shows each section's latest change. Django's default calls lastmod()
        # on every item, which would read all 100,000 papers: one aggregate instead.
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class PaperSitemap(PublishedSitemap):
    priority = 0.7

    def items(self):
        return Paper.objects.published().only("slug", "updated_at").order_by("pk")
