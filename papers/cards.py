"""Paper cards (a paper's entry in every list), rendered once per content version.

The same cards appear on the home page, the full list and the year, tag and author
pages, so a page that is not cached yet still finds most of its cards rendered: one
cache read for the page's 20 cards, and the byline and tags are only queried for the
cards that are missing.
"""

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from papers.models import card_prefetches
from papers.site.cache import TIMEOUT, content_version, release

CARD_TEMPLATE = "papers/_paper_card.html"


def render_cards(request, papers):
    """The HTML of each paper's card, in order (``papers`` from ``for_cards()``)."""
    papers = list(papers)
    prefix = f"papershelf:{content_version(request)}:card:{release()}:"
    keys = [f"{prefix}{paper.pk}" for paper in papers]
    found = cache.get_many(keys) if keys else {}
    missing = [(key, paper) for key, paper in zip(keys, papers, strict=True) if key not in found]
    if missing:
        prefetch_related_objects([paper for _, paper in missing], *card_prefetches())
        template = get_template(CARD_TEMPLATE)
        rendered = {key: str(template.render({"paper": paper})) for key, paper in missing}
        cache.set_many(rendered, TIMEOUT)
        found.update(rendered)
    # Our own template's output, escaped when it was rendered.
    return [mark_safe(found[key]) for key in keys]  # noqa: S308
