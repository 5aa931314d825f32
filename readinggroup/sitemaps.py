from django.contrib.sitemaps import Sitemap

from readinggroup.models import Presentation


class PresentationSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return Presentation.objects.published().only("number", "updated_at").order_by("number")

    def lastmod(self, presentation):
        return presentation.updated_at
