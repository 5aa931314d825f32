"""Extra sections on a paper's page, contributed by the apps that build on papers.

``papers`` imports nothing from ``blog`` or ``readinggroup``; those apps register a
function here in their ``AppConfig.ready()`` that returns ``(template_name, context)``
for a paper, or ``None`` when they have nothing to show.
"""

_providers = []


def register(provider):
    """Add ``provider(paper) -> (template_name, context) | None``; usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(paper):
    """The sections to render on ``paper``'s page, in registration order."""
    return [section for provider in _providers if (section := provider(paper))]
