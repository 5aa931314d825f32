"""A session's card (``readinggroup/_session_card.html``) on the reading-group list and
tag pages, kept per session as the paper cards are (``papers.cards.Cards``)."""

from papers.cards import Cards

# What the slides job writes with a queryset update, without a save (readinggroup/slides.py).
WRITTEN_WITHOUT_SAVE = (
    "slides",
    "slides_state",
    "cover",
    "cover_webp",
    "cover_width",
    "cover_height",
)


def _stamp(session, request=None):
    return (
        session.updated_at.isoformat(),
        *(str(getattr(session, name)) for name in WRITTEN_WITHOUT_SAVE),
    )


# The API's session rows (``readinggroup/api.py``), dropped with the cards, and the
# columns their stamp reads: the row's, the paper's (a save of the paper: its title,
# address, alias, year, status) and what the slides job writes without a save.
SESSION_ROWS = "session"
SESSION_ROW_STAMP = ("updated_at", "paper_id", "paper__updated_at", *WRITTEN_WITHOUT_SAVE)

SESSION_CARDS = Cards(
    "session",
    "readinggroup/_session_card.html",
    prefetches=lambda: ("presenters", "tags"),
    context_name="session",
    stamp=_stamp,
    rows=SESSION_ROWS,
)


def connect():
    """Connect the receivers (``readinggroup.apps``): a session's tags and presenters, a
    presenter's name."""
    from readinggroup.models import Presentation, Presenter, TaggedPresentation

    SESSION_CARDS.follow_links(TaggedPresentation, "content_object_id")
    SESSION_CARDS.follow_links(Presentation.presenters.through, "presentation_id")
    SESSION_CARDS.follow_names(Presenter, ("name",), lambda presenter: presenter.presentations)
