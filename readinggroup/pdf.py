"""Checking uploaded slides and rendering their first page as a cover image.

An upload is trusted for nothing: its name is thrown away, its declared type ignored.
It must start like a PDF, end like one, open in PDFium without a password, and stay
within page, size and image limits, so that rendering it on the server is cheap and a
decompression bomb is refused before anything is decoded.

PDFium is not thread-safe, not even across documents, so every call goes through one
process-wide lock (the pypdfium2 documentation asks for exactly this).
"""

import io
import logging
import threading
import uuid

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

MAX_SLIDES_BYTES = 30 * 1024 * 1024
MAX_PAGES = 500
# PDF's own limit for a page side is 14,400 points (200 inches).
MAX_PAGE_SIDE = 14_400
# Pixels of one embedded image: a 50-megapixel photo passes, a 60,000² bomb does not.
MAX_IMAGE_PIXELS = 50_000_000
# Drawing operations on page 1, the page the server renders; slides have a few hundred.
MAX_PAGE_OBJECTS = 50_000
COVER_MAX_WIDTH = 1200
COVER_MAX_HEIGHT = 1200
_EOF_WINDOW = 1024  # readers look for %%EOF in the last kilobyte, as Acrobat does

_lock = threading.Lock()


class SlidesError(ValidationError):
    """Raised for slides that cannot be accepted; the message is shown to the editor."""


def _read_upload(uploaded, max_bytes):
    size = getattr(uploaded, "size", None)
    if size == 0:
        raise SlidesError("The file is empty.", code="empty")
    if size is not None and size > max_bytes:
        raise SlidesError(
            "The file is %(size)s, over the %(max)s limit for slides.",
            params={"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    uploaded.seek(0)
    if not data:
        raise SlidesError("The file is empty.", code="empty")
    if len(data) > max_bytes:
        raise SlidesError(
            "The file is over the %(max)s limit for slides.",
            params={"max": filesizeformat(max_bytes)},
            code="too_large",
        )
    return data


def _check_structure(data):
    if not data.startswith(b"%PDF-"):
        head = data[:512].lstrip().lower()
        looks_like = (
            " (it looks like an HTML page)"
            if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg"))
            else ""
        )
        raise SlidesError(
            "This file is not a PDF%(looks_like)s. Export the slides as PDF and upload that.",
            params={"looks_like": looks_like},
            code="not_pdf",
        )
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise SlidesError(
            "This PDF is incomplete (its end is missing); the upload or export was cut short.",
            code="truncated",
        )


def _open(data):
    """Open ``data`` in PDFium; the caller holds the lock and closes the document."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise SlidesError(
                "This PDF is password-protected. Upload a copy without a password.",
                code="encrypted",
            ) from None
        raise SlidesError(
            "This PDF is damaged and cannot be read. Export it again and upload the new file.",
            code="unreadable",
        ) from None
    if pdfium_c.FPDF_GetSecurityHandlerRevision(document) != -1:
        document.close()
        raise SlidesError(
            "This PDF is encrypted. Upload a copy saved without encryption or restrictions.",
            code="encrypted",
        )
    return document


def _check_page(page, number):
    width, height = page.get_size()
    if not (1 <= width <= MAX_PAGE_SIDE and 1 <= height <= MAX_PAGE_SIDE):
        raise SlidesError(
            "Page %(page)d measures %(w)d × %(h)d points, which no slide does.",
            params={"page": number, "w": width, "h": height},
            code="page_size",
        )
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        pixels_wide, pixels_high = image.get_px_size()
        if pixels_wide * pixels_high > MAX_IMAGE_PIXELS:
            raise SlidesError(
                "Page %(page)d holds a %(w)d × %(h)d pixel image; images in slides may have "
                "at most %(max)d million pixels.",
                params={
                    "page": number,
                    "w": pixels_wide,
                    "h": pixels_high,
                    "max": MAX_IMAGE_PIXELS // 10**6,
                },
                code="image_bomb",
            )


def _render_first_page(document, max_width, max_height):
    """Page 1 as a PIL image that fits ``max_width`` × ``max_height``."""
    page = document[0]
    try:
        if pdfium_c.FPDFPage_CountObjects(page) > MAX_PAGE_OBJECTS:
            raise SlidesError(
                "The first page has more than %(max)d drawing operations; simplify it.",
                params={"max": MAX_PAGE_OBJECTS},
                code="too_complex",
            )
        width, height = page.get_size()
        scale = min(max_width / width, max_height / height)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        try:
            return bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()


def validate_slides(uploaded, max_bytes=None):
    """Raise ``ValidationError`` unless ``uploaded`` is a readable, unencrypted, sane PDF."""
    data = _read_upload(uploaded, max_bytes or MAX_SLIDES_BYTES)
    _check_structure(data)
    with _lock:
        document = _open(data)
        try:
            page_count = len(document)
            if page_count == 0:
                raise SlidesError("This PDF has no pages.", code="no_pages")
            if page_count > MAX_PAGES:
                raise SlidesError(
                    "This PDF has %(n)d pages; slides may have at most %(max)d.",
                    params={"n": page_count, "max": MAX_PAGES},
                    code="too_many_pages",
                )
            for index in range(page_count):
                page = document[index]
                try:
                    _check_page(page, index + 1)
                finally:
                    page.close()
            # Proves that page 1 renders, at a size too small to cost anything.
            _render_first_page(document, 120, 120)
        except pdfium.PdfiumError:
            raise SlidesError(
                "This PDF is damaged and cannot be read. Export it again and upload the new file.",
                code="unreadable",
            ) from None
        finally:
            document.close()


def render_cover(data):
    """Render page 1 of the PDF bytes ``data`` as a PNG ``ContentFile`` with a random name.

    Returns ``None`` (and logs why) when the PDF cannot be rendered; uploads were checked
    by :func:`validate_slides`, so this only happens with files stored some other way.
    """
    try:
        _check_structure(data)
        with _lock:
            document = _open(data)
            try:
                if len(document) == 0:
                    return None
                first = document[0]
                try:
                    _check_page(first, 1)
                finally:
                    first.close()
                image = _render_first_page(document, COVER_MAX_WIDTH, COVER_MAX_HEIGHT)
            finally:
                document.close()
    except (ValidationError, pdfium.PdfiumError) as error:
        logger.warning("No cover rendered from the slides: %s", error)
        return None
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.png")


def pdf_from_images(images, resolution=72.0):
    """A multi-page PDF (bytes) with one image per page; used for demo slides."""
    out = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=resolution)
    return out.getvalue()
