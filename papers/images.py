"""Checking and re-encoding uploaded images (figures, covers, editor uploads).

An upload is trusted for nothing: not its name, not its declared content type. Pillow
reads it, it must be a PNG or JPEG within the size and pixel limits, and what is stored
is Pillow's own re-encoding, so a polyglot or an HTML page named ``.png`` never gets out.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 30_000_000  # about 6000 × 5000; stops decompression bombs before decoding
_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def reencode_image(uploaded, max_bytes=MAX_IMAGE_BYTES):
    """Return a ``ContentFile`` with a fresh random name, or raise ``ValidationError``."""
    size = getattr(uploaded, "size", None)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size is not None and size > max_bytes:
        raise ValidationError(
            "The image is %(size)s MB; the limit is %(max)s MB.",
            params={"size": round(size / 2**20, 1), "max": max_bytes // 2**20},
            code="too_large",
        )
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            kind = _FORMATS.get(image.format)
            if kind is None:
                raise ValidationError(
                    "Only PNG and JPEG images are accepted (this file is %(format)s).",
                    params={"format": image.format or "unknown"},
                    code="format",
                )
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "The image is %(w)d × %(h)d pixels; the limit is %(max)s million pixels.",
                    params={"w": image.width, "h": image.height, "max": MAX_IMAGE_PIXELS // 10**6},
                    code="too_many_pixels",
                )
            image.load()
            out = io.BytesIO()
            if kind == "jpg":
                image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a readable PNG or JPEG image.", code="invalid"
        ) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{kind}")
