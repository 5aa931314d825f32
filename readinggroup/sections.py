"""The "Reading group" section on a paper's page (registered in ``apps.py``)."""

from readinggroup.models import Presentation


def paper_sessions(paper):
    """The published sessions about ``paper``, or ``None``; one query."""
    sessions = list(
        Presentation.objects.published()
        .filter(paper=paper)
        .newest_first()
        # slides_state: the template asks whether the slides are public (``slides_public``);
        # deferred, it was one query per session.
        .only(
            "number", "title", "scheduled_at", "ends_at", "slides", "slides_state", "recording_url"
        )
    )
    if not sessions:
        return None
    return "readinggroup/_paper_sessions.html", {"sessions": sessions}


def sessions_mentioning_paper(paper):
    """Published sessions whose summary wiki-links ``paper`` (one query), as backlinks."""
    from papers.sections import Backlink

    sessions = (
        Presentation.objects.published()
        .filter(mentions=paper)
        .newest_first()
        .only("number", "title", "scheduled_at")
    )
    return [
        Backlink(s.get_absolute_url(), s.title, f"Session {s.number}", s.scheduled_at)
        for s in sessions
    ]
