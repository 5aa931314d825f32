"""What crawlers read: robots.txt and the site-wide sitemap sections (tags, authors)."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from config.tags import tags_with_counts
from papers.models import Author


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Everything public may be crawled; admin, previews and the API docs page may not."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        "Disallow: /api/docs",
        "Disallow: /search/",  # endless query combinations; the pages they find are listed
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class PageSitemap(Sitemap):
    """The list pages a crawl starts from; every other page is in its own section."""

    changefreq = "daily"
    priority = 0.9

    def items(self):
        return [
            "home",
            "papers:paper_list",
            "blog:report_list",
            "readinggroup:presentation_list",
            "tag_index",
        ]

    def location(self, name):
        return reverse(name)


class TagSitemap(Sitemap):
    """Tags that published content uses; an unused tag's page would be empty."""

    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def items(self):
        return tags_with_counts()


class AuthorSitemap(Sitemap):
    """Authors with at least one published paper."""

    changefreq = "monthly"
    priority = 0.4
    limit = 5000

    def items(self):
        return Author.objects.published().only("slug").order_by("pk")
