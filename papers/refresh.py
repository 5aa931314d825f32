"""Background jobs that bring derived text up to date after a change elsewhere.

- ``papers.wikilinks``: papers' alias, ids, title or status changed, so every text whose
  wiki-links may name them (paper notes, reports, sessions: the receivers of
  ``paper_references_changed``) is rendered again. A save only queues it
  (``papers.signals.announce_references_changed``).

(The other such job, ``search.reindex``, rewrites search documents after a rename: it is
the content base's, papers/content/reindex.py.)

It is idempotent (it re-renders from the current rows) and coalesced: while a job for
the same paper waits in the queue, another change joins it instead of queuing a second
one (``papers.jobs.queue.enqueue_coalesced``).

This module sits above the models, related papers and the signals (it imports them; none
of them imports it), so its jobs may use them all.
"""

import contextlib

from papers import related
from papers.jobs.kinds import job_kind
from papers.models import Paper
from papers.signals import WIKILINKS, reference_changes_collected, send_reference_changes
from papers.site import cache


@contextlib.contextmanager
def references_announced_at_end():
    """Collect the reference changes and the related-papers updates of many saves and
    queue each as one job at the end.

    An import of thousands of papers would otherwise queue a job per paper, and the job
    run every receiver's queries once per paper. Nothing is queued if the block raises.
    """
    with reference_changes_collected(), related.updates_queued_at_end():
        yield


@job_kind(WIKILINKS, time_limit=1800, verbose_name="Wiki-links re-rendered")
def rerender_wikilinks(job, progress):
    papers = list(Paper.objects.filter(pk__in=job.params["papers"]).order_by("pk"))
    names = set(job.params["names"])
    # A paper deleted since still has texts naming it: they are rendered again (unlinked).
    chunks = send_reference_changes(papers, names, progress) if papers else 0
    # The texts were rewritten by queryset updates, which send no signal: cached pages go.
    cache.bump_content_version()
    return {"papers": len(papers), "batches": chunks}
