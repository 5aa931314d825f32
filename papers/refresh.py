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

from papers import pages, related
from papers.jobs.kinds import job_kind
from papers.models import Paper
from papers.signals import WIKILINKS, reference_changes_collected, send_reference_changes
from papers.site import cache, search


@contextlib.contextmanager
def references_announced_at_end():
    """Collect the reference changes and the related-papers updates of many saves and
    queue each as one job at the end.

    An import of thousands of papers would otherwise queue a job per paper, and the job
    run every receiver's queries once per paper. Nothing is queued if the block raises.
    """
    with reference_changes_collected(), related.updates_queued_at_end():
        yield


@contextlib.contextmanager
def saves_written_at_end():
    """What a few saves of one object derive from it, written once at the end of the block:
    its search document, the drop of its kept page, the related-papers update and the
    reference changes it queues.

    A paper saved with its byline, tags and links (an admin save, a test factory) sends a
    signal per row, and each rewrote the paper's search document (three queries), read its
    address to drop its kept page and joined the queued related-papers job (six queries):
    now once each. The document and the jobs are written inside the block's transaction
    (nothing if it raises; what is read inside the block before its end does not see
    them), from the rows as they are at its end: a row saved twice is indexed with its
    last text, one saved in a rolled-back savepoint with the text that stayed.
    """
    with (
        references_announced_at_end(),
        search.documents_written_at_end(),
        pages.forgotten_at_end(),
    ):
        yield


class SavesWrittenAtEndAdminMixin:
    """For the admin of a content kind: a form's saves (the row, its inlines, its tags)
    write what they derive once (``saves_written_at_end``), inside the admin's
    transaction."""

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Django's changeform_view runs this inside its transaction.atomic(): the block
        # ends, and writes, before the commit.
        with saves_written_at_end():
            return super()._changeform_view(request, object_id, form_url, extra_context)


@job_kind(WIKILINKS, time_limit=1800, verbose_name="Wiki-links re-rendered")
def rerender_wikilinks(job, progress):
    papers = list(Paper.objects.filter(pk__in=job.params["papers"]).order_by("pk"))
    names = set(job.params["names"])
    # A paper deleted since still has texts naming it: they are rendered again (unlinked).
    chunks = send_reference_changes(papers, names, progress) if papers else 0
    # The texts were rewritten by queryset updates, which send no signal: cached pages go.
    cache.bump_content_version()
    return {"papers": len(papers), "batches": chunks}
