"""The site's absolute URLs, all built from ``settings.SITE_URL`` (never the request's Host).

A page is cached and shared between visitors, a feed's ids and a calendar's UIDs must
never change: so an absolute URL cannot depend on the Host header of whoever asked first.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import split_domain_port, validate_host
from django.urls import reverse


def absolute_url(path):
    """``path`` (``/papers/x/``, from ``reverse()`` or ``get_absolute_url()``) as a full URL.

    A URL that already is absolute (media on another origin, a paper's own link) is
    returned unchanged; a scheme-relative one (``//cdn…``) gets the site's scheme.
    """
    path = str(path)
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{settings.SITE_URL.split(':', 1)[0]}:{path}"
    return settings.SITE_URL + ("" if path.startswith("/") else "/") + path


# Django's reverse() leaves these unquoted in a path argument (RFC 3986 sub-delims and more).
_PATH_SAFE = "/~:@!$&'()*+,;="
# A value that every slug, ``str`` and number pattern of the site accepts, and that no fixed
# part of an address holds (it is looked for from the right, after any prefix).
_SLOT = "987654321"


def path_format(url_name):
    """``reverse(url_name, args=[value])`` as a function of ``value``, from one ``reverse()``.

    A list of 100 API rows, a 481-session calendar or a 5,000-entry sitemap page writes
    its addresses without a ``reverse()`` per row (each one 30–50 µs; 3,300 of them were
    170 ms of a sitemap page's 250). The value is quoted as ``reverse()`` quotes it.
    """
    before, _, after = reverse(url_name, args=[_SLOT]).rpartition(_SLOT)

    def path(value):
        return f"{before}{quote(str(value), safe=_PATH_SAFE)}{after}"

    return path


def page_path(obj, request=None):
    """``obj.get_absolute_url()`` of a model that names its page in ``PAGE_URL`` (the URL
    name and the field that fills it), with one ``reverse()`` per request and URL name."""
    url_name, field = obj.PAGE_URL
    if request is None:
        return path_format(url_name)(getattr(obj, field))
    formats = request.__dict__.setdefault("_papershelf_path_formats", {})
    path = formats.get(url_name)
    if path is None:
        path = formats[url_name] = path_format(url_name)
    return path(getattr(obj, field))


def site_host():
    """The site's host name (no port), e.g. for calendar UIDs: ``…@papers.example.org``."""
    return urlsplit(settings.SITE_URL).hostname


@dataclass(frozen=True)
class SiteAuthor:
    name: str
    url: str


def site_author():
    """Who speaks for the site: the author of every feed, the publisher and author of its
    pages' structured data (reports, sessions' organiser).

    The one place that names them: the author or group of the site settings
    (``papers.identity``), else the site's name.
    """
    from papers.identity import site_name_and_author  # identity's model imports this module

    return SiteAuthor(name=site_name_and_author()[1], url=absolute_url("/"))


@checks.register(checks.Tags.security, deploy=True)
def check_site_url_is_served(app_configs, **kwargs):
    """``check --deploy``: the site must answer at its own address (papers.apps registers it)."""
    host, _ = split_domain_port(urlsplit(settings.SITE_URL).netloc)
    if validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        checks.Warning(
            f"SITE_URL's host {host!r} is not in ALLOWED_HOSTS: every canonical link, feed "
            "and sitemap address would lead to a 400.",
            hint="Add it to ALLOWED_HOSTS, or correct SITE_URL.",
            id="papershelf.W001",
        )
    ]
