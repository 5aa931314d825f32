"""The rows of the queue page: one page of open suggestions, ranked, in two queries.

The page is a member's own (their votes, their offers), so it is never page-cached and a
miss is every visit. What it costs is kept small and constant (docs/PERFORMANCE.md):

- one query for the page of suggestions, with the paper's few shown fields, the author's
  name, the total (a subquery, so no separate ``COUNT`` round trip) and, for a member,
  "did I vote" as an ``EXISTS`` column;
- one query for the volunteers' names of those rows (which also says "did I volunteer").

Rows are dicts built from tuples, not model instances with deferred fields and prefetch
managers: building 25 of those, with their related objects, was a third of the page's
CPU time. Dates and the vote label are formatted here once, not by template filters.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import dateformat, timezone

from papers.models import Status
from readinggroup.members import Suggestion, Volunteer, Vote

# Past any real queue, and small enough that page × size stays a valid SQL OFFSET
# (an address like ?page=10**30 must not reach the database as a bigint overflow).
MAX_PAGE = 100_000

_FIELDS = (
    "pk",
    "reason_html",
    "created_at",
    "vote_count",
    "suggested_by_id",
    "suggested_by__name",
    "paper__title",
    "paper__slug",
    "paper__year",
    "paper__status",
)


def _row(values, voted):
    """What the template shows of one suggestion, as a dict: the template engine looks a
    name up in a dict first, so ``s.title`` costs one lookup and no caught exception
    (with 25 rows of ~30 lookups each, that is a measurable part of the page)."""
    pk, reason_html, created_at, votes, author_pk, author, title, slug, year, status = values
    created_at = timezone.localtime(created_at)
    return {
        "pk": pk,
        # Numbers as text: the template would localise each int it prints (a few calls
        # into the translation machinery per number, three or four numbers a row).
        "id": str(pk),
        "reason_html": reason_html,
        "created_iso": created_at.isoformat(timespec="seconds"),
        "created_on": dateformat.format(created_at, "j M Y"),
        "votes": f"{votes} vote{'' if votes == 1 else 's'}",
        "suggested_by_id": author_pk,
        "suggested_by_name": author,
        "title": title,
        "slug": slug,
        "year": str(year) if year else "",
        "published": status == Status.PUBLISHED,
        "voted": voted,
        "volunteered": False,
        "volunteer_names": [],
    }


def page_number(raw):
    """The page asked for: not a number or below 1 → 1; past the end is settled later."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def _open_count():
    """How many suggestions are open, as an uncorrelated subquery the database runs once.

    Not a window count: ``COUNT(*) OVER ()`` is computed over every open row before the
    LIMIT, so PostgreSQL joined all 1,000 papers for a page of 25 (14 ms at 100,000
    papers); this leaves the ranked index scan and its 25 joins as they were.
    """
    return Subquery(
        Suggestion.objects.open().order_by().values("state").annotate(n=Count("pk")).values("n")[:1]
    )


def _fetch(member, number, size):
    suggestions = (
        Suggestion.objects.open()
        .order_by("-vote_count", "created_at", "pk")
        .annotate(total=_open_count())
    )
    fields = (*_FIELDS, "total")
    if member is not None:
        suggestions = suggestions.annotate(
            voted=Exists(Vote.objects.filter(suggestion=OuterRef("pk"), member=member))
        )
        fields = (*fields, "voted")
    start = (number - 1) * size
    rows, total = [], 0
    for values in suggestions.values_list(*fields)[start : start + size]:
        total = values[10]
        rows.append(_row(values[:10], voted=member is not None and values[11]))
    return rows, total


def _add_volunteers(rows, member):
    by_pk = {row["pk"]: row for row in rows}
    volunteers = (
        Volunteer.objects.filter(suggestion_id__in=by_pk)
        .order_by("created_at", "pk")
        .values_list("suggestion_id", "member_id", "member__name")
    )
    for suggestion_id, member_id, name in volunteers:
        row = by_pk[suggestion_id]
        row["volunteer_names"].append(name)
        if member is not None and member_id == member.pk:
            row["volunteered"] = True


def queue_page(member, raw_page, size):
    """The ``Page`` of rows the queue shows (the paginator's semantics: a page past the
    end is the last one). Two queries; three more only for a page past the end."""
    number = page_number(raw_page)
    rows, total = _fetch(member, number, size)
    if not rows and number > 1:
        total = Suggestion.objects.open().count()
        number = max(1, -(-total // size))
        rows, total = _fetch(member, number, size)
    if rows:
        _add_volunteers(rows, member)
    paginator = Paginator([], size)
    paginator.count = total  # known from the page's query: the paginator must not count
    return Page(rows, number, paginator)
