"""Slides that could act on a visitor's machine are refused, by what a PDF parser reads
(hex-escaped names, object streams and compressed cross-reference tables included), and
a PDF built to be slow to check is refused or accepted within seconds, never a 500.
"""

import time
from collections import OrderedDict

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

import readinggroup.pdf
from papers.jobs.models import Job
from readinggroup.models import Presentation
from readinggroup.pdf import SlidesError, render_cover, validate_slides
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.pdfs import (
    _stream,
    deflated_repeats,
    inflating_stream_pdf,
    pdf_bytes,
    shared_stream_pdf,
    slide_pdf,
)
from tests.readinggroup.test_slides import _files_in, _form_data, upload_then_check

pytestmark = pytest.mark.django_db

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>"
ANNOT = b"<< /Type /Annot /Rect [0 0 100 100] /Subtype "

HOSTILE = {
    "javascript in the names tree": (
        {
            "catalog": b"/Names << /JavaScript << /Names [(init) 6 0 R] >> >>",
            "extra": [JS_ACTION],
        },
        "JavaScript",
    ),
    "open action running javascript": (
        {"catalog": b"/OpenAction 6 0 R", "extra": [JS_ACTION]},
        ("JavaScript", "/OpenAction"),
    ),
    "open action that is an action": (
        {"catalog": b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"},
        "an action that runs when it opens (/OpenAction)",
    ),
    "page additional actions": (
        {"page": b"/AA << /O << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"},
        "actions that run on their own (/AA)",
    ),
    "launch action on a link": (
        {
            "page": b"/Annots [6 0 R]",
            "extra": [ANNOT + b"/Link /A << /S /Launch /F (C:\\\\Windows\\\\calc.exe) >> >>"],
        },
        "(/Launch)",
    ),
    "javascript: link": (
        {
            "page": b"/Annots [6 0 R]",
            "extra": [ANNOT + b"/Link /A << /S /URI /URI ( JavaScript:alert\\(1\\)) >> >>"],
        },
        "a link that is not a web or mail address (javascript:)",
    ),
    "embedded file in the names tree": (
        {
            "catalog": b"/Names << /EmbeddedFiles << /Names [(notes.txt) 6 0 R] >> >>",
            "extra": [
                b"<< /Type /Filespec /F (notes.txt) /EF << /F 7 0 R >> >>",
                _stream(b"/Type /EmbeddedFile", b"<script>alert(1)</script>"),
            ],
        },
        "embedded files",
    ),
    "file attachment annotation": (
        {
            "page": b"/Annots [6 0 R]",
            "extra": [ANNOT + b"/FileAttachment /FS 7 0 R >>", b"<< /Type /Filespec /F (a) >>"],
        },
        "embedded files",
    ),
    "rich media annotation": (
        {"page": b"/Annots [6 0 R]", "extra": [ANNOT + b"/RichMedia >>"]},
        "rich media",
    ),
    "xfa form": (
        {
            "catalog": b"/AcroForm << /Fields [] /XFA 6 0 R >>",
            "extra": [_stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")],
        },
        "XFA",
    ),
    # Obfuscated: names spelt with #hex escapes, which every reader decodes.
    "hex-escaped javascript names": (
        {
            "catalog": b"/Names << /J#61vaScript << /N#61mes [(init) 6 0 R] >> >>",
            "extra": [b"<< /S /J#61v#61Script /J#53 (app.alert\\(1\\)) >>"],
        },
        "JavaScript",
    ),
    "hex-escaped open action": (
        {"catalog": b"/O#70en#41ction << /S /GoTo /D [3 0 R /Fit] >>"},
        "(/OpenAction)",
    ),
    "hex-escaped launch": (
        {
            "page": b"/Annots [6 0 R]",
            "extra": [ANNOT + b"/Link /A << /S /L#61unch /F (calc.exe) >> >>"],
        },
        "(/Launch)",
    ),
    "javascript as a compressed stream": (
        {
            "catalog": b"/OpenAction << /Type /Action /S /JavaScript /JS 6 0 R >>",
            "extra": [_stream(b"/Filter /FlateDecode", __import__("zlib").compress(b"app.x()"))],
        },
        ("JavaScript", "/OpenAction"),
    ),
}
# The same files once more with every dictionary in a compressed object stream and a
# compressed cross-reference stream: the payload's names appear nowhere in the bytes.
for _name, (_spec, _reason) in list(HOSTILE.items()):
    HOSTILE[f"{_name}, in an object stream"] = ({**_spec, "compressed": True}, _reason)


def _hostile(name):
    spec, reason = HOSTILE[name]
    return slide_pdf(**spec), (reason,) if isinstance(reason, str) else reason


@pytest.mark.parametrize("name", list(HOSTILE))
def test_active_content_is_refused_naming_the_reason(name):
    data, reasons = _hostile(name)
    if "object stream" in name:
        assert b"/JS " not in data and b"Launch" not in data and b"/OpenAction" not in data
    with pytest.raises(SlidesError) as caught:
        validate_slides(ContentFile(data, name="slides.pdf"))
    [message] = caught.value.messages
    assert message.startswith("This PDF contains "), message
    assert any(reason in message for reason in reasons), message
    assert render_cover(data) is None


def test_only_active_content_is_refused_not_links_or_an_initial_view():
    """LaTeX (beamer) opens at page 1 fitted to the window: a destination, not an action;
    links to web pages are what slides are for."""
    destination = b"/OpenAction [3 0 R /Fit]"
    link = ANNOT + b"/Link /A << /S /URI /URI (https://arxiv.org/abs/1706.03762) >> >>"
    for compressed in (False, True):
        safe = slide_pdf(catalog=destination, page=b"/Annots [6 0 R]", extra=[link])
        validate_slides(ContentFile(safe, name="slides.pdf"))
        assert render_cover(safe) is not None
        action = b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"
        hostile = slide_pdf(catalog=action, compressed=compressed)
        with pytest.raises(SlidesError, match="OpenAction"):
            validate_slides(ContentFile(hostile, name="slides.pdf"))


def test_admin_upload_with_javascript_is_refused_by_its_check_and_never_served(
    admin_client, client, _media_root
):
    data = _hostile("hex-escaped javascript names, in an object stream")[0]
    upload = SimpleUploadedFile("deck.pdf", data, content_type="application/pdf")
    response = admin_client.post(
        reverse("admin:readinggroup_presentation_add"), _form_data(slides=upload)
    )
    assert response.status_code == 302
    presentation = Presentation.objects.get()
    # Stored, but not served while it waits for its check (the session is published).
    assert client.get(reverse("readinggroup:slides", args=[presentation.number])).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        [job] = run_queued_jobs("readinggroup.slides")
    assert job.state == Job.State.FAILED
    assert "This PDF contains JavaScript" in job.message
    presentation.refresh_from_db()
    assert presentation.slides_message.startswith("This PDF contains JavaScript")
    assert client.get(reverse("readinggroup:slides", args=[presentation.number])).status_code == 404
    assert _files_in(_media_root) == []


@pytest.fixture(scope="module")
def shared_stream():
    """The attack from the issue: 100 pages sharing one heavy content stream, ~475 KB."""
    data = shared_stream_pdf()
    assert 400_000 < len(data) < 550_000
    return data


def test_shared_heavy_stream_pdf_is_refused_by_its_check(admin_client, _media_root, shared_stream):
    _, job = upload_then_check(admin_client, shared_stream)
    assert job.state == Job.State.FAILED
    assert "drawing operations" in job.message or "too long" in job.message
    assert _files_in(_media_root) == []


def test_shared_stream_without_painting_is_checked_or_refused_with_a_reason(
    admin_client, _media_root
):
    """Paths that are never painted make no page objects to count: the first page still
    parses in about a second, and the other 99 are not parsed at all."""
    _, job = upload_then_check(admin_client, shared_stream_pdf(paint=b"n"))
    presentation = Presentation.objects.get()
    if job.state == Job.State.DONE:
        assert presentation.cover and presentation.slides_public  # accepted, with its cover
    else:
        assert job.state == Job.State.FAILED and presentation.slides_message


def test_pdf_beyond_the_cpu_and_memory_limits_is_refused_by_its_check(admin_client, _media_root):
    # 600 MB of page content: more than the checker's address space, whatever the speed of
    # the machine (200 MB sits near the CPU limit, so a fast machine could finish it).
    _, job = upload_then_check(admin_client, inflating_stream_pdf(decoded=600_000_000))
    assert job.state == Job.State.FAILED
    assert "too long or too much memory" in job.message
    assert _files_in(_media_root) == []


def test_wall_clock_timeout_kills_a_stuck_check(monkeypatch):
    monkeypatch.setattr(readinggroup.pdf, "CHECK_TIMEOUT_SECONDS", 0.01)
    monkeypatch.setattr(readinggroup.pdf, "_verdicts", OrderedDict())  # no earlier verdict
    started = time.monotonic()
    with pytest.raises(SlidesError) as caught:
        validate_slides(ContentFile(pdf_bytes(1), name="slides.pdf"))
    assert time.monotonic() - started < 2
    assert "too long or too much memory" in caught.value.messages[0]


def test_checking_holds_no_lock_and_never_loads_pdfium_in_the_web_process():
    assert not hasattr(readinggroup.pdf, "_lock")
    validate_slides(ContentFile(pdf_bytes(2), name="slides.pdf"))
    # The web process delegates every PDF parse to the bounded child process.
    assert "pypdfium2" not in readinggroup.pdf.__dict__


def test_the_checkers_own_limits_stop_a_heavy_pdf_before_the_wall_clock_does(monkeypatch, caplog):
    # 600 MB of operators is past both RLIMIT_CPU (1 s here) and RLIMIT_AS (512 MB) on any
    # machine; which one ends the child first depends on the machine (a 60 MB deck used to
    # finish inside 1 s of CPU on a fast run), so the test names both.
    monkeypatch.setattr(readinggroup.pdf, "CHECK_CPU_SECONDS", 1)
    monkeypatch.setattr(readinggroup.pdf, "CHECK_TIMEOUT_SECONDS", 120)
    started = time.monotonic()
    with pytest.raises(SlidesError) as caught:
        validate_slides(ContentFile(inflating_stream_pdf(decoded=600_000_000), name="s.pdf"))
    assert time.monotonic() - started < 60  # ended by its limits, not by the 120 s timeout
    assert "The slides checker ended with " in caplog.text  # not a verdict: it was stopped
    assert "too long or too much memory" in caught.value.messages[0]


def test_a_repeated_blocks_stream_inflates_to_the_blocks_with_their_checksum():
    """The inflating stream and the image bomb copy one compressed block
    (tests/readinggroup/pdfs.py): what they inflate to must be the data they name, with the
    zlib checksum of all of it (``zlib.decompress`` checks it)."""
    import zlib

    block = b"0 0 m 1 1 l n\n" * 1000
    assert zlib.decompress(deflated_repeats(block, 50)) == block * 50
    assert zlib.decompressobj().decompress(deflated_repeats(block, 1)) == block
