"""Keep reports' search documents and wiki-links current when what they show changes."""

from blog.models import Report


def reindex_report_of_link(sender, instance, **kwargs):
    """A paper added to or removed from a report: its aliases are in the document."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        report.update_search_index()
