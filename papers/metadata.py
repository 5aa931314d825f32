"""Machine-readable metadata for paper pages: Google Scholar tags and JSON-LD."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe


def ld_json(data):
    """Serialise ``data`` for a ``<script type="application/ld+json">`` block, safely.

    ``<``, ``>`` and ``&`` are escaped as in Django's ``json_script``, so a title such as
    ``</script><script>…`` cannot end the block.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_json_script_escapes))  # noqa: S308 - escaped just above


def scholarly_article(paper, authors, url):
    """schema.org ``ScholarlyArticle`` for a paper page."""
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title[:110],
        "name": paper.title,
        "url": url,
        "datePublished": f"{paper.year}-{paper.month:02d}" if paper.month else str(paper.year),
        "author": [{"@type": "Person", "name": author.name} for author in authors],
        "keywords": [tag.name for tag in paper.tags.all()],
    }
    if paper.alias:
        data["alternateName"] = paper.alias
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.venue:
        data["isPartOf"] = {"@type": "PublicationIssue", "name": paper.venue}
    same_as = [link for link in (paper.arxiv_url, paper.doi_url, paper.url) if link]
    if same_as:
        data["sameAs"] = same_as
    if paper.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
    return ld_json(data)
