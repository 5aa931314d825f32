"""What crawlers read: robots.txt and the site-wide sitemap sections (tags, authors)."""

from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from config.tags import kept_tag_counts, tags_with_counts
from papers.counts import published_author_ids, published_authors
from papers.models import Author
from papers.site.addresses import absolute_url
from papers.site.cache import cached_value, rows_digest
from papers.site.sitemaps import SiteSitemap, slug_paths
from papers.views import CachedCountPaginator


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Everything public may be crawled; admin, previews and the API docs page may not."""
    sitemap = absolute_url(reverse("sitemap"))
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


@x_robots_tag
def sitemap_index(request, sitemaps, sitemap_url_name):
    """The sitemap index: Django's, with each section's address on ``SITE_URL``.

    Django's own index view writes the request's Host into every address; this one is
    cached and shared, so it must say the same whoever asked first.
    """
    entries = []
    for section, sitemap in sitemaps.items():
        sitemap = sitemap()
        url = absolute_url(reverse(sitemap_url_name, kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        pages = range(2, sitemap.paginator.num_pages + 1)
        entries.extend(SitemapIndexItem(f"{url}?p={page}", lastmod) for page in pages)
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


class PageSitemap(SiteSitemap):
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
            "papers:topics",
            "about",
        ]

    def location(self, name):
        return reverse(name)


class TagSitemap(SiteSitemap):
    """Tags that published content uses; an unused tag's page would be empty."""

    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def items(self):
        return tags_with_counts()

    @property
    def paginator(self):
        # Their number from the kept counts' keys: the index only counts them, and the
        # 200 tags built (``tags_with_counts``) were a third of its miss; a page lists them.
        def count():
            return len(kept_tag_counts())

        return CachedCountPaginator(_ReadWhenSliced(self.items), self.limit, count)


class _ReadWhenSliced:
    """``items()`` read at the first slice (a page), not when a paginator is made."""

    ordered = True  # by name (``tags_with_counts``): no paginator warning, nothing read

    def __init__(self, items):
        self.items = items

    @cached_property
    def rows(self):
        return list(self.items())

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self):
        return len(self.rows)


class AuthorSitemap(SiteSitemap):
    """Authors with at least one published paper."""

    changefreq = "monthly"
    priority = 0.4
    limit = 5000

    url_name = "papers:author_detail"

    def items(self):
        return Author.objects.published().only("slug").order_by("pk")

    @property
    def paginator(self):
        # Their number from the kept counts (``published_authors``): counted from the
        # bylines it was a DISTINCT over every one (73 ms on SQLite at 10,000 papers,
        # 954 ms on PostgreSQL at 100,000) at every change of the counts. Whether an
        # author has a published paper changes only with what the counts follow (a paper
        # published or not, a byline added or removed, an author deleted: watch_counts),
        # so the number is kept under the counts version, for the index and every page.
        def count():
            return cached_value(None, "sitemap-authors", (), published_authors, counts=True)

        return CachedCountPaginator(self._items(), self.limit, count)

    def page_facts(self, rows, number=None):
        """The page's authors by the kept counts (their ids, in order: one index read of
        ``FacetCount``), not the counts version: a change of the counts that moves none
        of this page's authors (most publications) keeps its XML, whose rows are 5,000
        per-author subqueries (EXPLAIN ANALYZE at 100,000 papers on PostgreSQL: 85–220 ms
        for page 1, 400–675 ms for page 7, ~6 index pages per author). Who has a published
        paper changes the counts (``watch_counts``); a renamed author's slug moves the
        cards version (papers/cards.py), in the facts."""
        start = (number - 1) * self.limit
        ids = published_author_ids()[start : start + self.limit]
        return {"authors": rows_digest(list(ids))}

    def entries(self, rows):
        """``(path, None)`` of ``rows`` (a page's ``object_list``): no model instance and
        no lastmod per author."""
        slugs = rows.values_list("slug", flat=True)
        return slug_paths(self.url_name, ((slug, None) for slug in slugs))
