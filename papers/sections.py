"""Extra sections on a paper's page, contributed by the apps that build on papers.

``papers`` imports nothing from ``blog`` or ``readinggroup``; those apps register a
function here in their ``AppConfig.ready()`` that returns ``(template_name, context)``
for a paper, or ``None`` when they have nothing to show.

Backlinks ("mentioned in") work the same way: an app registers
``provider(paper) -> list of Backlink`` for its published texts whose wiki-links name the
paper, and the page shows them all in one "Mentioned in" section, newest first.
"""

from dataclasses import dataclass
from datetime import datetime

_providers = []
_backlink_providers = []


@dataclass
class Backlink:
    url: str
    title: str
    label: str  # "Paper report 3", "Session 12"
    date: datetime | None


def register(provider):
    """Add ``provider(paper) -> (template_name, context) | None``; usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_backlinks(provider):
    """Add ``provider(paper) -> list[Backlink]`` (one query per provider, please)."""
    if provider not in _backlink_providers:
        _backlink_providers.append(provider)
    return provider


def backlinks_for(paper):
    """Every published text that links ``paper`` with a wiki-link, newest first."""
    links = [link for provider in _backlink_providers for link in provider(paper)]
    return sorted(links, key=lambda link: (link.date is not None, link.date), reverse=True)


def sections_for(paper):
    """The sections to render on ``paper``'s page, in registration order, backlinks last."""
    sections = [section for provider in _providers if (section := provider(paper))]
    backlinks = backlinks_for(paper)
    if backlinks:
        sections.append(("papers/_mentioned_in.html", {"backlinks": backlinks}))
    return sections


def papers_mentioning_paper(paper):
    """Published papers whose notes wiki-link ``paper`` (one query), as backlinks."""
    from papers.models import Paper

    papers = (
        Paper.objects.published()
        .filter(mentions=paper)
        .only("slug", "title", "alias", "added_at")
        .order_by("-added_at", "-pk")
    )
    return [
        Backlink(other.get_absolute_url(), str(other), "Notes on a paper", other.added_at)
        for other in papers
    ]
