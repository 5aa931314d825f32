"""Root URLs: the composition of every app's routes."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from config import admin_views, search, seo, tags, views
from config.api import api, not_found
from papers.content.kinds import kinds
from papers.site import editor, media
from papers.site.cache import public_page
from papers.site.sitemaps import sitemap_section

# Each app contributes its public objects; only published ones (their own sitemaps say so).
# /sitemap.xml is an index of /sitemap-<section>.xml, each paginated by its ``limit``
# (?p=N): a single sitemap would stop at the first page of 5,000 papers.
sitemaps = {
    "pages": seo.PageSitemap,
    **{kind.key: kind.sitemap_class() for kind in kinds()},
    "tags": seo.TagSitemap,
    "authors": seo.AuthorSitemap,
}

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search.search_page, name="search"),
    path("about/", views.about, name="about"),
    # Public pages like the papers' own: cached for anonymous visitors, 304 on a repeat.
    path("tags/", public_page(tags.tag_index), name="tag_index"),
    path("tags/<str:slugs>/", public_page(tags.tag_detail), name="tag_detail"),
    path("tags/<str:slugs>/feed/", public_page(tags.TagFeed()), name="tag_feed"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("", include("papers.urls")),
    path("", include("blog.urls")),
    path("", include("readinggroup.urls")),
    path("markdownx/markdownify/", editor.markdown_preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.image_upload, name="markdownx_upload"),
    # The API's own address leads a person (or a script exploring) to its documentation.
    path("api/", RedirectView.as_view(pattern_name="api:openapi-view"), name="api_root"),
    path("api/", api.urls),
    # (?s:…): an address with a newline in it is still under /api/ and gets the JSON 404.
    re_path(r"^api/(?P<rest>(?s:.*))$", not_found, name="api_not_found"),
    path(
        "sitemap.xml",
        require_safe(public_page(seo.sitemap_index)),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        require_safe(public_page(sitemap_section)),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("healthz", views.healthz, name="healthz"),
    # Shadows the admin's own "View on site" redirect with one that checks permissions.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin_views.view_on_site,
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
]

# Uploads from MEDIA_ROOT (MEDIA_STORAGE=local, MEDIA_URL "media/"), the same with DEBUG on
# or off (papers/site/media.py). With MEDIA_STORAGE=s3 pages link to the bucket and this is 404.
urlpatterns.append(path("media/<path:name>", media.serve_media, name="media"))
