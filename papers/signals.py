"""Signals of the paper database, and the receivers that keep search documents current.

``paper_references_changed`` tells the apps that own Markdown texts (reports, sessions)
that papers' alias, slug, title, ids or status changed, so texts whose wiki-links name
them are rendered again (``papers`` is a list, ``names`` holds the old and new values).
It is sent by a background job (papers/refresh.py), not in the save's request: a save
only queues it. Renames of tags and authors likewise queue the rewrite of the search
documents that show the name (``refresh.reindex_later``).
"""

import contextlib
import contextvars

from django.dispatch import Signal

paper_references_changed = Signal()

# Papers per announcement at the end of a batch: their names become OR-ed LIKE terms,
# and SQLite refuses expressions nested deeper than 1,000.
BATCH_ANNOUNCE_SIZE = 25

_pending = contextvars.ContextVar("pending_reference_changes", default=None)
# Facts the receivers read once while a batch's announcements are sent, not per chunk.
_batch_memo = contextvars.ContextVar("reference_announcement_memo", default=None)


def announce_references_changed(paper, names):
    """Queue the job that sends ``paper_references_changed``, now or at the end of the
    enclosing batch."""
    from papers.refresh import queue_reference_changes

    pending = _pending.get()
    if pending is None:
        queue_reference_changes({paper.pk: set(names)})
    else:
        pending.setdefault(paper.pk, set()).update(names)


@contextlib.contextmanager
def references_announced_at_end():
    """Collect the reference changes of many saves and announce them in a few signals.

    An import of thousands of papers would otherwise queue a job per paper, and the job
    run every receiver's queries once per paper. Nothing is announced if the block raises.
    """
    if _pending.get() is not None:  # nested: the outer block announces
        yield
        return
    from papers.related import updates_queued_at_end

    pending = {}
    token = _pending.set(pending)
    try:
        # The related-papers updates of the batch's saves are one job too.
        with updates_queued_at_end():
            yield
    finally:
        _pending.reset(token)
    from papers.refresh import queue_reference_changes

    queue_reference_changes(pending)


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
