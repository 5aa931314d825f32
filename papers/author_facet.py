"""The author facet of the whole library: counted in a worker, not in the request.

The most prolific authors of all published papers is one grouped count over every byline
(450,000 authorships at 100,000 papers): 1–5 s on a loaded server, and under load the first
list request after a save hit the database's statement timeout counting it. So the figures
are kept as a *snapshot* in the shared cache, tagged with the counts version
(papers/site/cache.py) they were counted at:

- snapshot of the current version: used as it is;
- snapshot of an older version (something was saved since): the request shows it and
  queues one ``papers.author_facet`` job (coalesced), which counts again and then starts a
  new content version, so pages rendered with the old figures in between are not kept;
- no snapshot at all (a new site, a flushed cache): counted in the request, once.

The facet may thus lag a save by the few seconds the worker takes; every other number on
the list (the count, years, tags, venues, and any narrowed list's authors) is exact.
"""

from django.core.cache import cache
from django.db import connection, transaction

from papers.jobs.kinds import job_kind
from papers.jobs.queue import enqueue
from papers.site.cache import TIMEOUT, bump_content_version, counts_version, release

AUTHOR_FACET = "papers.author_facet"
TOP_AUTHORS = 15


def _key():
    # The release in the key: a deploy never reads rows of another code's shape.
    return f"papershelf:author-facet-snapshot:{release()}"


def count_top_authors(limit=TOP_AUTHORS):
    """``[(pk, name, slug, count)]``: the authors with most published papers (one query)."""
    from papers.facets import top_authors
    from papers.models import Paper

    return [(a.pk, a.name, a.slug, a.count) for a in top_authors(Paper.objects.published(), limit)]


def top_authors_overall(request):
    """The rows of the whole library's author facet, as described above (no grouped count
    in the request once a snapshot exists)."""
    version = counts_version(request)
    snapshot = cache.get(_key())
    if snapshot is None:
        rows = count_top_authors()
        cache.set(_key(), {"version": version, "rows": rows}, TIMEOUT)
        return rows
    if snapshot["version"] != version:
        _queue_recount()
    return snapshot["rows"]


def _queue_recount():
    # A GET may write this one row: the dedupe key makes every request until the worker
    # takes it share one job.
    enqueue(AUTHOR_FACET, label="Author facet of the paper list counted again",
            dedupe_key=AUTHOR_FACET)  # fmt: skip


@job_kind(AUTHOR_FACET, time_limit=10 * 60, verbose_name="Author facet counted")
def recount(job, progress):
    before = counts_version()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A worker may take longer than a request's statement limit on a busy server.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        rows = count_top_authors()
    if counts_version() == before:
        # Nothing saved while counting: the figures are current. A new version makes the
        # pages rendered with the old snapshot misses, and tags the snapshot as current.
        bump_content_version()
        version = counts_version()
    else:
        # Saved meanwhile: keep these figures as stale, the next list request queues again.
        version = before
    cache.set(_key(), {"version": version, "rows": rows}, TIMEOUT)
    progress(done=1, total=1, message=f"{len(rows)} authors counted", force=True)
    return {"authors": len(rows), "current": version != before}
