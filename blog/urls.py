import re

from django.urls import path, register_converter

from blog import feeds, views
from blog.models import Kind
from papers.site.cache import public_page

app_name = "blog"


class KindConverter:
    """Matches only the kind pages' slugs (``paper-reports``…), so report slugs fall through."""

    regex = "|".join(re.escape(kind.url_slug) for kind in Kind)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class PrintableConverter:
    """A path segment without control characters: a NUL would reach PostgreSQL as a 500."""

    regex = "[^/\x00-\x1f\x7f]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KindConverter, "report_kind")
register_converter(PrintableConverter, "printable")

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<report_kind:kind_slug>/", views.report_kind, name="report_kind"),
    path("reports/<printable:slug>/", views.report_detail, name="report_detail"),
    path("feeds/reports/", public_page(feeds.ReportFeed()), name="feed"),
    path("feeds/reports/tags/<printable:slug>/", public_page(feeds.TagFeed()), name="feed_tag"),
    path("feeds/reports/<report_kind:kind_slug>/", public_page(feeds.KindFeed()), name="feed_kind"),
]
