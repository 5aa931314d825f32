"""Background jobs that bring derived text up to date after a change elsewhere.

- ``papers.wikilinks``: papers' alias, ids, title or status changed, so every text whose
  wiki-links may name them (paper notes, reports, sessions: the receivers of
  ``paper_references_changed``) is rendered again. A save only queues it.
- ``search.reindex``: a tag, author or presenter was renamed, so the search documents of
  every row that shows the name are rewritten (``search.rebuild_documents``).

Both are idempotent (they re-render and rewrite from the current rows), and both are
coalesced: while a job for the same paper, or the same tag, waits in the queue, another
change joins it instead of queuing a second one.
"""

from django.apps import apps

from papers.jobs import queue
from papers.jobs.kinds import job_kind
from papers.jobs.models import Job
from papers.site import cache, search

WIKILINKS = "papers.wikilinks"
REINDEX = "search.reindex"


def enqueue_coalesced(kind, *, label, params, dedupe_key, merge=None):
    """Queue a job, or let the one with ``dedupe_key`` still waiting take this change too.

    Updating the waiting job's row also locks it until the caller's transaction commits:
    a worker cannot start it on the rows as they were before this change. A job already
    running read those rows: a second one is queued to read the new ones.
    """
    job, created = queue.enqueue(kind, label=label, params=params, dedupe_key=dedupe_key)
    if created:
        return job
    joined = merge(job.params, params) if merge else params
    if Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(params=joined):
        return job
    job, _ = queue.enqueue(kind, label=label, params=params)
    return job


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


@job_kind(WIKILINKS, time_limit=1800, verbose_name="Wiki-links re-rendered")
def rerender_wikilinks(job, progress):
    from papers.models import Paper
    from papers.signals import send_reference_changes

    papers = list(Paper.objects.filter(pk__in=job.params["papers"]).order_by("pk"))
    names = set(job.params["names"])
    # A paper deleted since still has texts naming it: they are rendered again (unlinked).
    chunks = send_reference_changes(papers, names, progress) if papers else 0
    # The texts were rewritten by queryset updates, which send no signal: cached pages go.
    cache.bump_content_version()
    return {"papers": len(papers), "batches": chunks}


def reindex_later(model, field, value, what):
    """Queue the rewrite of the search documents of ``model``'s rows with ``field=value``."""
    label = model._meta.label_lower
    return enqueue_coalesced(
        REINDEX,
        label=f"Update the search index: {what}",
        params={"model": label, "field": field, "value": value},
        dedupe_key=f"{REINDEX}:{label}:{field}={value}",
    )


@job_kind(REINDEX, time_limit=1800, verbose_name="Search index update")
def reindex(job, progress):
    model = apps.get_model(job.params["model"])
    pks = sorted(
        model._default_manager.filter(**{job.params["field"]: job.params["value"]})
        .values_list("pk", flat=True)
        .distinct()
    )
    progress(total=len(pks), message=f"{model._meta.verbose_name_plural}", force=True)
    written = search.rebuild_documents(model, pks=pks) if pks else 0
    progress(done=written)
    cache.bump_content_version()  # search pages cached before the rewrite
    return {"model": job.params["model"], "rewritten": written}
