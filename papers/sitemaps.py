"""The papers' sitemap section (its base and the section view: papers/site/sitemaps.py)."""

from papers.models import Paper
from papers.site.sitemaps import PublishedSitemap


class PaperSitemap(PublishedSitemap):
    priority = 0.7
    url_name = "papers:paper_detail"

    def items(self):
        return Paper.objects.published().only("slug", "updated_at").order_by("pk")
