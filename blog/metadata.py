"""What search engines and link previews read about a report: JSON-LD and absolute URLs."""

from papers.metadata import site_organization
from papers.site.addresses import absolute_url


def cover_url(report):
    return absolute_url(report.cover.url) if report.cover else ""


def article_jsonld(report, papers=()):
    """A schema.org ``Article`` for the report page."""
    url = absolute_url(report.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": url,
        "headline": report.title[:110],
        "url": url,
        "mainEntityOfPage": url,
        "articleSection": report.get_kind_display(),
        # Reports are signed by the site (they have no byline of their own).
        "author": site_organization(),
        "publisher": site_organization(),
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
