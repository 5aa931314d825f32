"""Recording links: YouTube and Vimeo videos are embedded, anything else is a plain link.

Every form YouTube and Vimeo hand out (``watch?v=``, ``youtu.be/``, ``/embed/``,
``/live/``, ``/shorts/``, with ``t=``/``start=`` timestamps; ``vimeo.com/<id>``,
unlisted ``/<id>/<hash>``, ``player.vimeo.com/video/<id>``) is reduced to the video id
and stored as one canonical URL. The page builds the player URL from the id alone,
so nothing the editor typed ever reaches an ``<iframe src>``.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 500

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
YOUTU_BE_HOSTS = {"youtu.be", "www.youtu.be"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com"}
VIMEO_PLAYER_HOSTS = {"player.vimeo.com"}
VIDEO_HOSTS = YOUTUBE_HOSTS | YOUTU_BE_HOSTS | VIMEO_HOSTS | VIMEO_PLAYER_HOSTS

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH_PREFIXES = ("embed", "live", "shorts", "v", "e")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,32}")
_TIMESTAMP = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?")
# Paths that mean "a video player" on a host we do not embed from.
_PLAYER_PATH = re.compile(r"(^|/)(embed|player|watch)(/|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Recording:
    """A parsed recording link: ``provider`` is "youtube", "vimeo" or "link"."""

    provider: str
    url: str
    video_id: str = ""
    start: int = 0
    vimeo_hash: str = ""

    @property
    def is_embeddable(self):
        return self.provider in ("youtube", "vimeo")

    @property
    def embed_url(self):
        """The player URL (privacy-enhanced YouTube, Vimeo without tracking)."""
        if self.provider == "youtube":
            query = {"rel": "0"}
            if self.start:
                query["start"] = str(self.start)
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?{urlencode(query)}"
        if self.provider == "vimeo":
            query = {"dnt": "1"}
            if self.vimeo_hash:
                query["h"] = self.vimeo_hash
            fragment = f"#t={self.start}s" if self.start else ""
            return f"https://player.vimeo.com/video/{self.video_id}?{urlencode(query)}{fragment}"
        return ""

    @property
    def label(self):
        return {"youtube": "YouTube", "vimeo": "Vimeo"}.get(self.provider, self.host)

    @property
    def host(self):
        return urlsplit(self.url).hostname or ""


def _error(message, code="recording", **params):
    return ValidationError(message, code=code, params=params or None)


def _parse_timestamp(value):
    """Seconds from ``90``, ``90s``, ``1m30s`` or ``1h2m3s``; ``None`` when unreadable."""
    value = value.strip().lower()
    match = _TIMESTAMP.fullmatch(value)
    if not value or not match:
        return None
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _start_from(query, fragment):
    candidates = [*query.get("t", []), *query.get("start", [])]
    if fragment.startswith("t="):
        candidates.append(fragment[2:])
    for candidate in candidates:
        seconds = _parse_timestamp(candidate)
        if seconds is None:
            raise _error(
                "The timestamp “%(value)s” is not understood; use seconds (90) or 1m30s.",
                value=candidate[:20],
            )
        return seconds
    return 0


def _youtube(split, host):
    segments = [segment for segment in split.path.split("/") if segment]
    query = parse_qs(split.query)
    if host in YOUTU_BE_HOSTS:
        video_id = segments[0] if len(segments) == 1 else None
    elif segments == ["watch"]:
        values = query.get("v", [])
        video_id = values[0] if len(values) == 1 else None
    elif len(segments) == 2 and segments[0] in _YOUTUBE_PATH_PREFIXES:
        video_id = segments[1]
    else:
        video_id = None
    if video_id is None:
        raise _error(
            "This YouTube address does not point to one video. Use the video's "
            "“Share” link (youtu.be/…) or its watch?v=… address."
        )
    if not _YOUTUBE_ID.fullmatch(video_id):
        raise _error(
            "“%(id)s” is not a YouTube video id: those are exactly 11 letters, digits, “-” or “_”.",
            id=video_id[:40],
        )
    start = _start_from(query, split.fragment)
    url = f"https://www.youtube.com/watch?v={video_id}" + (f"&t={start}s" if start else "")
    return Recording("youtube", url, video_id=video_id, start=start)


def _vimeo(split, host):
    segments = [segment for segment in split.path.split("/") if segment]
    query = parse_qs(split.query)
    video_id = vimeo_hash = None
    if host in VIMEO_PLAYER_HOSTS:
        if len(segments) == 2 and segments[0] == "video":
            video_id = segments[1]
            vimeo_hash = (query.get("h") or [""])[0]
    elif len(segments) in (1, 2) and _VIMEO_ID.fullmatch(segments[0]):
        # vimeo.com/<id> or an unlisted vimeo.com/<id>/<hash>
        video_id = segments[0]
        vimeo_hash = segments[1] if len(segments) == 2 else ""
    elif len(segments) >= 3 and segments[0] in ("channels", "groups", "showcase", "album"):
        video_id = segments[-1]
        vimeo_hash = ""
    if video_id is None or not _VIMEO_ID.fullmatch(video_id):
        raise _error("This Vimeo address does not point to one video: use vimeo.com/<number>.")
    if vimeo_hash and not _VIMEO_HASH.fullmatch(vimeo_hash):
        raise _error("The private part of this Vimeo link is not valid.")
    start = _start_from(query, split.fragment)
    url = f"https://vimeo.com/{video_id}" + (f"/{vimeo_hash}" if vimeo_hash else "")
    if start:
        url += f"#t={start}s"
    return Recording("vimeo", url, video_id=video_id, start=start, vimeo_hash=vimeo_hash)


def parse_recording_url(value):
    """Return the :class:`Recording` for ``value`` or raise ``ValidationError``."""
    value = (value or "").strip()
    if len(value) > MAX_URL_LENGTH:
        raise _error("Links may be at most %(max)d characters long.", max=MAX_URL_LENGTH)
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise _error("A link cannot contain spaces or control characters.")
    if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}(/|$)", value, re.IGNORECASE):
        value = "https://" + value  # "youtu.be/…" typed without a scheme
    try:
        split = urlsplit(value)
        host = (split.hostname or "").lower()
        port = split.port
    except ValueError:
        raise _error("This is not a valid link.") from None
    scheme = split.scheme.lower()
    if scheme not in ("http", "https"):
        raise _error(
            "Only https:// links are accepted (this one starts with “%(scheme)s:”).",
            scheme=scheme[:20] or value[:20],
        )
    if split.username is not None or split.password is not None:
        raise _error("A link cannot contain a user name or password (the part before “@”).")
    if host in VIDEO_HOSTS:
        if port not in (None, 80, 443):
            raise _error("YouTube and Vimeo links have no port number.")
        if host in YOUTUBE_HOSTS or host in YOUTU_BE_HOSTS:
            return _youtube(split, host)
        return _vimeo(split, host)
    if scheme != "https":
        raise _error("Links other than YouTube and Vimeo must use https:// (this one is http://).")
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise _error("This is not a valid link.") from None
    if _PLAYER_PATH.search(split.path) or "v" in parse_qs(split.query):
        # A player address on another host would be shown as a bare link to a player page;
        # it is most likely a mistake (or a lookalike) rather than the recording's page.
        raise _error(
            "This looks like a video player on %(host)s, but only YouTube and Vimeo videos are "
            "embedded. Give the address of the page that shows the recording instead.",
            host=host[:100],
        )
    return Recording("link", value)


def validate_recording_url(value):
    """Model/form validator for :func:`parse_recording_url`."""
    if value:
        parse_recording_url(value)


def normalize_recording_url(value):
    """The canonical form of a valid recording link ("" for none)."""
    return parse_recording_url(value).url if value and value.strip() else ""
