"""Checking uploaded slides and rendering their first page as a cover image.

An upload is trusted for nothing: its name is thrown away, its declared type ignored.
It must start like a PDF, end like one, open in PDFium without a password, stay within
page, size and image limits, and carry no active content (JavaScript, actions that run on
their own, launch actions, embedded files, rich media, XFA), so that rendering it on the
server is cheap, a decompression bomb is refused before anything is decoded, and what
visitors download cannot act on their machine.

Two stages. In the web request, only what costs nothing: the size, the PDF header and
the end marker (:func:`check_upload`), refused with a form error. Everything that parses
the PDF runs later in a background job (readinggroup/slides.py), in a child process
(``pdf_worker.py``) bounded by RLIMIT_CPU, RLIMIT_AS and a wall-clock timeout: a crafted
file is refused within ``CHECK_TIMEOUT_SECONDS`` and its reason shown to the editor, and
no process but that child ever loads PDFium, so none waits for, nor holds, its
process-wide lock.
"""

import base64
import io
import json
import logging
import subprocess
import sys
import threading
import uuid
from collections import OrderedDict
from hashlib import sha256
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

MAX_SLIDES_BYTES = 30 * 1024 * 1024
_EOF_WINDOW = 1024  # readers look for %%EOF in the last kilobyte, as Acrobat does

WORKER = Path(__file__).with_name("pdf_worker.py")
# A 100-page deck of exported slides takes well under a second; the limits leave room
# for a busy machine and refuse what would take longer.
CHECK_CPU_SECONDS = 4
CHECK_TIMEOUT_SECONDS = 4.5
# In a background job nobody waits on the wall clock: RLIMIT_CPU and RLIMIT_AS stay the
# bounds, and a busy machine (a worker beside app servers) does not refuse a good deck
# for having waited its turn for a core.
JOB_CHECK_TIMEOUT_SECONDS = 30
CHECK_MEMORY_BYTES = 512 * 1024 * 1024  # address space: a normal deck needs under 100 MB

# The last few verdicts (a cover, or why the file was refused), by the file's digest: the
# save that follows a form's check in the same request renders the cover, and a second
# process would double the time an upload takes.
_verdicts = OrderedDict()
_verdicts_lock = threading.Lock()
_VERDICTS_KEPT = 8


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


def _too_costly():
    return SlidesError(
        "This PDF takes too long or too much memory to check (the limit is %(seconds)s "
        "seconds). Simplify the heaviest slides or export the deck again, and upload that.",
        params={"seconds": CHECK_CPU_SECONDS},
        code="too_complex",
    )


def _run_worker(data, timeout=None):
    """Check ``data`` (and render its cover) in a bounded child process; PNG bytes back."""
    command = [
        sys.executable,
        "-I",  # no environment, no user site, no current directory: only the worker's code
        str(WORKER),
        str(CHECK_CPU_SECONDS),
        str(CHECK_MEMORY_BYTES),
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - a fixed command; the PDF goes to stdin
            command,
            input=data,
            capture_output=True,
            timeout=timeout or CHECK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed and reaped the child
        raise _too_costly() from None
    except OSError as error:  # no process could be started: a retry may work
        logger.error("The slides checker could not start: %s", error)
        raise SlidesError(
            "The slides could not be checked just now. Try again in a minute.",
            code="unavailable",
        ) from None
    if finished.returncode != 0:
        # Killed by RLIMIT_CPU (SIGXCPU/SIGKILL) or out of address space inside PDFium.
        logger.warning(
            "The slides checker ended with %s: %s",
            finished.returncode,
            finished.stderr[-2000:].decode(errors="replace"),
        )
        raise _too_costly()
    try:
        result = json.loads(finished.stdout)
    except ValueError:
        raise _too_costly() from None
    refused = result.get("refused")
    if refused:
        raise SlidesError(
            refused["message"], params=refused["params"] or None, code=refused["code"]
        )
    return base64.b64decode(result["cover"])


def _remember(key, verdict):
    with _verdicts_lock:
        _verdicts[key] = verdict
        while len(_verdicts) > _VERDICTS_KEPT:
            _verdicts.popitem(last=False)


def _verdict(data, timeout=None):
    """The checker's verdict on ``data`` as it is remembered: the cover's PNG bytes, or
    ``(message, code, params)`` of a refusal for what the file holds. Running out of time
    or memory, or no process starting, may end otherwise next time: raised, not returned."""
    try:
        return _run_worker(data, timeout)
    except SlidesError as error:
        if error.code in ("too_complex", "unavailable"):
            raise
        return (error.message, error.code, error.params)


def _checked_cover(data, timeout=None):
    """The cover of ``data`` once it has passed every check; ``SlidesError`` otherwise."""
    _check_structure(data)
    key = sha256(data).digest()
    with _verdicts_lock:
        verdict = _verdicts.get(key)
    if verdict is None:
        verdict = _verdict(data, timeout)
        _remember(key, verdict)
    if isinstance(verdict, tuple):
        message, code, params = verdict
        raise SlidesError(message, code=code, params=params)
    return verdict


def check_upload(uploaded, max_bytes=None):
    """The request's share of the checks: size, header and end marker (no parsing)."""
    _check_structure(_read_upload(uploaded, max_bytes or MAX_SLIDES_BYTES))


def checked_cover(data, timeout=None):
    """PNG bytes of page 1 of the PDF ``data`` once it passed every check (in the bounded
    child process); ``SlidesError`` with the reason otherwise."""
    return _checked_cover(data, timeout)


def validate_slides(uploaded, max_bytes=None):
    """Raise ``ValidationError`` unless ``uploaded`` is a readable, unencrypted, sane PDF
    without active content."""
    _checked_cover(_read_upload(uploaded, max_bytes or MAX_SLIDES_BYTES))


def render_cover(data):
    """Render page 1 of the PDF bytes ``data`` as a PNG ``ContentFile`` with a random name.

    Returns ``None`` (and logs why) when the PDF cannot be rendered; uploads were checked
    by :func:`validate_slides`, so this only happens with files stored some other way.
    """
    try:
        png = _checked_cover(data)
    except ValidationError as error:
        logger.warning("No cover rendered from the slides: %s", error)
        return None
    return ContentFile(png, name=f"{uuid.uuid4().hex}.png")


def pdf_from_images(images, resolution=72.0):
    """A multi-page PDF (bytes) with one image per page; used for demo slides.

    Without the creation and modification dates Pillow would stamp (the current second):
    the same images make the same file, on every run of ``manage.py demo``, and the
    checker's verdict for it is the same file's."""
    out = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]
    first.save(
        out,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=resolution,
        creationDate=None,
        modDate=None,
    )
    return out.getvalue()
