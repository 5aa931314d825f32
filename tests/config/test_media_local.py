"""One box (MEDIA_STORAGE=local): uploads served from MEDIA_ROOT with DEBUG off, safely."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


def _png():
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (31, 95, 168)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False
    settings.MEDIA_ACCEL_REDIRECT = ""


def _store(name, content=PNG):
    return default_storage.save(name, ContentFile(content))


def test_figure_is_served_with_debug_off_and_inert_headers(client):
    name = _store("figures/0123456789abcdef.png")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_repeat_request_with_the_etag_is_a_304(client):
    name = _store("covers/abc.jpg")
    etag = client.get(f"/media/{name}")["ETag"]
    assert client.get(f"/media/{name}", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_paper_page_figure_url_answers_200(client):
    paper = PaperFactory()
    paper.figures.create(image=ContentFile(PNG, name="figure.png"), caption="Patches")
    html = client.get(paper.get_absolute_url()).content.decode()
    url = paper.figures.get().image.url
    assert f'src="{url}"' in html
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/figures/",  # a folder: no listing
        "/media/figures",
        "/media/figures/missing.png",
        "/media/../config/settings.py",
        "/media/figures/../../config/settings.py",
        "/media/figures/%2e%2e/%2e%2e/config/settings.py",
        "/media/figures/..%2f..%2fconfig%2fsettings.py",
        "/media//etc/passwd",
        "/media/figures/%5c..%5csecret.png",
        "/media/other/ok.png",  # not an upload folder
        "/media/figures/notes.html",  # not an image type
        "/media/figures/script.svg",
    ],
)
def test_nothing_but_stored_uploads_is_served(client, path, _media_root):
    _store("figures/notes.html", b"<script>alert(1)</script>")
    _store("figures/script.svg", b"<svg onload=alert(1)>")
    _store("other/ok.png")
    (_media_root.parent / "secret.png").write_bytes(PNG)
    served = _store("figures/ok.png")
    assert client.get(f"/media/{served}").status_code == 200  # the route is there…
    assert client.get(path).status_code == 404  # …and serves nothing else


def test_slides_files_are_not_public_by_name(client):
    name = _store("readinggroup/slides/draft.pdf", pdf_bytes())
    cover = _store("readinggroup/covers/draft.png")
    assert client.get(f"/media/{cover}").status_code == 200
    assert client.get(f"/media/{name}").status_code == 404


def test_staff_may_open_slides_from_the_admin_link(staff_client):
    name = _store("readinggroup/slides/draft.pdf", pdf_bytes())
    response = staff_client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private"


def test_post_is_refused(client):
    name = _store("figures/a.png")
    assert client.post(f"/media/{name}").status_code == 405


def test_behind_nginx_the_bytes_are_left_to_x_accel_redirect(client, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/_media/"
    name = _store("uploads/2026/12/a b.png")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_media/uploads/2026/12/a%20b.png"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    # A missing file is Django's 404, not nginx's.
    assert client.get("/media/uploads/none.png").status_code == 404


def test_session_page_cover_and_framed_slides_answer_200(client):
    session = PresentationFactory(with_slides=True)
    html = client.get(session.get_absolute_url()).content.decode()
    assert f'src="{session.cover.url}"' in html
    cover = client.get(session.cover.url)
    assert cover.status_code == 200
    assert cover["Content-Type"] == "image/png"
    slides = client.get(f"/reading-group/{session.number}/slides.pdf")
    assert slides.status_code == 200
    assert slides["Content-Type"] == "application/pdf"
    # The session page frames it: this response alone may be framed, by the site only.
    assert "frame-ancestors 'self'" in slides["Content-Security-Policy"]
    assert slides["X-Frame-Options"] == "SAMEORIGIN"
