"""Signals of the paper database: the announcement that papers' references changed.

``paper_references_changed`` tells the apps that own Markdown texts (reports, sessions)
that papers' alias, slug, title, ids or status changed, so texts whose wiki-links name
them are rendered again (``papers`` is a list, ``names`` holds the old and new values).
It is sent by a background job (``papers.wikilinks``, run in papers/refresh.py), not in
the save's request: a save only queues it (``announce_references_changed``).

This module imports no model and nothing of the paper database but the job queue, so that
the models can announce and every module above them can send: dependencies point from
``papers.refresh`` and ``papers.wikilinks`` to the models to here, never back.
"""

import contextvars

from django.dispatch import Signal

from papers.jobs.queue import enqueue_coalesced
from papers.site.deferred import Deferred

paper_references_changed = Signal()

# The job kind that sends it (papers/refresh.py registers the function).
WIKILINKS = "papers.wikilinks"

# Papers per announcement at the end of a batch: their names become OR-ed LIKE terms,
# and SQLite refuses expressions nested deeper than 1,000.
BATCH_ANNOUNCE_SIZE = 25

# Facts the receivers read once while a batch's announcements are sent, not per chunk.
_batch_memo = contextvars.ContextVar("reference_announcement_memo", default=None)


def announce_references_changed(paper, names):
    """Queue the job that sends ``paper_references_changed``, now or at the end of the
    enclosing batch."""
    pending = _collected.pending()
    if pending is None:
        queue_reference_changes({paper.pk: set(names)})
    else:
        pending.setdefault(paper.pk, set()).update(names)


def reference_changes_collected():
    """Collect the reference changes of the block's saves and queue them as one job at its
    end; nothing is queued if the block raises. (An import uses
    ``papers.refresh.references_announced_at_end``, which batches the related-papers
    updates too.)"""
    return _collected.collecting()


def _merge_reference_changes(old, new):
    return {
        "papers": sorted({*old.get("papers", ()), *new["papers"]}),
        "names": sorted({*old.get("names", ()), *new["names"]}),
    }


def queue_reference_changes(changes):
    """Queue the re-rendering for ``changes`` ({paper pk: names}); one job per paper, or
    one for a whole batch (an import)."""
    if not changes:
        return None
    pks = sorted(changes)
    params = {
        "papers": pks,
        "names": sorted({str(name) for names in changes.values() for name in names}),
    }
    what = f"paper {pks[0]}" if len(pks) == 1 else f"{len(pks):,} papers"
    return enqueue_coalesced(
        WIKILINKS,
        label=f"Re-render the wiki-links to {what}",
        params=params,
        # Per paper: many saves of one paper in a row re-render once.
        dedupe_key=f"{WIKILINKS}:{pks[0]}" if len(pks) == 1 else "",
        merge=_merge_reference_changes,
    )


# {paper pk: names} of the reference changes a block's saves announced.
_collected = Deferred("pending_reference_changes", dict, queue_reference_changes)


def send_reference_changes(papers, names, progress=None):
    """Send ``paper_references_changed`` for ``papers`` in chunks; returns the chunk count.

    Run by the ``papers.wikilinks`` job. Every chunk carries all ``names``: which old name
    belonged to which paper is not kept, and a text naming any of them is rendered again.
    """
    chunks = [
        papers[i : i + BATCH_ANNOUNCE_SIZE] for i in range(0, len(papers), BATCH_ANNOUNCE_SIZE)
    ]
    if progress:
        progress(total=len(papers), force=True)
    memo_token = _batch_memo.set({})
    try:
        for number, chunk in enumerate(chunks):
            paper_references_changed.send(sender=type(chunk[0]), papers=chunk, names=names)
            if progress:
                progress(done=min(len(papers), (number + 1) * BATCH_ANNOUNCE_SIZE))
    finally:
        _batch_memo.reset(memo_token)
    return len(chunks)


def once_per_announcement(key, compute):
    """``compute()``, remembered under ``key`` while one batch's announcements are sent.

    Only for facts the receivers do not change themselves (they re-render HTML, never the
    Markdown source), so the first chunk's answer holds for the last.
    """
    memo = _batch_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
