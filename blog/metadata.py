"""What search engines and link previews read about a report: JSON-LD and absolute URLs."""

import re

from papers.identity import site_name
from papers.site import absolute_url

_ROOT_RELATIVE = re.compile(r'(\s(?:src|href)=")/(?!/)')


def absolutize(html):
    """Make root-relative ``src``/``href`` absolute: feed readers have no page to resolve them."""
    origin = absolute_url("/")
    return _ROOT_RELATIVE.sub(lambda match: match.group(1) + origin, html)


def cover_url(report):
    return absolute_url(report.cover.url) if report.cover else ""


def article_jsonld(report, papers=()):
    """A schema.org ``Article`` for the report page."""
    url = absolute_url(report.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": report.title[:110],
        "url": url,
        "mainEntityOfPage": url,
        "articleSection": report.get_kind_display(),
        "publisher": {"@type": "Organization", "name": site_name()},
    }
    if report.teaser_text:
        data["description"] = report.teaser_text
    if report.published_at:
        data["datePublished"] = report.published_at.isoformat()
    data["dateModified"] = report.updated_at.isoformat()
    if report.cover:
        data["image"] = [cover_url(report)]
    keywords = [tag.name for tag in report.tags.all()]
    if keywords:
        data["keywords"] = keywords
    about = [
        {
            "@type": "ScholarlyArticle",
            "name": paper.title,
            "url": paper.main_url or absolute_url(paper.get_absolute_url()),
        }
        for paper in papers
    ]
    if about:
        data["about"] = about
    if report.series_id:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": report.series.title}
        data["position"] = report.part
    return data
