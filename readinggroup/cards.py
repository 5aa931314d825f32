"""A session's card (``readinggroup/_session_card.html``) on the reading-group list and
tag pages, kept per session as the paper cards are (``papers.cards.Cards``)."""

from papers.cards import Cards, follow_names

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


def render_cards(request, sessions):
    """The HTML of each session's card, in order (``sessions`` from ``for_cards()``)."""
    return SESSION_CARDS.render(request, sessions)


def _presenter_renamed(presenter, using):
    SESSION_CARDS.forget(presenter.presentations.values_list("pk", flat=True), using)


def connect():
    """Connect the receivers (``readinggroup.apps``): a session's tags and presenters, a
    presenter's name."""
    from readinggroup.models import Presentation, Presenter, TaggedPresentation

    SESSION_CARDS.follow_links(TaggedPresentation, "content_object_id")
    SESSION_CARDS.follow_links(Presentation.presenters.through, "presentation_id")
    follow_names(Presenter, ("name",), drop=_presenter_renamed)
