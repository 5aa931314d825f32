"""Keep reports' search documents and wiki-links current when what they show changes."""

from django.db.models import Q

from blog.models import Report
from papers.wikilinks import naming_texts


def reindex_report_of_link(sender, instance, **kwargs):
    """A paper added to or removed from a report: its aliases are in the document."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        report.update_search_index()


def refresh_reports_naming(sender, papers, names, **kwargs):
    """Papers' alias, ids, title or status changed: re-render the reports that may link them."""
    candidates = Q(mentions__in=papers)
    for field in ("body", "teaser"):
        naming = naming_texts(field, names)
        if naming is not None:
            candidates |= naming
    for report in Report.objects.filter(candidates).distinct():
        report.refresh_wikilinks()
    for report in Report.objects.filter(paper_links__paper__in=papers).distinct():
        report.update_search_index()
