"""Merging two authors or two tags that are one real thing.

Both keep every old address working (a redirect from the merged slug), move every row
that pointed at the merged one and never create a duplicate row: a paper that had both
authors (or both tags) keeps one. Rows are locked first, so two editors merging at once
see each other's result instead of corrupting it.
"""

from functools import partial

from django.db import connections, router, transaction

from papers import counts
from papers.content.reindex import reindex_later
from papers.models import Author, AuthorRedirect, Authorship, Paper, Topic
from papers.site import search
from papers.site.cache import bump_content_version
from papers.tagging import Tag, TaggedItem, TagRedirect

_CHUNK = 500
PROFILE_FIELDS = ("affiliation", "homepage", "google_scholar", "orcid", "semantic_scholar")


class MergeError(Exception):
    """The merge asked for cannot be done; the message says why."""


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@transaction.atomic
def merge_authors(target, sources):
    """Merge ``sources`` into ``target``: bylines keep their order, old slugs redirect.

    Returns the number of papers whose byline changed.
    """
    source_ids = {author.pk for author in sources}
    if not source_ids:
        raise MergeError("Choose at least one author to merge.")
    if target.pk in source_ids:
        raise MergeError(f"“{target}” cannot be merged into itself.")
    # Locked in key order: a concurrent merge of the same authors waits for this one, then
    # finds its authors gone (below) instead of moving rows twice.
    wanted = source_ids | {target.pk}
    locked = {
        author.pk: author
        for author in Author.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    if target.pk not in locked:
        raise MergeError(f"“{target}” no longer exists (merged into another author meanwhile?).")
    gone = source_ids - set(locked)
    if gone:
        raise MergeError("Some of these authors no longer exist (merged meanwhile?).")
    target = locked[target.pk]
    rows = (
        Authorship.objects.filter(author__in=wanted)
        .order_by()
        .values_list("pk", "paper_id", "position", "author_id")
    )
    # Per paper, the first place any of them has in the byline is the one kept.
    keep = {}
    for pk, paper, position, author in rows:
        if paper not in keep or (position, author != target.pk) < keep[paper][1:]:
            keep[paper] = (pk, position, author != target.pk)
    kept = {pk for pk, _, _ in keep.values()}
    drop = [pk for pk, _, _, _ in rows if pk not in kept]
    move = [pk for pk, _, is_source in keep.values() if is_source]
    moved_papers = [paper for paper, (_, _, is_source) in keep.items() if is_source]
    with search.documents_written_at_end():
        # Rows, not objects: a per-row delete signal would load every paper (the search
        # documents are rewritten once below, the caches bumped once at the end).
        for chunk in _chunks(drop):
            _delete_rows(Authorship, chunk)
        for chunk in _chunks(move):
            Authorship.objects.filter(pk__in=chunk).update(author=target)
        # The papers that now name the target get its name in their search documents from
        # a job, as after a rename: rewriting 5,000 paper rows here (each update also
        # rewrites the row's full-text and trigram index entries) took 30 s of the merge on
        # PostgreSQL (bench/facets.py). Until the job has run, the merged spelling finds them.
        if moved_papers:
            reindex_later(Paper, "authors", target.pk, f"papers by {target.name} after a merge")
        profile = {}
        for source in (locked[pk] for pk in sorted(source_ids)):
            for field in PROFILE_FIELDS:
                if not getattr(target, field) and not profile.get(field):
                    profile[field] = getattr(source, field)
        profile = {field: value for field, value in profile.items() if value}
        if profile:
            # An update, not save(): the name is unchanged, no document needs a second pass.
            Author.objects.filter(pk=target.pk).update(**profile)
        AuthorRedirect.objects.filter(author__in=source_ids).update(author=target)
        for pk in sorted(source_ids):
            AuthorRedirect.objects.update_or_create(
                old_slug=locked[pk].slug, defaults={"author": target}
            )
        AuthorRedirect.objects.filter(old_slug=target.slug).delete()
        Author.objects.filter(pk__in=source_ids).delete()  # their counts go with them
        # The bylines moved as rows (no signals): the target's count from them.
        counts.recount_authors([target.pk])
    # Cards too: the bylines or tag rows moved without signals (``papers/cards.py``).
    bump_content_version(cards=True)
    transaction.on_commit(partial(bump_content_version, cards=True))
    return len(keep)


def _delete_rows(model, pks):
    """``DELETE … WHERE pk IN (pks)`` without loading the rows or sending signals."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    placeholders = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} "  # noqa: S608 - our own quoted names
            f"WHERE {quote(meta.pk.column)} IN ({placeholders})",
            list(pks),
        )


def _through_models():
    """Every app's tag through table (papers, reports, sessions), found from the ``Tag``
    side so that ``papers`` never imports the apps that use it."""
    return [
        relation.related_model
        for relation in Tag._meta.related_objects
        if issubclass(relation.related_model, TaggedItem)
    ]


def tagged_count(tags):
    """How many rows (papers, reports, sessions) carry any of ``tags``: the size of a merge."""
    return sum(through.objects.filter(tag__in=tags).count() for through in _through_models())


@transaction.atomic
def merge_tags(source, target):
    """Retag everything tagged ``source`` with ``target``, then delete ``source``; its
    slug (and any it redirected from) redirects to ``target``."""
    if source.pk == target.pk:
        raise MergeError(f"“{source}” cannot be merged into itself.")
    locked = {
        tag.pk: tag
        for tag in Tag.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if len(locked) < 2:
        raise MergeError("One of these tags no longer exists (merged meanwhile?).")
    source, target = locked[source.pk], locked[target.pk]
    for through in _through_models():
        # An item with both tags keeps one row: the target's. Deleted as rows, without a
        # signal per row (the caches are bumped once below; nothing else listens).
        already = through.objects.filter(tag=target).values("content_object_id")
        doubles = through.objects.filter(tag=source, content_object_id__in=already)
        for chunk in _chunks(doubles.values_list("pk", flat=True)):
            _delete_rows(through, chunk)
        retagged = through.objects.filter(tag=source).update(tag=target)
        model = through._meta.get_field("content_object").related_model
        if retagged and hasattr(model, "search_parts"):
            # The retagged rows' search documents name the source tag: rewriting them
            # took 2.9 s for 880 papers in the request, so a job does it (one per kind of
            # row, shared with a rename of the target still waiting).
            reindex_later(model, "tags", target.pk, f"rows retagged “{target.name}”")
    TagRedirect.objects.filter(tag=source).update(tag=target)
    TagRedirect.objects.update_or_create(old_slug=source.slug, defaults={"tag": target})
    # A slug that is live again must not redirect (it would point at itself).
    TagRedirect.objects.filter(old_slug=target.slug).delete()
    if not target.description and source.description:
        target.description = source.description
        target.save()
    # A topic of the reading list follows its tag (deleting the tag would delete it).
    if not Topic.objects.filter(tag=target).exists():
        Topic.objects.filter(tag=source).update(tag=target)
    source.delete()  # its counts go with it
    # The rows moved without signals: the target's counts from them.
    counts.recount_tags([target.pk])
    # Cards too: the bylines or tag rows moved without signals (``papers/cards.py``).
    bump_content_version(cards=True)
    transaction.on_commit(partial(bump_content_version, cards=True))
    return target
