"""What search engines read about a session: a schema.org ``Event`` (with the
``VideoObject`` of its recording), with the properties Google's event and video
documentation asks for."""

from papers.metadata import site_organization, text_description
from papers.site.addresses import absolute_url

SCHEMA = "https://schema.org/"
# What editors type as the "location" of a session held only on a call: not a place.
ONLINE_WORDS = {"online", "virtual", "remote", "video call"}


def _where(presentation, url):
    """``location`` and ``eventAttendanceMode``: a room, a call, or both."""
    typed = presentation.location.strip()
    place = "" if typed.casefold() in ONLINE_WORDS else typed
    online = bool(presentation.meeting_url) or bool(typed) and not place
    locations = []
    if place:
        # Google wants an address: the room or address typed is the one there is.
        locations.append({"@type": "Place", "name": place, "address": place})
    if online:
        # The call's link as the page shows it, only while the session is to come; after
        # it, where the session can still be followed: its recording, or its page.
        if presentation.meeting_url and presentation.is_upcoming:
            joined = presentation.meeting_url
        else:
            joined = presentation.recording.url if presentation.recording else url
        locations.append({"@type": "VirtualLocation", "url": joined})
    if not locations:
        return {}
    mode = "Mixed" if place and online else "Online" if online else "Offline"
    return {
        "location": locations[0] if len(locations) == 1 else locations,
        "eventAttendanceMode": f"{SCHEMA}{mode}EventAttendanceMode",
    }


def _person(presenter):
    person = {"@type": "Person", "name": presenter.name}
    if presenter.url:
        person["url"] = presenter.url
    return person


def recording_video(presentation, name, description):
    """The ``VideoObject`` of the session's recording, or ``None`` without one.

    ``uploadDate`` is the end of the session (a recording exists from then on; the site is
    not told when it was uploaded). The thumbnail is YouTube's own still, else the
    session's cover (page 1 of the slides).
    """
    recording = presentation.recording
    if recording is None:
        return None
    video = {
        "@type": "VideoObject",
        "name": f"Recording: {name}",
        "description": description,
        "uploadDate": presentation.ends_at.isoformat(),
        "duration": f"PT{presentation.duration_minutes}M",
        "url": recording.url,
    }
    if recording.is_embeddable:
        video["embedUrl"] = recording.embed_url
    thumbnails = []
    if recording.provider == "youtube":
        thumbnails.append(f"https://i.ytimg.com/vi/{recording.video_id}/hqdefault.jpg")
    if presentation.cover:
        thumbnails.append(absolute_url(presentation.cover.url))
    if thumbnails:
        video["thumbnailUrl"] = thumbnails
    return video


def event_jsonld(presentation, paper=None):
    """schema.org ``Event`` of a session page: when, where (a room, a call or both), who
    presents (performer), who organises (the site), and its recording."""
    url = absolute_url(presentation.get_absolute_url())
    name = f"Session {presentation.number}: {presentation.title}"
    description = text_description(presentation.summary_html) or name
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": name,
        "description": description,
        "startDate": presentation.scheduled_at.isoformat(),
        "endDate": presentation.ends_at.isoformat(),
        "eventStatus": SCHEMA + ("EventCancelled" if presentation.cancelled else "EventScheduled"),
        "organizer": site_organization(),
    }
    data.update(_where(presentation, url))
    performers = [
        {
            "@type": "Person",
            "name": presenter.name,
            **({"url": presenter.url} if presenter.url else {}),
        }
        for presenter in presentation.presenters.all()
    ]
    if performers:
        data["performer"] = performers
    if presentation.cover:
        data["image"] = [absolute_url(presentation.cover.url)]
    if paper is not None:
        data["about"] = {
            "@type": "ScholarlyArticle",
            "name": paper.title,
            "url": absolute_url(paper.get_absolute_url()),
        }
    video = recording_video(presentation, name, description)
    if video is not None:
        data["recordedIn"] = video
    return data
