"""Keep sessions' search documents and wiki-links current when what they show changes."""

from papers.content.reindex import reindex_later
from readinggroup.models import Presentation


def reindex_sessions_of_presenter(sender, instance, created=False, **kwargs):
    """A renamed presenter changes the search documents of their sessions."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    if not created:
        reindex_later(Presentation, "presenters", instance.pk, f"sessions of {instance.name}")
