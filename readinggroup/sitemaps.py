from papers.site.sitemaps import PublishedSitemap
from readinggroup.models import Presentation


class PresentationSitemap(PublishedSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Presentation.objects.published().only("number", "updated_at").order_by("number")
