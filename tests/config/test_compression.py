"""Gzip: public text responses compressed, binaries and anything with a secret not.

See config/compression.py for what is compressed and why (BREACH).
"""

import gzip

import pytest
from django.urls import reverse

from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def content():
    paper = PaperFactory(
        # A one-paper .bib of a few hundred bytes may not shrink once Django's gzip adds its
        # up to 100 random bytes (against BREACH), and is then rightly sent plain: twelve
        # authors make it long enough to always gain.
        authors=AuthorFactory.create_batch(12),
        title="Compression of Everything, and of Anything Else that Comes Along",
        venue="Proceedings of the Workshop on Squeezing Bytes",
        url="https://example.org/papers/compression-of-everything",
        doi="10.5555/compression.1",
        notes="Long notes. " * 200,
    )
    ReportFactory(title="A report about compression", papers=[paper])
    paper.session = PresentationFactory(paper=paper, upcoming=True, with_slides=True)
    return paper


def addresses(paper):
    """One address of each kind of text response, and the Content-Type it answers with."""
    return {
        "html": (paper.get_absolute_url(), "text/html"),
        "json": ("/api/papers", "application/json"),
        "atom": (reverse("blog:feed"), "application/atom+xml"),
        "session feed": (reverse("readinggroup:feed"), "application/atom+xml"),
        "sitemap": (reverse("sitemap"), "application/xml"),
        "ics": (reverse("readinggroup:calendar"), "text/calendar"),
        "bib": (reverse("papers:paper_bibtex", args=[paper.slug]), "application/x-bibtex"),
        "bib list": (reverse("papers:paper_list") + "?format=bibtex", "application/x-bibtex"),
    }


KINDS = ["html", "json", "atom", "session feed", "sitemap", "ics", "bib", "bib list"]


@pytest.mark.parametrize("kind", KINDS)
def test_text_response_is_gzipped_and_decompresses_to_the_plain_one(client, content, kind):
    url, content_type = addresses(content)[kind]
    plain = client.get(url)
    assert plain.status_code == 200
    assert plain["Content-Type"].startswith(content_type)
    assert "Content-Encoding" not in plain

    compressed = client.get(url, **GZIP)
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content)
    assert gzip.decompress(compressed.content) == plain.content


def test_cached_page_is_gzipped_and_its_etag_still_gives_a_304(client, content):
    url = content.get_absolute_url()
    first = client.get(url, **GZIP)  # rendered, stored in the page cache
    assert first["Content-Encoding"] == "gzip"
    hit = client.get(url, **GZIP)  # served by PageCacheMiddleware
    assert hit["Content-Encoding"] == "gzip"
    assert gzip.decompress(hit.content) == gzip.decompress(first.content)
    assert hit["ETag"].startswith('W/"')  # a weak ETag: the bytes depend on the encoding

    again = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"], **GZIP)
    assert again.status_code == 304
    assert again.content == b""


def test_binaries_and_small_responses_are_sent_as_they_are(client, content, settings):
    # The same client gets the HTML compressed, so compression is on…
    assert client.get(content.get_absolute_url(), **GZIP)["Content-Encoding"] == "gzip"
    # …but a slides PDF (already compressed; a download keeps its Content-Length),
    slides = client.get(reverse("readinggroup:slides", args=[content.session.number]), **GZIP)
    assert slides.status_code == 200
    assert "Content-Encoding" not in slides
    assert slides["Content-Length"] == str(len(b"".join(slides.streaming_content)))
    # …a tiny text answer (not worth it),
    health = client.get(reverse("healthz"), **GZIP)
    assert health.status_code == 200 and "Content-Encoding" not in health


@pytest.mark.urls("tests.config.compression_urls")
def test_images_are_not_gzipped_even_when_gzip_would_shrink_them(client):
    text = client.get("/text/", **GZIP)
    assert text["Content-Encoding"] == "gzip"
    image = client.get("/image.png", **GZIP)
    assert image.status_code == 200
    assert "Content-Encoding" not in image
    assert len(gzip.compress(image.content)) < len(image.content) / 10


def test_pages_with_a_csrf_token_or_for_signed_in_users_are_not_gzipped(
    client, content, staff_user
):
    # BREACH needs a secret in a compressed answer; the anonymous public pages have none.
    assert client.get(content.get_absolute_url(), **GZIP)["Content-Encoding"] == "gzip"

    login = client.get(reverse("admin:login"), **GZIP)
    assert 'name="csrfmiddlewaretoken"' in login.content.decode()
    assert len(login.content) > 1000
    assert "Content-Encoding" not in login

    client.force_login(staff_user)
    for url in (content.get_absolute_url(), reverse("admin:index"), "/api/papers"):
        response = client.get(url, **GZIP)
        assert response.status_code == 200
        assert "Content-Encoding" not in response, url
