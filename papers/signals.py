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

from django.db.models import Q
from django.dispatch import Signal

from papers import search

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


def reindex_paper_of_authorship(sender, instance, **kwargs):
    """An author added, moved or removed changes the paper's search document."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    paper = getattr(instance, "paper", None)
    if paper is not None and paper.pk:
        paper.update_search_index()


def reindex_papers_of_author(sender, instance, created=False, **kwargs):
    """A renamed author changes the search documents of their papers."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    if created or not search.name_changed(instance):
        return
    from papers.models import Paper
    from papers.refresh import reindex_later

    reindex_later(Paper, "authors", instance.pk, f"papers by {instance}")


def rerender_notes_naming(sender, papers, names, **kwargs):
    """Paper notes whose wiki-links may name one of ``papers`` are rendered again."""
    from papers.markdown import render_markdown_with_mentions
    from papers.models import Paper
    from papers.wikilinks import naming_texts

    condition = naming_texts("notes", names)
    if condition is None:
        return
    # Each query below scans the paper table; an import of 5,000 papers announces them in
    # 200 chunks, while usually no paper's notes hold a wiki-link at all: ask that once.
    if not once_per_announcement(
        "paper-notes-with-wikilinks", Paper.objects.filter(notes__contains="[[").exists
    ):
        return
    # Notes that linked a paper whose name is gone no longer name it: found by the mentions.
    condition |= Q(mentions__in=papers)
    for other in Paper.objects.filter(condition).distinct().only("notes"):
        notes_html, mentioned = render_markdown_with_mentions(other.notes)
        # A queryset update: the paper's "updated" date and its signals stay untouched.
        Paper.objects.filter(pk=other.pk).update(notes_html=notes_html)
        other.mentions.set([paper for paper in mentioned if paper.pk != other.pk])
