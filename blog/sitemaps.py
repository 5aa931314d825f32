from django.contrib.sitemaps import Sitemap

from blog.models import Report


class ReportSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Report.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, report):
        return report.updated_at
