"""Recording links: every YouTube/Vimeo form is reduced to its id, anything else refused
unless it is a plain https link."""

import pytest
from django.core.exceptions import ValidationError

from readinggroup.recordings import normalize_recording_url, parse_recording_url

VIDEO_ID = "caP30Kq-_ME"


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (f"https://www.youtube.com/watch?v={VIDEO_ID}", 0),
        (f"http://youtube.com/watch?v={VIDEO_ID}&feature=share", 0),
        (f"https://m.youtube.com/watch?v={VIDEO_ID}&t=90", 90),
        (f"https://www.youtube.com/watch?v={VIDEO_ID}&t=1m30s", 90),
        (f"https://www.youtube.com/watch?v={VIDEO_ID}#t=1h2m3s", 3723),
        (f"https://youtu.be/{VIDEO_ID}", 0),
        (f"https://youtu.be/{VIDEO_ID}?si=abcdEF12&t=42", 42),
        (f"https://www.youtube.com/embed/{VIDEO_ID}?start=15", 15),
        (f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}", 0),
        (f"https://www.youtube.com/live/{VIDEO_ID}?si=x", 0),
        (f"https://www.youtube.com/live/{VIDEO_ID}?t=600s", 600),
        (f"https://www.youtube.com/shorts/{VIDEO_ID}", 0),
        (f"  https://WWW.YOUTUBE.COM/watch?v={VIDEO_ID}  ", 0),
        (f"youtu.be/{VIDEO_ID}", 0),
        (f"www.youtube.com/watch?v={VIDEO_ID}&t=5", 5),
    ],
)
def test_youtube_forms_are_reduced_to_the_video_id(url, start):
    recording = parse_recording_url(url)
    assert recording.provider == "youtube"
    assert recording.video_id == VIDEO_ID
    assert recording.start == start
    assert recording.is_embeddable
    assert recording.embed_url.startswith(f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}?")
    expected = f"https://www.youtube.com/watch?v={VIDEO_ID}" + (f"&t={start}s" if start else "")
    assert recording.url == expected
    assert normalize_recording_url(url) == expected
    # The canonical link parses to the same recording: normalising is idempotent.
    assert parse_recording_url(recording.url) == recording


@pytest.mark.parametrize(
    ("url", "video_id", "secret", "start"),
    [
        ("https://vimeo.com/76979871", "76979871", "", 0),
        ("https://vimeo.com/76979871#t=95s", "76979871", "", 95),
        ("https://vimeo.com/76979871/1a2b3c4d5e", "76979871", "1a2b3c4d5e", 0),
        ("https://player.vimeo.com/video/76979871?h=1a2b3c4d5e", "76979871", "1a2b3c4d5e", 0),
        ("https://vimeo.com/channels/staffpicks/76979871", "76979871", "", 0),
    ],
)
def test_vimeo_forms_are_reduced_to_the_video_id(url, video_id, secret, start):
    recording = parse_recording_url(url)
    assert (recording.provider, recording.video_id, recording.vimeo_hash, recording.start) == (
        "vimeo",
        video_id,
        secret,
        start,
    )
    assert recording.embed_url.startswith(f"https://player.vimeo.com/video/{video_id}?dnt=1")
    assert parse_recording_url(recording.url) == recording


def test_other_https_links_are_plain_links():
    recording = parse_recording_url("https://media.example.org/talks/reading-group-3")
    assert recording.provider == "link"
    assert not recording.is_embeddable
    assert recording.embed_url == ""
    assert recording.url == "https://media.example.org/talks/reading-group-3"
    assert recording.host == "media.example.org"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Only https://"),
        ("JaVaScRiPt:alert(1)", "Only https://"),
        ("data:text/html,<script>alert(1)</script>", "Only https://"),
        ("vbscript:msgbox(1)", "Only https://"),
        ("ftp://example.org/video.mp4", "Only https://"),
        ("//www.youtube.com/watch?v=caP30Kq-_ME", "Only https://"),
        ("http://example.org/talk", "must use https"),
        ("http://evil.example/embed/x", "must use https"),
        ("https://evil.example/embed/x", "video player on evil.example"),
        ("https://youtube.com.evil.example/watch?v=caP30Kq-_ME", "video player"),
        ("https://www.youtube.com/watch?v=caP30Kq-_M", "not a YouTube video id"),
        ("https://www.youtube.com/watch?v=caP30Kq-_MEX", "not a YouTube video id"),
        ("https://youtu.be/abc", "not a YouTube video id"),
        ("https://www.youtube.com/embed/<script>xx", "not a YouTube video id"),
        ("https://www.youtube.com/watch", "does not point to one video"),
        ("https://www.youtube.com/@somechannel", "does not point to one video"),
        ("https://www.youtube.com/watch?v=caP30Kq-_ME&t=soon", "timestamp"),
        ("https://user:pw@www.youtube.com/watch?v=caP30Kq-_ME", "user name or password"),
        ("https://www.youtube.com@evil.example/watch?v=caP30Kq-_ME", "user name or password"),
        ("https://www.youtube.com:8443/watch?v=caP30Kq-_ME", "no port"),
        ("https://vimeo.com/channels/staffpicks", "Vimeo address"),
        ("https://vimeo.com/76979871/NOT-HEX", "private part"),
        ("https://www.youtube.com/watch?v=caP30Kq-_ME\n<script>", "spaces or control"),
        ("https://exa mple.org/", "spaces or control"),
        ("https://example.org/\x00", "spaces or control"),
        ("https://" + "a" * 600 + ".org/", "at most 500"),
        ("https://[::1/", "not a valid link"),
        ("https://not a host/", "spaces or control"),
    ],
)
def test_bad_links_are_refused_with_a_reason(url, message):
    with pytest.raises(ValidationError) as caught:
        parse_recording_url(url)
    assert message in caught.value.messages[0]
