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
