"""Root URLs: the composition of every app's routes."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config import views
from papers import editor
from papers.cache import public_page
from papers.sitemaps import PaperSitemap

# Each app contributes its public objects; only published ones (their own sitemaps say so).
sitemaps = {
    "papers": PaperSitemap,
}

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("papers.urls")),
    path("markdownx/markdownify/", editor.markdown_preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.image_upload, name="markdownx_upload"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
