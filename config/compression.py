"""Gzip for the site's text responses, where it cannot leak a secret (BREACH).

Django's ``GZipMiddleware`` compresses any response of 200 bytes or more; this one only
text: pages, JSON, feeds, sitemaps, calendars and BibTeX. PDFs and images are compressed
already (gzip would cost CPU for nothing, and would drop ``Content-Length`` from a slides
download); static files are WhiteNoise's, which serves them precompressed.

BREACH: an attacker who can make a victim's browser request pages with a guess in them
(a search query, say) and can watch the sizes of the compressed answers learns a secret
in the same answer one character at a time. So nothing secret is compressed:

- a request with a session cookie (someone signed in: the admin, drafts, the editor) is
  sent uncompressed, whatever the page;
- so is any response that sets a cookie: one that used the CSRF token (a form: the
  login page, say) sets the CSRF cookie (``get_token()`` asks for it), and a cookie is
  always someone's own.

What is compressed is the public site for anonymous visitors: the pages the page cache
serves to everyone alike, with no secret in them. Django's own measures (the CSRF token
masked anew in every response, and up to 100 random bytes in each gzip header) stay as
a second line.

The middleware sits above ``PageCacheMiddleware``: pages are stored uncompressed (one
entry for every client) and compressed on the way out, hits included. ``GZipMiddleware``
turns the ETag into a weak one, which If-None-Match still matches: a 304 stays a 304.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

# The media types worth compressing (``+xml``/``+json`` ones too: Atom, RSS, JSON-LD…).
TEXT_TYPES = {
    "application/javascript",
    "application/json",
    "application/x-bibtex",
    "application/xml",
    "text/calendar",
    "text/css",
    "text/html",
    "text/javascript",
    "text/plain",
    "text/xml",
}


def is_text(response):
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type in TEXT_TYPES or media_type.endswith(("+xml", "+json"))


class PublicTextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            not is_text(response)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.cookies  # the CSRF cookie of a page with a form, a session…
        ):
            return response
        return super().process_response(request, response)
