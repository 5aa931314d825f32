"""Keep reports' search documents and wiki-links current when what they show changes."""

from django.db.models import Q

from blog.models import Report
from papers.refresh import reindex_later
from papers.search import name_changed
from papers.wikilinks import naming_texts


def reindex_report_of_link(sender, instance, **kwargs):
    """A paper added to or removed from a report: its aliases are in the document."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        report.update_search_index()


def reindex_report_on_m2m(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags or papers added to or removed from reports through their m2m managers."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    reports = [instance] if not reverse else Report.objects.filter(pk__in=pk_set or [])
    for report in reports:
        report.update_search_index()


def reindex_reports_of_tag(sender, instance, created=False, **kwargs):
    """A renamed tag changes the search documents of its reports."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    if not created and name_changed(instance):
        reindex_later(Report, "tags", instance.pk, f"reports tagged “{instance.name}”")


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
