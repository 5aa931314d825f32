"""Read the site's sitemap as a crawler does: the index at /sitemap.xml, then every page."""

from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _path(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_pages(client):
    """The paths of the section pages that /sitemap.xml lists (``?p=N`` included)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{NS}sitemapindex"
    return [_path(loc.text) for loc in root.iter(f"{NS}loc")]


def sitemap_entries(client):
    """``{path: lastmod or None}`` of every URL in every section page of the index."""
    entries = {}
    for page in sitemap_pages(client):
        response = client.get(page)
        assert response.status_code == 200, page
        root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
        for url in root.iter(f"{NS}url"):
            entries[_path(url.findtext(f"{NS}loc"))] = url.findtext(f"{NS}lastmod")
    return entries
