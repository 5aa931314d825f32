"""Checking and re-encoding uploaded images (figures, covers, editor uploads).

An upload is trusted for nothing: not its name, not its declared content type. Pillow
reads it, it must be a PNG or JPEG within the size and pixel limits, and what is stored
is a new image built from its pixels alone, so a polyglot or an HTML page named ``.png``
never gets out, and neither does text hidden where image formats allow it: JPEG comments,
EXIF, XMP, ICC profiles, PNG text and private chunks, bytes after the image's end.

This is the one implementation: every form that takes an image uses
:class:`ReencodedImageField` (``Meta.field_classes``), the editor and the importers call
:func:`reencode_image`. Covers are stored with a WebP rendition beside them
(:class:`RenditionImageField`), which pages show with the original as the fallback.
"""

import hashlib
import io
import os
import threading
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 30_000_000  # about 6000 × 5000; stops decompression bombs before decoding
_FORMATS = {"PNG": "png", "JPEG": "jpg"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image):
    """Apply an embedded ICC profile to the pixels, since the profile itself is dropped.

    A profile that does not parse (or that carries only text) is ignored: the pixels are
    then read as sRGB, which is what a browser does with an untagged image.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _pixels_only(image, kind):
    """A new image holding ``image``'s pixels and no ``info``: nothing else can be saved."""
    image = ImageOps.exif_transpose(image)  # orientation is the one EXIF field that matters
    image = _to_srgb(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "jpg":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("1", "L", "LA") and not (has_alpha and image.mode != "LA"):
        mode = "LA" if image.mode == "LA" else "L"
    else:
        mode = "RGBA" if has_alpha else "RGB"
    image = image.convert(mode)
    return Image.frombytes(mode, image.size, image.tobytes())


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
            clean = _pixels_only(image, kind)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a readable PNG or JPEG image.", code="invalid"
        ) from None
    out = io.BytesIO()
    if kind == "jpg":
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{kind}")


class ReencodedImageField(forms.ImageField):
    """The form field of every uploaded image: a new upload is re-encoded (the upload itself
    is never stored). The stored file (unchanged field) and "clear" (``False``) pass
    through untouched. Use it as ``Meta.field_classes = {"cover": ReencodedImageField}``."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            try:
                return reencode_image(value)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return value


# --- the WebP rendition pages show (covers) ---------------------------------------------------
# A cover is shown at most 22rem wide on a desktop and the phone's width on a phone (412 CSS
# px at a density of 1.75 in Lighthouse's phone): 800 pixels is sharp on both. The session
# page's cover is its largest paint; as a full-size PNG it cost ~131 KiB more than this.
RENDITION_MAX_WIDTH = 800
RENDITION_QUALITY = 80


# Renditions made by this process, by the original's digest and the width: the same bytes
# give the same WebP, and encoding one is most of storing an image (0.02-0.04 s of CPU for a
# cover at method 6). ``manage.py demo`` stores the same drawn covers and figures on every
# run: the suite runs it a dozen times per process, each run encoding its 16 again (a
# third of a warm run's CPU). Small: a rendition is a few dozen KiB.
_RENDITIONS = {}
_RENDITIONS_KEPT = 32
_renditions_lock = threading.Lock()


def webp_rendition(content, max_width=RENDITION_MAX_WIDTH):
    """WebP bytes of the stored image ``content``, at most ``max_width`` pixels wide, or
    ``None`` when Pillow cannot read it (the page then shows the original)."""
    content.seek(0)
    try:
        original = content.read()
    except OSError:
        return None
    finally:
        content.seek(0)
    key = (hashlib.sha256(original).digest(), max_width)
    with _renditions_lock:
        if key in _RENDITIONS:
            return _RENDITIONS[key]
    data = _encode_rendition(original, max_width)
    with _renditions_lock:
        _RENDITIONS[key] = data
        while len(_RENDITIONS) > _RENDITIONS_KEPT:
            del _RENDITIONS[next(iter(_RENDITIONS))]  # the oldest
    return data


def _encode_rendition(original, max_width):
    try:
        with Image.open(io.BytesIO(original)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.load()
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            if image.width > max_width:
                height = max(1, round(image.height * max_width / image.width))
                image = image.resize((max_width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "WEBP", quality=RENDITION_QUALITY, method=6)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return out.getvalue()


def rendition_name(name):
    """``covers/ab12.png`` → ``covers/ab12.webp``: the rendition sits beside its original."""
    return f"{os.path.splitext(name)[0]}.webp" if name else ""


class RenditionFieldFile(ImageFieldFile):
    """A stored image with a WebP rendition beside it, made when the image is stored (an
    upload, once ``reencode_image`` has cleaned it; a cover rendered from slides; an
    import), whatever stored it. The model remembers the rendition's name in the field's
    ``rendition_field``: a file put there some other way (or replaced) has none, and pages
    show the original."""

    def save(self, name, content, save=True):
        super().save(name, content, save=False)
        self.store_rendition(content)
        if save:
            self.instance.save()

    def store_rendition(self, content=None):
        """Make and store the rendition; only one smaller than the original is kept."""
        content = content if content is not None else self
        data = webp_rendition(content)
        size = getattr(content, "size", None)
        stored = ""
        if data is not None and (size is None or len(data) < size):
            stored = self.storage.save(rendition_name(self.name), ContentFile(data))
        setattr(self.instance, self.field.rendition_field, stored)
        return stored

    @property
    def rendition(self):
        """The stored rendition's name, or ``""`` when this image has none."""
        stored = getattr(self.instance, self.field.rendition_field, "")
        return stored if self.name and stored and stored == rendition_name(self.name) else ""

    @property
    def webp_url(self):
        """The rendition's URL, or ``""`` when this image has none."""
        return self.storage.url(self.rendition) if self.rendition else ""


class RenditionImageField(models.ImageField):
    """An image field whose stored images get a WebP rendition (``RenditionFieldFile``);
    ``rendition_field`` names the model's CharField that records it. Templates show it
    with ``{% include "_picture.html" with image=… %}``."""

    attr_class = RenditionFieldFile

    def __init__(self, *args, rendition_field, **kwargs):
        self.rendition_field = rendition_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["rendition_field"] = self.rendition_field
        return name, path, args, kwargs
