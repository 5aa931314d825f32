"""A report's card (``blog/_report_card.html``) on the report lists and tag pages, kept
per report as the paper cards are (``papers.cards.Cards``)."""

from papers.cards import Cards


def _stamp(report, request=None):
    # ``teaser_html`` is rewritten without a save when a linked paper changes
    # (``refresh_wikilinks``); the label is the site settings' name of the kind.
    return (report.updated_at.isoformat(), report.teaser_html, report.public_label(request))


# The API's report rows (``blog/api.py``), dropped with the cards.
REPORT_ROWS = "report"

REPORT_CARDS = Cards(
    "report",
    "blog/_report_card.html",
    prefetches=lambda: ("series", "tags"),
    context_name="report",
    stamp=_stamp,
    rows=REPORT_ROWS,
)


def connect():
    """Connect the receivers (``blog.apps``): a report's tags, its series' title."""
    from blog.models import Series, TaggedReport

    REPORT_CARDS.follow_links(TaggedReport, "content_object_id")
    REPORT_CARDS.follow_names(Series, ("title",), lambda series: series.reports)
