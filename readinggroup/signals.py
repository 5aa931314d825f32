"""Keep sessions' search documents and wiki-links current when what they show changes."""

from django.db.models import Q

from papers.refresh import reindex_later
from papers.wikilinks import naming_texts
from readinggroup.models import Presentation


def reindex_sessions_of_presenter(sender, instance, created=False, **kwargs):
    """A renamed presenter changes the search documents of their sessions."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    if not created:
        reindex_later(Presentation, "presenters", instance.pk, f"sessions of {instance.name}")


def refresh_sessions_naming(sender, papers, names, **kwargs):
    """Papers' alias, ids, title or status changed: re-render the summaries that may link them."""
    candidates = Q(mentions__in=papers)
    naming = naming_texts("summary", names)
    if naming is not None:
        candidates |= naming
    for session in Presentation.objects.filter(candidates).distinct():
        session.refresh_wikilinks()
    for session in Presentation.objects.filter(paper__in=papers):
        session.update_search_index()
