"""The receivers that keep every content kind's search document current.

A row's document shows its own columns and the names of what it is linked to (tags,
authors, presenters, papers). A save rewrites it (``Content.update_search_index``); these
receivers rewrite it when a link changes (:func:`reindex_on_m2m`, connected by
``kinds.register`` for each kind's ``reindexed_by`` relations) or when a tag is renamed
(:func:`reindex_tagged_on_rename`: a background job per kind, since a tag may be on
thousands of rows).

The document is written in the transaction that changed the row, not after its commit:
a rolled-back change then leaves no document behind, and an import's many saves still
write each document once (``search.documents_written_at_end``).
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete

from papers.jobs.kinds import job_kind
from papers.jobs.queue import enqueue_coalesced
from papers.site import cache, search

# The job that rewrites the documents of every row showing a renamed name (a tag, an
# author, a presenter): a tag may be on thousands of rows. Idempotent (it rewrites from
# the current rows) and coalesced: while one for the same name waits, another change
# joins it (``papers.jobs.queue.enqueue_coalesced``).
REINDEX = "search.reindex"

CHANGES = ("post_add", "post_remove", "post_clear")


def reindex_on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Links added to or removed from content rows, from either side (``paper.tags.add``,
    ``tag.papers_taggedpaper_items``…): the rows' documents are rewritten."""
    if action not in CHANGES:
        return
    if not reverse:
        instance.update_search_index()
    elif pk_set:
        for row in model.objects.filter(pk__in=pk_set):
            row.update_search_index()


def forget_deleted(sender, instance, using=None, **kwargs):
    """A deleted row leaves no document to write: logged for the kept search results,
    which drop it (``cache.search_rows_changed``)."""
    cache.search_rows_changed(sender, [instance.pk], using)


# (model, what its rows are called) of every kind: a renamed tag rewrites their documents.
_TAGGED = []


def connect(model, relations, rows_called):
    """Rewrite ``model``'s documents when one of its many-to-many ``relations`` changes,
    and when a tag on its rows (``rows_called``: "papers") is renamed."""
    _TAGGED.append((model, rows_called))
    post_delete.connect(
        forget_deleted, sender=model, dispatch_uid=f"reindex:{model._meta.label}:delete"
    )
    for name in relations:
        m2m_changed.connect(
            reindex_on_m2m,
            sender=getattr(model, name).through,
            dispatch_uid=f"reindex:{model._meta.label}.{name}",
        )


def reindex_tagged_on_rename(sender, instance, created=False, **kwargs):
    """A renamed tag changes the documents of every row it is on, of every kind."""
    if kwargs.get("raw"):  # loaddata/restore: rows arrive in any order; reindex after
        return
    if created or not search.name_changed(instance):
        return
    for model, rows_called in _TAGGED:
        reindex_later(model, "tags", instance.pk, f"{rows_called} tagged “{instance.name}”")


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
    reindex_later(instance.papers.model, "authors", instance.pk, f"papers by {instance}")


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
