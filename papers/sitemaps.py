"""The papers' sitemap section (its base and the section view: papers/site/sitemaps.py)."""

from papers.counts import published_papers
from papers.models import Paper
from papers.site.sitemaps import PublishedSitemap
from papers.views import CachedCountPaginator


class PaperSitemap(PublishedSitemap):
    priority = 0.7
    url_name = "papers:paper_detail"

    def items(self):
        return Paper.objects.published().only("slug", "updated_at").order_by("pk")

    @property
    def paginator(self):
        # Their number from the kept counts (``published_papers``): the index's pages of
        # papers and where each page ends, with no COUNT over the papers.
        return CachedCountPaginator(self._items(), self.limit, published_papers)
