"""Uploaded files in production: figures, covers, editor images and slides.

``MEDIA_STORAGE`` (config/settings.py, docs/DEPLOY.md) chooses where they live:

- ``local`` (one box): files in ``MEDIA_ROOT``, served by :func:`serve_media` at
  ``MEDIA_URL``. Django decides what may be served and with which headers; with
  ``MEDIA_ACCEL_REDIRECT`` set, nginx sends the bytes (``X-Accel-Redirect``) so a
  gunicorn worker is not held for the transfer.
- ``s3`` (scale-out): the storage's own URLs point at the bucket. Images are public
  objects; slides stay private and the slides view redirects to a short-lived signed
  URL (:func:`signed_pdf_url`), so a draft's slides cannot be read even by name.
"""

import hashlib
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

# Folders the upload_to functions and the editor write to, and what may be in them. The
# stored names are random (uuid4) and a new upload always gets a new name, so a file
# never changes under its URL: browsers and proxies may keep it for a year
# (settings.MEDIA_CACHE_CONTROL, the same for objects in a bucket).
PUBLIC_FOLDERS = ("figures/", "covers/", "uploads/", "readinggroup/covers/")
# Images dropped into the Markdown editor or found in an imported report body; the
# backup includes the whole folder (papers/intake/backup.py).
EDITOR_UPLOADS = "uploads"
# Slides are public only through the session's slides view, which checks the session is
# published; staff may open any from the admin ("Currently: …" links here).
STAFF_FOLDERS = ("readinggroup/slides/",)


def editor_upload_name(filename):
    """Where an editor image is stored: one folder a month, so no folder grows forever."""
    return f"{EDITOR_UPLOADS}/{timezone.localdate():%Y/%m}/{filename}"


CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
# An uploaded file opened on its own is a document of the site's origin: it may run
# nothing, load nothing but itself, and is sandboxed (a unique origin, no scripts, no
# forms) even if a browser were talked into rendering it as HTML.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# Signed slides URLs live long enough to load the viewer and read the talk.
SIGNED_URL_SECONDS = 3600


def _checked_name(name, request):
    """The content type to serve ``name`` with, or Http404 for anything not servable."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        raise Http404("No such file.")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise Http404("No such file.")
    if posixpath.normpath(name) != name:
        raise Http404("No such file.")
    allowed = name.startswith(PUBLIC_FOLDERS) or (
        name.startswith(STAFF_FOLDERS) and request.user.is_authenticated and request.user.is_staff
    )
    content_type = CONTENT_TYPES.get(posixpath.splitext(name)[1].lower())
    if not allowed or content_type is None:
        raise Http404("No such file.")
    return content_type


@require_safe
def serve_media(request, name):
    """One stored upload, with headers that keep it inert (``MEDIA_STORAGE=local``)."""
    if settings.MEDIA_STORAGE != "local":
        raise Http404("Uploads are served by the object storage.")
    content_type = _checked_name(name, request)
    etag = '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'
    try:
        if not default_storage.exists(name):
            raise Http404("No such file.")
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            response = not_modified
        elif settings.MEDIA_ACCEL_REDIRECT:
            # nginx serves the file from its internal location (docs/deploy/nginx.conf).
            response = HttpResponse(content_type=content_type)
            response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(name)
        else:
            response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise Http404("No such file.") from None
    response["ETag"] = etag
    response["Cache-Control"] = (
        settings.MEDIA_CACHE_CONTROL if name.startswith(PUBLIC_FOLDERS) else "private"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response


def signed_pdf_url(field_file, *, filename, download=False):
    """A short-lived signed URL of a PDF in object storage, or None for local storage.

    Signed even when the bucket's images are public: slides are private objects, and the
    signature also carries the content type and disposition S3 must answer with.
    """
    storage = field_file.storage
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return None
    disposition = "attachment" if download else "inline"
    client = storage.connection.meta.client
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": field_file.name,
            "ResponseContentType": "application/pdf",
            "ResponseContentDisposition": f'{disposition}; filename="{filename}"',
        },
        ExpiresIn=SIGNED_URL_SECONDS,
    )
