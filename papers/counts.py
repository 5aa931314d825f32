"""Site-wide counts of published papers, kept up to date on save.

The lists' facets show how many published papers there are per year, per (year, tag), per
(year, venue) and per author. Counted from the papers, that is a grouped scan of the whole
library (at 100,000 papers on PostgreSQL: 0.35 s for the tags, 0.5 s for the venues, 1.2 s
for the 450,000 bylines), paid by the first visitor after any change. Here they are rows
of one small table, ``FacetCount`` (papers/models.py), changed by the save that changes them:

- a paper saved, published, unpublished, moved to another year or venue, or deleted;
- a tag added to or removed from a paper (taggit saves and deletes ``TaggedPaper`` rows);
- a byline row added (saved, or ``paper.authors.add()``, which sends only ``m2m_changed``)
  or removed;
- a tag or an author deleted: its rows go (its ``TaggedPaper`` rows are not counted one by
  one on the way).

Each change adds or subtracts 1 with ``INSERT … ON CONFLICT DO UPDATE SET n = n + …`` in
the same transaction as the change (signal receivers, not ``on_commit``): a rolled-back
change rolls its counts back with it, two transactions adding papers of the same year both
count (the row lock orders them; a recount of a key from the rows would lose one of them),
and the tests, which run inside a transaction, see the counts of what they just saved.
Database triggers would also catch raw SQL, but would be written twice (PostgreSQL and
SQLite) and hidden from the code that reads the table. What sends no signals
(``bulk_create``, ``QuerySet.update()``, raw SQL) calls ``bylines_created``,
``tags_created``, ``recount_tags``, ``recount_authors`` or ``rebuild`` (``manage.py
recount_facets``).

Known limit: a paper's previous state is read without a row lock, so two transactions
saving the *same* paper at once (both publishing it, say) may both count the change;
``manage.py recount_facets --check`` finds such drift and a rebuild removes it.
"""

import threading
import time
from collections import Counter

from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import Count, Sum
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from papers.content.base import Status
from papers.models import Author, Authorship, FacetCount, Paper, Tag, TaggedPaper, Venue

# The facets' names, from the model's choices (plain strings: keys of the counts).
YEAR, TAG, VENUE, AUTHOR = (facet.value for facet in FacetCount.Facet)
NO_YEAR = FacetCount.NO_YEAR


# --- writing -------------------------------------------------------------------------------


def _apply(deltas, using=None):
    """Add ``deltas`` (``{(facet, year, key): d}``) to the table, one statement per 200."""
    rows = [(facet, year or NO_YEAR, key, d) for (facet, year, key), d in deltas.items() if d]
    if not rows:
        return
    using = using or router.db_for_write(FacetCount)
    connection = connections[using]
    table = connection.ops.quote_name(FacetCount._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (facet, year, key, n) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (facet, year, key) DO UPDATE SET n = {table}.n + excluded.n",
                [value for row in chunk for value in row],
            )


def _apply_link(facet, paper_id, key, sign, using=None):
    """Add ``sign`` to the count of ``key`` (a tag, an author) under ``facet`` if the paper
    ``paper_id`` is published: its state is read by the same statement (``INSERT …
    SELECT … ON CONFLICT``), one round trip per link row saved or deleted instead of two
    (a SELECT of the paper, then the upsert: 5 of a factory paper's 11 counting queries).
    It reads what the separate SELECT read, the row as this transaction sees it."""
    using = using or router.db_for_write(FacetCount)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(FacetCount._meta.db_table)
    meta = Paper._meta
    paper = quote(meta.db_table)
    pk, status = (f"{paper}.{quote(f.column)}" for f in (meta.pk, meta.get_field("status")))
    # A tag is counted per year of its paper, an author over all years (``_contribution``).
    year = f"{paper}.{quote(meta.get_field('year').column)}"
    year = "%s" if facet == AUTHOR else f"COALESCE({year}, %s)"
    with connection.cursor() as cursor:
        # SQLite needs the WHERE to parse ON CONFLICT after a SELECT; here it is needed anyway.
        cursor.execute(
            f"INSERT INTO {table} (facet, year, key, n) "  # noqa: S608
            f"SELECT %s, {year}, %s, %s FROM {paper} WHERE {pk} = %s AND {status} = %s "
            f"ON CONFLICT (facet, year, key) DO UPDATE SET n = {table}.n + excluded.n",
            [facet, NO_YEAR, key, sign, paper_id, Status.PUBLISHED],
        )


def _contribution(deltas, state, sign, tags=(), authors=(), paper=False):
    """Add what one paper in ``state`` (status, year, venue id) counts, times ``sign``: with
    ``paper``, the paper itself (its year and venue); and these ``tags`` and ``authors``."""
    if state is None or state[0] != Status.PUBLISHED:
        return
    _, year, venue = state
    year = year or NO_YEAR
    if paper:
        deltas[YEAR, year, 0] += sign
        if venue:
            deltas[VENUE, year, venue] += sign
    for tag in tags:
        deltas[TAG, year, tag] += sign
    for author in authors:
        deltas[AUTHOR, NO_YEAR, author] += sign


def _states(paper_ids):
    """``{pk: (status, year, venue id)}`` of the papers among ``paper_ids`` (one query)."""
    return {
        pk: (status, year, venue)
        for pk, status, year, venue in Paper.objects.filter(pk__in=paper_ids)
        .order_by()
        .values_list("pk", "status", "year", "published_in_id")
    }


# Papers and tags being deleted in this thread: their rows' receivers use the state read
# before the delete (a paper) or do nothing (a tag or author: its rows go at once).
_local = threading.local()


def _deleting():
    if not hasattr(_local, "papers"):
        _local.papers, _local.gone = {}, set()
    return _local


def _link_counted(facet, role, paper_id, key, sign, using):
    """Count (``sign`` +1) or uncount (-1) one link row of ``paper_id`` to ``key``: with the
    state read before the paper's delete if it is being deleted, else from its row."""
    known = _deleting().papers
    if paper_id not in known:
        _apply_link(facet, paper_id, key, sign, using)
        return
    deltas = Counter()
    _contribution(deltas, known[paper_id], sign, **{role: [key]})
    _apply(deltas, using)


def _paper_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & {"status", "year", "published_in"}:
        instance._counts_before = "unchanged"
        return
    # Read from the database, not the loaded instance: another save may have come between.
    instance._counts_before = (
        None if instance._state.adding else _states([instance.pk]).get(instance.pk)
    )


def _paper_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    before = instance.__dict__.pop("_counts_before", None)
    if raw or before == "unchanged":
        return
    after = (instance.status, instance.year, instance.published_in_id)
    if before == after:
        return
    deltas = Counter()
    tags = authors = ()
    if not created:  # a new paper has no tags or byline yet
        was = before is not None and before[0] == Status.PUBLISHED
        now = after[0] == Status.PUBLISHED
        if was != now or (now and before[1] != after[1]):
            tags = list(
                TaggedPaper.objects.filter(content_object=instance).values_list("tag_id", flat=True)
            )
        if was != now:
            authors = list(instance.authorships.values_list("author_id", flat=True))
    _contribution(deltas, before, -1, tags, authors, paper=True)
    _contribution(deltas, after, +1, tags, authors, paper=True)
    _apply(deltas, using)
    if not created and was and not now:
        _note_withdrawal(using)


# When a published paper last stopped being public (unpublished or deleted), in ns: facets
# counted before then may show its authors, tags and venue, so they are never served
# stale past it (papers/facets.py, ``kept_facets``). Noted now and again at the commit.
WITHDRAWN_KEY = "papershelf:paper-withdrawn-at"


def _note_withdrawal(using=None):
    def note():
        cache.set(WITHDRAWN_KEY, time.time_ns(), None)

    note()
    transaction.on_commit(note, using=using)


def withdrawn_at():
    """When a published paper last stopped being public (ns since the epoch; 0: unknown)."""
    return int(cache.get(WITHDRAWN_KEY) or 0)


def _paper_pre_delete(sender, instance, **kwargs):
    _deleting().papers[instance.pk] = _states([instance.pk]).get(instance.pk)


def _paper_deleted(sender, instance, using=None, **kwargs):
    # Its tags and byline rows were deleted first (cascade), each subtracting itself.
    deltas = Counter()
    state = _deleting().papers.pop(instance.pk, None)
    _contribution(deltas, state, -1, paper=True)
    _apply(deltas, using)
    if state is not None and state[0] == Status.PUBLISHED:
        _note_withdrawal(using)


def _link_receivers(model, paper_field, other_field, kind, role):
    """pre_save, post_save and post_delete receivers for one kind of link row between a
    paper and what it is counted under (a tag on a paper, a byline): a saved row moves
    its count from the old pair to the new one, a deleted row takes it away."""

    def pre_save_link(sender, instance, raw=False, **kwargs):
        if not raw and not instance._state.adding:
            instance._counts_before = (
                model.objects.filter(pk=instance.pk).values_list(paper_field, other_field).first()
            )

    def link_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
        before = instance.__dict__.pop("_counts_before", None)
        after = (getattr(instance, paper_field), getattr(instance, other_field))
        if raw or before == after:
            return
        if before:
            _link_counted(kind, role, *before, -1, using)
        _link_counted(kind, role, *after, +1, using)

    def link_deleted(sender, instance, using=None, **kwargs):
        other = getattr(instance, other_field)
        if (kind, other) in _deleting().gone:
            return
        _link_counted(kind, role, getattr(instance, paper_field), other, -1, using)

    return pre_save_link, link_saved, link_deleted


_tagged_pre_save, _tagged_saved, _tagged_deleted = _link_receivers(
    TaggedPaper, "content_object_id", "tag_id", TAG, "tags"
)
_byline_pre_save, _byline_saved, _byline_deleted = _link_receivers(
    Authorship, "paper_id", "author_id", AUTHOR, "authors"
)


def _bylines_added(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    # ``paper.authors.add()`` / ``author.papers.add()`` write the rows with bulk_create: no
    # post_save. Their removal deletes rows one by one (post_delete above), so only adds.
    if action != "post_add" or not pk_set:
        return
    pairs = (
        [(pk, instance.pk) for pk in pk_set] if reverse else [(instance.pk, pk) for pk in pk_set]
    )
    bylines_created(pairs, using)


def _gone_pre_delete(facet):
    def receiver(sender, instance, **kwargs):
        _deleting().gone.add((facet, instance.pk))

    return receiver


def _gone_deleted(facet):
    def receiver(sender, instance, using=None, **kwargs):
        _deleting().gone.discard((facet, instance.pk))
        FacetCount.objects.using(using).filter(facet=facet, key=instance.pk).delete()

    return receiver


def connect():
    """Connect the receivers (``papers.apps``)."""
    for signal, receiver, sender in (
        (pre_save, _paper_pre_save, Paper),
        (post_save, _paper_saved, Paper),
        (pre_delete, _paper_pre_delete, Paper),
        (post_delete, _paper_deleted, Paper),
        (pre_save, _tagged_pre_save, TaggedPaper),
        (post_save, _tagged_saved, TaggedPaper),
        (post_delete, _tagged_deleted, TaggedPaper),
        (pre_save, _byline_pre_save, Authorship),
        (post_save, _byline_saved, Authorship),
        (post_delete, _byline_deleted, Authorship),
        (m2m_changed, _bylines_added, Authorship),
        (pre_delete, _gone_pre_delete(TAG), Tag),
        (post_delete, _gone_deleted(TAG), Tag),
        (pre_delete, _gone_pre_delete(AUTHOR), Author),
        (post_delete, _gone_deleted(AUTHOR), Author),
        (post_delete, _gone_deleted(VENUE), Venue),
    ):
        # weak=False: some receivers are closures made here, referenced by nothing else.
        uid = f"papers-counts-{receiver.__name__}-{sender.__name__}-{id(signal)}"
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)


# --- what sends no signals -----------------------------------------------------------------


def _links_created(pairs, field, using):
    """Count link rows written without signals: ``pairs`` of (paper id, ``field``'s id)."""
    pairs = list(pairs)
    states = _states({paper for paper, _ in pairs})
    deltas = Counter()
    for paper, other in pairs:
        _contribution(deltas, states.get(paper), +1, **{field: [other]})
    _apply(deltas, using)


def bylines_created(pairs, using=None):
    """Count byline rows written without signals: ``pairs`` of (paper id, author id)."""
    _links_created(pairs, "authors", using)


def tags_created(pairs, using=None):
    """Count tag rows written without signals: ``pairs`` of (paper id, tag id)."""
    _links_created(pairs, "tags", using)


def _replace(facet, keys, rows):
    FacetCount.objects.filter(facet=facet, key__in=keys).delete()
    FacetCount.objects.bulk_create(
        [FacetCount(facet=facet, year=year or NO_YEAR, key=key, n=n) for year, key, n in rows if n],
        batch_size=1000,
    )


def recount_tags(tag_ids):
    """Count these tags' rows again from the papers (after a bulk retag, e.g. a merge)."""
    tag_ids = list(tag_ids)
    with transaction.atomic():
        _replace(
            TAG,
            tag_ids,
            Paper.objects.published()
            .filter(taggedpaper__tag__in=tag_ids)
            .order_by()
            .values_list("year", "taggedpaper__tag")
            .annotate(n=Count("pk")),
        )


def recount_authors(author_ids):
    """Count these authors' rows again from the papers (after a bulk byline change)."""
    author_ids = list(author_ids)
    with transaction.atomic():
        _replace(
            AUTHOR,
            author_ids,
            (
                (NO_YEAR, author, n)
                for author, n in Authorship.objects.filter(
                    author__in=author_ids, paper__status=Status.PUBLISHED
                )
                .order_by()
                .values_list("author")
                .annotate(n=Count("pk"))
            ),
        )


def recount():
    """Every count, from the papers: what the table must equal (the tests compare)."""
    published = Paper.objects.published().order_by()
    counts = Counter()
    for year, n in published.values_list("year").annotate(n=Count("pk")):
        counts[YEAR, year or NO_YEAR, 0] = n
    for year, tag, n in (
        published.filter(taggedpaper__isnull=False)
        .values_list("year", "taggedpaper__tag")
        .annotate(n=Count("pk"))
    ):
        counts[TAG, year or NO_YEAR, tag] = n
    for year, venue, n in (
        published.filter(published_in__isnull=False)
        .values_list("year", "published_in")
        .annotate(n=Count("pk"))
    ):
        counts[VENUE, year or NO_YEAR, venue] = n
    for author, n in (
        Authorship.objects.filter(paper__status=Status.PUBLISHED)
        .order_by()
        .values_list("author")
        .annotate(n=Count("pk"))
    ):
        counts[AUTHOR, NO_YEAR, author] = n
    return counts


def stored():
    """The table as ``{(facet, year, key): n}``, zero rows left out."""
    return {
        (facet, year, key): n
        for facet, year, key, n in FacetCount.objects.filter(n__gt=0).values_list(
            "facet", "year", "key", "n"
        )
    }


def rebuild():
    """Replace the table by a recount (``manage.py recount_facets``; after bulk loads)."""
    counts = recount()
    with transaction.atomic():
        FacetCount.objects.all().delete()
        FacetCount.objects.bulk_create(
            [FacetCount(facet=f, year=y, key=k, n=n) for (f, y, k), n in counts.items()],
            batch_size=2000,
        )
    return len(counts)


# --- reading -------------------------------------------------------------------------------


def per_facet():
    """``{"years": {year: n}, "pairs": {(year, tag): n}, "venue_pairs": {(year, venue): n}}``
    of published papers (one query over the small table; no year is ``None``)."""
    years, pairs, venue_pairs = {}, {}, {}
    rows = FacetCount.objects.filter(facet__in=(YEAR, TAG, VENUE), n__gt=0).values_list(
        "facet", "year", "key", "n"
    )
    for facet, year, key, n in rows.iterator(chunk_size=5000):
        year = year or None
        if facet == YEAR:
            years[year] = n
        elif facet == TAG:
            pairs[year, key] = n
        else:
            venue_pairs[year, key] = n
    return {"years": years, "pairs": pairs, "venue_pairs": venue_pairs}


def per_year(tag_slug=None):
    """``{year: n}`` of published papers (with ``tag_slug``: of that tag's papers), one
    read of the kept counts (no year is ``None``)."""
    if tag_slug is None:
        rows = FacetCount.objects.filter(facet=YEAR)
    else:
        rows = FacetCount.objects.filter(
            facet=TAG, key__in=Tag.objects.filter(slug=tag_slug).values("pk")
        )
    return {year or None: n for year, n in rows.filter(n__gt=0).values_list("year", "n")}


def tag_totals():
    """``(tag id, n)``: how many published papers have each tag (``tag_id_counts`` of the
    published papers), summed over the years of the kept counts."""
    return (
        FacetCount.objects.filter(facet=TAG, n__gt=0)
        .order_by()
        .values_list("key")
        .annotate(n=Sum("n"))
    )


def published_papers():
    """How many papers are published (``Paper.objects.published().count()``): the sum of
    the kept counts' year rows (one a year, the unknown year's included), where the COUNT
    walks the status index over every published paper (15–24 ms of SQL on PostgreSQL at
    100,000 papers, at every miss of the sitemap index)."""
    return FacetCount.objects.filter(facet=YEAR).aggregate(n=Sum("n"))["n"] or 0


def published_author_ids():
    """The ids of the authors with a published paper, by id (a queryset of ``FacetCount``
    author rows: slice it)."""
    rows = FacetCount.objects.filter(facet=AUTHOR, year=NO_YEAR, n__gt=0)
    return rows.order_by("key").values_list("key", flat=True)


def published_authors():
    """How many authors have a published paper (``Author.objects.published().count()``):
    their rows of the kept counts, one index read, where counting them from the bylines
    is a ``DISTINCT`` over every one (954 ms on PostgreSQL at 100,000 papers)."""
    return FacetCount.objects.filter(facet=AUTHOR, n__gt=0).count()


def top_authors(limit):
    """``[(pk, name, slug, count)]``: the authors with most published papers, ties by name
    (two index reads: the ``limit``-th largest count, then every author at or above it)."""
    counts = FacetCount.objects.filter(facet=AUTHOR, n__gt=0).order_by("-n")
    floor = list(counts.values_list("n", flat=True)[limit - 1 : limit]) or [1]
    floor = floor[0]
    above = dict(counts.filter(n__gte=floor).values_list("key", "n"))
    authors = Author.objects.filter(pk__in=above).values_list("pk", "name", "slug")
    ranked = sorted(((pk, name, slug, above[pk]) for pk, name, slug in authors),
                    key=lambda row: (-row[3], row[1]))  # fmt: skip
    return ranked[:limit]
