"""Uploaded images cannot carry a payload: what is stored is pixels and nothing else.

Each hostile image hides an HTML/script payload where an image format lets text live: a
JPEG comment, EXIF, XMP, an ICC profile, PNG text chunks, bytes after the image's end.
Every upload path (figure, report cover, session cover, editor upload) stores a file whose
bytes hold none of it, and whose segments/chunks are only the ones that draw the picture.
"""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from blog.models import Report
from papers.models import Paper
from readinggroup.models import Presentation
from tests.blog.factories import report_admin_form as report_form
from tests.papers.test_admin import paper_form
from tests.readinggroup.test_slides import _form_data as session_form

pytestmark = pytest.mark.django_db

MARKER = b"ps-payload-7f3a"
PAYLOAD = b"<html><body><script>alert('" + MARKER + b"')</script></body></html>"


def _jpeg(**save_args):
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (10, 120, 200)).save(out, "JPEG", quality=90, **save_args)
    return out.getvalue()


def _png(image=None, **save_args):
    out = io.BytesIO()
    (image or Image.new("RGB", (48, 32), (200, 40, 40))).save(out, "PNG", **save_args)
    return out.getvalue()


def _exif():
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    exif[0x013B] = PAYLOAD.decode()  # Artist
    return exif


def _jpeg_with_xmp():
    """An APP1 XMP packet inserted right after SOI, as Photoshop writes it."""
    data = _jpeg()
    packet = (
        b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        b"<dc:description>" + PAYLOAD + b"</dc:description></x:xmpmeta>"
    )
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(packet) + 2) + packet + data[2:]


def _png_with_chunk(kind, body):
    data = _png()
    chunk = struct.pack(">I", len(body)) + kind + body
    chunk += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk + data[iend:]


def _png_text(method):
    info = PngImagePlugin.PngInfo()
    getattr(info, method[0])("Comment", PAYLOAD.decode(), **method[1])
    return _png(pnginfo=info)


HOSTILE = {
    "jpeg comment (COM)": ("jpg", lambda: _jpeg(comment=PAYLOAD)),
    "jpeg exif": ("jpg", lambda: _jpeg(exif=_exif())),
    "jpeg xmp": ("jpg", _jpeg_with_xmp),
    "jpeg icc profile": ("jpg", lambda: _jpeg(icc_profile=b"\0" * 128 + PAYLOAD)),
    "jpeg trailing bytes": ("jpg", lambda: _jpeg() + PAYLOAD),
    "png tEXt": ("png", lambda: _png_text(("add_text", {}))),
    "png zTXt": ("png", lambda: _png_text(("add_text", {"zip": True}))),
    "png iTXt": ("png", lambda: _png_text(("add_itxt", {}))),
    "png eXIf": ("png", lambda: _png(exif=_exif())),
    "png iCCP": ("png", lambda: _png(icc_profile=b"\0" * 128 + PAYLOAD)),
    "png private chunk": ("png", lambda: _png_with_chunk(b"prVt", PAYLOAD)),
    "png trailing bytes": ("png", lambda: _png() + PAYLOAD),
}


def _jpeg_markers(data):
    """Marker bytes of every segment up to the end of image, and what follows it."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [0xD8], 2
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xD9:
            return markers, data[pos + 2 :]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        pos += 2 + length
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not RSTn/FF00
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8))):
                pos += 1


def _png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while True:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunks.append(kind)
        pos += 12 + length
        if kind == b"IEND":
            return chunks, data[pos:]


def assert_only_pixels(stored, kind):
    assert MARKER not in stored and b"<script" not in stored.lower()
    if kind == "jpg":
        markers, trailer = _jpeg_markers(stored)
        # SOI, JFIF APP0, quantisation/Huffman tables, frame, scan(s), EOI: nothing else.
        assert set(markers) <= {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA, 0xD9}, markers
    else:
        chunks, trailer = _png_chunks(stored)
        assert set(chunks) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, chunks
    assert trailer == b""
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert not (set(image.info) & {"comment", "exif", "xmp", "icc_profile", "Comment"})


def _upload(name, data):
    return SimpleUploadedFile(name, data, "image/jpeg" if name.endswith(".jpg") else "image/png")


def _store_figure(client, name, data):
    form = paper_form(
        **{"figures-TOTAL_FORMS": "1", "figures-0-caption": "c", "figures-0-position": "0"}
    )
    response = client.post(
        reverse("admin:papers_paper_add"), {**form, "figures-0-image": _upload(name, data)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Paper.objects.get().figures.get().image


def _store_report_cover(client, name, data):
    response = client.post("/admin/blog/report/add/", report_form(cover=_upload(name, data)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Report.objects.get().cover


def _store_session_cover(client, name, data):
    response = client.post(
        reverse("admin:readinggroup_presentation_add"), session_form(cover=_upload(name, data))
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Presentation.objects.get().cover


def _store_editor_upload(client, name, data):
    response = client.post("/markdownx/upload/", {"image": _upload(name, data)})
    assert response.status_code == 200, response.content
    url = response.json()["image_code"][4:-1]
    return default_storage.open(url.removeprefix("/media/"))


UPLOAD_PATHS = {
    "figure": _store_figure,
    "report cover": _store_report_cover,
    "session cover": _store_session_cover,
    "editor upload": _store_editor_upload,
}


@pytest.mark.parametrize("path", list(UPLOAD_PATHS))
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_stored_image_holds_none_of_the_payload(admin_client, _media_root, path, hostile):
    kind, build = HOSTILE[hostile]
    data = build()
    with Image.open(io.BytesIO(data)) as image:  # the hostile file is a valid image
        image.load()
    stored = UPLOAD_PATHS[path](admin_client, f"picture.{kind}", data)
    with stored.open("rb") as handle:
        assert_only_pixels(handle.read(), kind)


def test_exif_orientation_is_applied_before_it_is_dropped(admin_client, _media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    stored = _store_editor_upload(admin_client, "photo.jpg", _jpeg(exif=exif))
    with Image.open(stored) as image:
        assert image.size == (32, 48)


def test_transparency_survives_reencoding(admin_client, _media_root):
    image = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    image.putpixel((3, 3), (255, 0, 0, 255))
    stored = _store_editor_upload(admin_client, "logo.png", _png(image))
    with Image.open(stored) as clean:
        rgba = clean.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((3, 3)) == (255, 0, 0, 255)
