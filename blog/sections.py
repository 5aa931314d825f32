"""The "Reports about this paper" section of a paper's page (see papers/sections.py)."""

from blog.models import Report


def reports_about_paper(paper):
    """Published reports that link ``paper``, newest first (one query), or ``None``."""
    reports = list(
        Report.objects.published()
        .filter(paper_links__paper=paper)
        .newest_first()
        .only("slug", "title", "kind", "number", "published_at", "work_in_progress")
    )
    if not reports:
        return None
    return "blog/_paper_reports.html", {"reports": reports}


def reports_mentioning_paper(paper):
    """Published reports whose text wiki-links ``paper`` (one query), as backlinks."""
    from papers.sections import Backlink

    reports = (
        Report.objects.published()
        .filter(mentions=paper)
        .newest_first()
        .only("slug", "title", "kind", "number", "published_at")
    )
    return [
        Backlink(
            report.get_absolute_url(), report.title, report.public_label(), report.published_at
        )
        for report in reports
    ]
