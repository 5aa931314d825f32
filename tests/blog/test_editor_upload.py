"""The markdownx image upload behind the report editor (papers/site/editor.py).

Every refused upload gets a 4xx with a message a person can act on, never a 500, and
leaves nothing under MEDIA_ROOT.
"""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from papers.site.images import MAX_IMAGE_BYTES
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

URL = "/markdownx/upload/"


def files_under(root):
    return [path for path in root.rglob("*") if path.is_file()]


def jpeg_bytes(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


def bomb_png(width=20_000, height=20_000):
    """A 1-bit PNG whose header claims 400 million pixels: a few hundred KB on disk."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressed = zlib.compress(row * height, 9)

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", compressed)
        + chunk(b"IEND", b"")
    )


def upload(client, name, content, content_type="image/png"):
    return client.post(URL, {"image": SimpleUploadedFile(name, content, content_type)})


def test_a_png_is_stored_reencoded_and_returned_as_markdown(editor_client, _media_root):
    response = upload(editor_client, "figure.png", png_bytes(size=(40, 30)))
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/uploads/") and code.endswith(".png)")
    (stored,) = files_under(_media_root)
    assert stored.name != "figure.png"  # a fresh random name
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))


def test_a_jpeg_is_accepted(editor_client, _media_root):
    response = upload(editor_client, "photo.jpeg", jpeg_bytes(), "image/jpeg")
    assert response.status_code == 200
    assert response.json()["image_code"].endswith(".jpg)")
    assert len(files_under(_media_root)) == 1


def test_a_pasted_image_without_extension_is_judged_by_its_content(editor_client, _media_root):
    response = upload(editor_client, "image", png_bytes())
    assert response.status_code == 200
    assert response.json()["image_code"].endswith(".png)")
    (stored,) = files_under(_media_root)
    with Image.open(stored) as image:
        assert image.format == "PNG"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("drawing.svg", SVG, "image/svg+xml", "not a readable PNG or JPEG"),
        ("page.png", HTML, "image/png", "not a readable PNG or JPEG"),
        ("figure.jpg", png_bytes(), "image/jpeg", "named “.jpg” but is a PNG image"),
        ("photo.png", jpeg_bytes(), "image/png", "named “.png” but is a JPEG image"),
        ("empty.png", b"", "image/png", "The file is empty."),
        ("cut.jpg", jpeg_bytes(size=(400, 300))[:600], "image/jpeg", "not a readable PNG or JPEG"),
        # Made when the test runs: 50 MB compressed, a quarter second of CPU each
        # pytest-xdist worker would pay while collecting.
        ("bomb.png", bomb_png, "image/png", "not a readable PNG or JPEG"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif", "not a readable"),
    ],
    ids=[
        "svg",
        "html-as-png",
        "png-as-jpg",
        "jpeg-as-png",
        "empty",
        "truncated-jpeg",
        "bomb",
        "gif",
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(
    editor_client, _media_root, name, content, content_type, message
):
    if callable(content):
        content = content()
    response = upload(editor_client, name, content, content_type)
    assert response.status_code == 400
    assert message in " ".join(response.json()["image"])
    assert files_under(_media_root) == []


def test_an_image_over_the_pixel_limit_is_refused(editor_client, _media_root):
    # 8000 × 4000 is below Pillow's own bomb guard but above ours (30 million pixels).
    out = io.BytesIO()
    Image.new("1", (8000, 4000)).save(out, "PNG")
    response = upload(editor_client, "huge.png", out.getvalue())
    assert response.status_code == 400
    assert "8000 × 4000 pixels" in response.json()["image"][0]
    assert files_under(_media_root) == []


def test_a_file_over_the_size_limit_is_refused(editor_client, _media_root):
    big = png_bytes() + b"\x00" * (MAX_IMAGE_BYTES + 1)
    response = upload(editor_client, "big.png", big)
    assert response.status_code == 400
    assert "the limit is 5 MB" in response.json()["image"][0]
    assert files_under(_media_root) == []


def test_a_post_without_a_file_is_a_400(editor_client, _media_root):
    response = editor_client.post(URL, {"image": "not a file"})
    assert response.status_code == 400
    assert response.json() == {"image": ["No image was sent."]}


def test_get_is_not_allowed(editor_client):
    assert editor_client.get(URL).status_code == 405


def test_anonymous_uploads_are_refused_with_a_403(client, _media_root):
    response = upload(client, "figure.png", png_bytes())
    assert response.status_code == 403
    assert response.json() == {"image": ["Only logged-in staff can do this."]}
    assert files_under(_media_root) == []


def test_non_staff_uploads_are_refused_with_a_403(client, django_user_model, _media_root):
    client.force_login(django_user_model.objects.create_user("reader", password="pw-reader-1"))
    response = upload(client, "figure.png", png_bytes())
    assert response.status_code == 403
    assert files_under(_media_root) == []


def test_the_preview_is_staff_only_too(client):
    response = client.post("/markdownx/markdownify/", {"content": "*hi*"})
    assert response.status_code == 403
    assert "staff" in response.content.decode()
