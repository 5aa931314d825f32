from blog.models import Report
from papers.site.sitemaps import PublishedSitemap


class ReportSitemap(PublishedSitemap):
    priority = 0.8

    def items(self):
        return Report.objects.published().only("slug", "updated_at").order_by("pk")
