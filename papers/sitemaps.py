from django.contrib.sitemaps import Sitemap

from papers.models import Paper


class PaperSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7
    limit = 5000

    def items(self):
        return Paper.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, paper):
        return paper.updated_at
