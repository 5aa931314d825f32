"""Related papers: "similar in this library", computed from the library's own content.

Why TF-IDF (scikit-learn) and not a sentence-embedding model: it needs no model download
and no GPU, it fits the words this library's owners actually use (aliases, acronyms, tag
names), a full rebuild at 100,000 papers is a minute and a half of matrix products, and every score
can be explained ("shares the tag diffusion", "builds on …"). Synonyms that share no word
("image generation" ≠ "diffusion") are handled by the small concept list of the
more-like-this search (papers/concepts.py), not by the vectors.

The vectors (``papers.related_model``) join four blocks: text, tags, authors, venue. The
score of a pair is the cosine of their vectors plus ``LINK_WEIGHT`` when one is the other's
previous work or names it in its notes, plus ``COCITED_WEIGHT`` when both build on a same
paper.

Neighbours are stored (``RelatedPaper``, ``STORED`` per paper) and read with one indexed
query. ``rebuild`` fits the model, stores it and recomputes every list in blocks of rows
(no n × n matrix is ever built); a save queues a background job that vectorises the saved
paper with the stored model and rewrites only the lists it enters or leaves (``update``).
"""

import logging
import time
import uuid

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from papers import related_model  # numpy, scipy, scikit-learn: imported only to build vectors
from papers.jobs.kinds import job_kind
from papers.jobs.queue import enqueue_coalesced
from papers.models import Paper, RelatedIndex, RelatedPaper
from papers.site.deferred import Deferred

logger = logging.getLogger(__name__)

STORED = 12  # kept per paper: drafts filtered at read time still leave enough to show
SHOWN = 8
LINK_WEIGHT = 0.35
COCITED_WEIGHT = 0.1
# Rows of scores computed at once: CHUNK × papers float32 (100 MB at 100,000 papers).
CHUNK = 256
# Rows whose lists are computed, then written, at once in a rebuild.
REBUILD_BATCH = 4096
# A column (word, tag, venue) in at least this share of the papers goes through the dense
# product (at most DENSE_MAX of them: n × DENSE_MAX float32 each way).
DENSE_SHARE = 0.02
DENSE_MAX = 256
# Columns of a block are searched for the best scores in this many groups (``_top``).
GROUPS = 1024
# Above this many papers changed at once (an import), the job rebuilds everything; and it
# refits (rebuilds) once this share of the library has changed since the last fit, so
# that new words enter the vocabulary.
UPDATE_LIMIT = 2_000
REFIT_SHARE = 0.1

UPDATE = "papers.related"


# -- reading ------------------------------------------------------------------------------


def related_to(paper, limit=SHOWN):
    """The stored neighbours of ``paper`` that are published, best first (one query)."""
    rows = (
        RelatedPaper.objects.filter(paper=paper, other__status="published")
        .select_related("other")
        .only("score", "other__slug", "other__title", "other__alias", "other__year")
        .order_by("rank")[:limit]
    )
    return [_with_score(row.other, row.score) for row in rows]


def _with_score(paper, score):
    paper.related_score = score
    return paper


def related_to_many(papers, limit=SHOWN):
    """Papers related to all of ``papers`` (a report's, a session's), by summed score.

    One query; the papers themselves are left out.
    """
    pks = [paper.pk for paper in papers]
    if not pks:
        return []
    rows = (
        RelatedPaper.objects.filter(paper__in=pks, other__status="published")
        .exclude(other__in=pks)
        .select_related("other")
        .only("score", "paper_id", "other__slug", "other__title", "other__alias", "other__year")
    )
    totals, found = {}, {}
    for row in rows:
        totals[row.other_id] = totals.get(row.other_id, 0.0) + row.score
        found[row.other_id] = row.other
    best = sorted(totals, key=lambda pk: (-totals[pk], found[pk].title))[:limit]
    return [_with_score(found[pk], totals[pk]) for pk in best]


# -- the vectors and the scores -------------------------------------------------------------


class Library:
    """The published papers as vectors: ``pks`` (row order), ``vectors`` (CSR, rows
    L2-normalised) and ``links`` (CSR adjacency: previous work, follow-ups, mentions).

    Scores of a block of rows against every paper are one dense array, filled by two
    products: the columns (words, tags, venues) that many papers share go through a dense
    BLAS product, whose cost does not depend on how many papers share them; the rare rest
    (most authors and words) through a sparse product, whose cost grows with the square of
    a column's papers. Splitting at ``DENSE_SHARE`` is what keeps a rebuild at 100,000
    papers to minutes: either product alone is several times slower.
    """

    def __init__(self, pks, vectors, links):
        import numpy as np

        self.pks = [int(pk) for pk in pks]
        self.row = {pk: i for i, pk in enumerate(self.pks)}
        self.vectors = vectors.tocsr().astype(np.float32)
        self.links = links
        self._parts = None

    def __len__(self):
        return len(self.pks)

    def _split(self):
        import numpy as np

        if self._parts is None:
            n = len(self)
            papers_per_column = np.bincount(self.vectors.indices, minlength=self.vectors.shape[1])
            common = np.nonzero(papers_per_column >= max(2, DENSE_SHARE * n))[0]
            common = common[np.argsort(-papers_per_column[common], kind="stable")][:DENSE_MAX]
            is_common = np.zeros(self.vectors.shape[1], dtype=bool)
            is_common[common] = True
            dense = np.ascontiguousarray(self.vectors[:, np.sort(common)].toarray())
            # Padded to whole groups of columns (``_top``); the padding scores -inf.
            padded = _groups(n)[0] * _groups(n)[1]
            dense_t = np.zeros((dense.shape[1], padded), dtype=np.float32)
            dense_t[:, :n] = dense.T
            rare = self.vectors[:, np.nonzero(~is_common)[0]].tocsr()
            self._parts = (dense, dense_t, rare, rare.T.tocsr(), padded)
        return self._parts

    def scores(self, rows, link_weight=LINK_WEIGHT, cocited_weight=COCITED_WEIGHT):
        """``len(rows) × n`` float32 scores of ``rows`` against every paper."""
        return self._block(rows, link_weight, cocited_weight)[:, : len(self)]

    def _block(self, rows, link_weight=LINK_WEIGHT, cocited_weight=COCITED_WEIGHT):
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        dense, dense_t, rare, rare_t, padded = self._split()
        block = dense[rows] @ dense_t
        _add(block, rare[rows] @ rare_t)
        if link_weight and self.links.nnz:
            link_rows = self.links[rows]
            _add(block, link_weight * link_rows)
            if cocited_weight:
                both = (link_rows @ self.links).tocsr()
                np.minimum(both.data, 1.0, out=both.data)
                _add(block, cocited_weight * both)
        block[:, len(self) :] = -np.inf
        block[np.arange(len(rows)), rows] = -np.inf  # never one's own neighbour
        return block

    def top(self, rows, k=STORED, **weights):
        """``(others, scores)``: ``len(rows) × k`` arrays, best first; -1 / 0 where a row
        has fewer than ``k`` papers of positive score."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        others = np.full((len(rows), k), -1, dtype=np.int64)
        scores = np.zeros((len(rows), k), dtype=np.float32)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            found, values = _top(self._block(chunk, **weights), len(self), k)
            others[start : start + CHUNK, : found.shape[1]] = found
            scores[start : start + CHUNK, : found.shape[1]] = values
        others[scores <= 0] = -1
        scores[others < 0] = 0
        return others, scores

    def neighbours(self, rows, k=STORED, **weights):
        """``{row: [(other row, score), …]}``, best first, scores above zero only."""
        others, scores = self.top(rows, k, **weights)
        return {
            int(row): [
                (int(other), float(score))
                for other, score in zip(others[i], scores[i], strict=True)
                if other >= 0
            ]
            for i, row in enumerate(rows)
        }


def _add(block, matrix):
    """``block += matrix`` for a sparse ``matrix`` (no dense copy of it)."""
    import numpy as np

    matrix = matrix.tocoo()
    if matrix.nnz:
        block[matrix.row, matrix.col] += matrix.data.astype(np.float32)


def _groups(n):
    """``(groups, width)``: column j of a block is in group ``j % groups``."""
    width = max(1, -(-n // GROUPS))
    return -(-n // width), width


def _top(block, n, k):
    """The ``k`` best columns of each row of ``block`` and their scores, best first.

    A full sort (or ``argpartition``) of 100,000 columns per row is what cost most: instead
    the maximum of each group of columns is taken (one pass: an element-wise maximum of
    ``width`` slices), and only the ``k`` groups with the highest maxima are searched.
    They hold the ``k`` best: a column outside them is beaten by ``k`` group maxima. Within
    them ties are broken by column; a tie at the ``k``-th score between groups is decided
    by which groups were searched. Either way the result depends on the row's scores only,
    not on which rows were computed together.
    """
    import numpy as np

    m = block.shape[0]
    groups, width = _groups(n)
    kk = min(k, n - 1)
    if kk <= 0:
        return np.zeros((m, 0), dtype=np.int64), np.zeros((m, 0), dtype=np.float32)
    shaped = block.reshape(m, width, groups)
    if groups > kk:
        best = np.argpartition(-shaped.max(axis=1), kk - 1, axis=1)[:, :kk]
    else:
        best = np.broadcast_to(np.arange(groups), (m, groups))
    candidates = np.take_along_axis(shaped, best[:, None, :], axis=2).reshape(m, -1)
    columns = (np.arange(width)[None, :, None] * groups + best[:, None, :]).reshape(m, -1)
    order = np.lexsort((columns, -candidates), axis=1)[:, :kk]
    picked = np.take_along_axis(columns, order, axis=1)
    return picked, np.take_along_axis(candidates, order, axis=1)


def _links(pks):
    """CSR adjacency of ``pks`` (rows in that order): previous work and mentions, both ways."""
    import numpy as np
    from scipy import sparse

    n = len(pks)
    pks = np.asarray(pks, dtype=np.int64)
    pairs = [np.zeros((0, 2), dtype=np.int64)]
    with connection.cursor() as cursor:
        for through in (Paper.related.through, Paper.mentions.through):
            table = connection.ops.quote_name(through._meta.db_table)
            cursor.execute(f"SELECT from_paper_id, to_paper_id FROM {table}")  # noqa: S608
            pairs.append(np.asarray(cursor.fetchall(), dtype=np.int64).reshape(-1, 2))
    pairs = np.concatenate(pairs)
    order = np.argsort(pks, kind="stable")
    a = related_model._rows_of(pks, order, pairs[:, 0])
    b = related_model._rows_of(pks, order, pairs[:, 1])
    kept = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[kept], b[kept]
    links = sparse.csr_matrix(
        (np.ones(2 * len(a), dtype=np.float32), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    )
    links.sum_duplicates()
    links.data[:] = 1.0
    return links


def _indicator(pairs, row_of, n):
    """A CSR n × m 0/1 matrix from ``(pk, key)`` pairs (the shared-tag baseline)."""
    import numpy as np
    from scipy import sparse

    columns, rows, cols = {}, [], []
    for pk, key in pairs:
        if pk in row_of and key is not None:
            rows.append(row_of[pk])
            cols.append(columns.setdefault(key, len(columns)))
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(n, max(len(columns), 1)))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _published_pks():
    return list(Paper.objects.published().order_by("pk").values_list("pk", flat=True))


def load_library(link_signals=True):
    """Every published paper, vectorised by a model fitted on them (the evaluation's view)."""
    from scipy import sparse

    pks = _published_pks()
    model = related_model.Model.fit(pks)
    links = _links(pks) if link_signals else sparse.csr_matrix((len(pks), len(pks)))
    return Library(pks, model.vectors, links)


# -- storing ------------------------------------------------------------------------------


def _state():
    """The one ``RelatedIndex`` row, locked until the transaction ends: one job at a time
    changes the lists and the stored model."""
    state = RelatedIndex.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state, _ = RelatedIndex.objects.get_or_create(pk=1)
        state = RelatedIndex.objects.select_for_update().get(pk=1)
    return state


def _store(library, rows, others, scores):
    """Insert the lists of ``rows`` with the driver alone: at 100,000 papers there are 1.2
    million rows, and model instances (``bulk_create``) cost more than the similarities."""
    import numpy as np

    pks = np.asarray(library.pks, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    table = connection.ops.quote_name(RelatedPaper._meta.db_table)
    columns = "paper_id, other_id, rank, score"
    stored = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            i, rank = np.nonzero(others[start : start + 10_000] >= 0)
            other = others[start + i, rank]
            records = zip(
                pks[rows[start + i]].tolist(),
                pks[other].tolist(),
                rank.tolist(),
                scores[start + i, rank].astype(float).tolist(),
                strict=True,
            )
            stored += len(i)
            if connection.vendor == "postgresql":
                text = "".join(f"{a}\t{b}\t{r}\t{s!r}\n" for a, b, r, s in records)
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    list(records),
                )
    return stored


def rebuild(progress=None, refit=True):
    """Refit the model and recompute every published paper's list; returns figures.

    ``refit=False`` keeps the stored model (if there is one): the lists an update
    rewrites are then exactly the ones that differ.
    """
    import numpy as np

    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        state = _state()
        model = None if refit else related_model.Model.load(state.token)
        if model is None:
            model = related_model.Model.fit(_published_pks())
        library = Library(model.pks, model.vectors, _links(model.pks))
        loaded, loaded_cpu = time.perf_counter(), time.process_time()
        RelatedPaper.objects.all().delete()
        stored = 0
        for start in range(0, len(library), REBUILD_BATCH):
            rows = np.arange(start, min(len(library), start + REBUILD_BATCH))
            others, scores = library.top(rows)
            model.floor[rows] = _floors(others, scores)
            stored += _store(library, rows, others, scores)
            if progress:
                progress(done=int(rows[-1]) + 1, total=len(library))
        _save(model, state, fitted=refit)
    _changed()
    return {
        "papers": len(library),
        "lists": stored,
        "load_seconds": round(loaded - started, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        # CPU seconds (all threads): on a shared machine the wall clock measures the load too.
        "load_cpu_seconds": round(loaded_cpu - cpu, 2),
        "total_cpu_seconds": round(time.process_time() - cpu, 2),
    }


def _floors(others, scores):
    """The score to beat to enter each list: its last one when full, else 0."""
    import numpy as np

    return np.where(others[:, -1] >= 0, scores[:, -1], 0).astype(np.float32)


def _save(model, state, fitted=False, changed=0):
    token = uuid.uuid4().hex
    model.save(token)
    state.token = token
    state.papers = len(model)
    if fitted:
        state.fitted_at = timezone.now()
        state.changed_since_fit = 0
    else:
        state.changed_since_fit += changed
    state.save()


def update(paper_pks):
    """Bring the stored lists up to date after ``paper_pks`` changed (or were deleted).

    The saved papers are vectorised with the stored model and put in place of their old
    vectors (no refit: that is the rebuild's). Then the changed papers' own lists, the
    lists that held one of them, and the lists one of them now enters (its score beats the
    list's last one) are recomputed: every list that can differ from computing them all
    again with the same model. Returns how many lists were rewritten. Without a stored
    model (or after ``REFIT_SHARE`` of the library changed since the fit) it rebuilds.
    """
    changed = sorted(set(paper_pks))
    with transaction.atomic():
        state = _state()
        model = related_model.Model.load(state.token)
        stale = model is not None and state.changed_since_fit + len(changed) > REFIT_SHARE * max(
            len(model), UPDATE_LIMIT
        )
        rewritten = None if model is None or stale else _update(model, state, changed)
    if rewritten is None:
        return rebuild()["papers"]
    _changed(rewritten)
    return len(rewritten)


def _update(model, state, changed):
    import numpy as np

    published = Paper.objects.published().filter(pk__in=changed)
    published = sorted(published.values_list("pk", flat=True))
    model.replace(changed, published, model.transform(published))
    library = Library(model.pks, model.vectors, _links(model.pks))
    changed_rows = [library.row[pk] for pk in published]
    affected = set(changed_rows)
    holders = RelatedPaper.objects.filter(other__in=changed).values_list("paper_id", flat=True)
    affected.update(library.row[pk] for pk in holders if pk in library.row)
    for start in range(0, len(changed_rows), CHUNK):
        # Symmetric scores: column j of these rows is what paper j would see of them.
        best = library.scores(changed_rows[start : start + CHUNK]).max(axis=0)
        affected.update(np.nonzero(best > model.floor)[0].tolist())
    rows = np.asarray(sorted(affected), dtype=np.int64)
    others, scores = library.top(rows)
    model.floor[rows] = _floors(others, scores)
    RelatedPaper.objects.filter(
        Q(paper__in=[library.pks[row] for row in rows]) | Q(paper__in=changed)
    ).delete()
    _store(library, rows, others, scores)
    _save(model, state, changed=len(changed))
    return sorted({*(library.pks[row] for row in rows), *changed})


def _changed(papers=None):
    """Pages show the lists, and bulk writes send no signals: the cached pages go, and the
    kept pages of the papers whose lists were rewritten (``papers``; all without it)."""
    from papers import pages
    from papers.site import cache

    if papers is None:
        cache.bump_content_version()
        return
    cache.bump_content_version(parts=False)
    pages.forget(papers)


# -- keeping up -----------------------------------------------------------------------------


def _merge(old, new):
    return {"papers": sorted({*old.get("papers", ()), *new["papers"]})[: UPDATE_LIMIT + 1]}


def updates_queued_at_end():
    """Collect the block's updates and queue them once; nothing is queued if it raises."""
    return _batched.collecting()


def queue_update(pks):
    """Queue the update of ``pks``'s neighbours (joining a job still waiting)."""
    batch = _batched.pending()
    if batch is not None:
        batch.update(pks)
        return None
    pks = sorted(set(pks))
    if not pks:
        return None
    return enqueue_coalesced(
        UPDATE,
        label=f"Related papers of {len(pks):,} paper{'s' if len(pks) != 1 else ''}",
        params={"papers": pks},
        dedupe_key=UPDATE,
        merge=_merge,
    )


# The papers whose neighbours a running batch (an import) changed: queued as one job at its
# end, not one coalescing query per saved paper (papers.refresh.references_announced_at_end).
_batched = Deferred("related_batched", set, queue_update)


@job_kind(UPDATE, time_limit=1800, verbose_name="Related papers updated")
def run_update(job, progress):
    pks = job.params["papers"]
    if len(pks) > UPDATE_LIMIT:
        figures = rebuild(progress)
        return {"rebuilt": True, **figures}
    progress(total=len(pks), force=True)
    rewritten = update(pks)
    progress(done=len(pks))
    return {"papers": len(pks), "lists_rewritten": rewritten}


def paper_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata/restore: `manage.py related --rebuild` afterwards
        # loaddata sets the row's many-to-many fields next, which sends m2m_changed
        # without a raw flag: the mark tells links_changed that this is still the restore.
        instance._restoring = True
        return
    queue_update([instance.pk])


def paper_deleted(sender, instance, **kwargs):
    """(pre_delete) The rows of and to it go with it (CASCADE): the lists that held it
    are refilled by the job."""
    holders = RelatedPaper.objects.filter(other=instance).values_list("paper_id", flat=True)
    queue_update([instance.pk, *holders])


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Previous work (paper ↔ paper) or tags (paper ↔ tag, either side) changed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if getattr(instance, "_restoring", False):  # a restored row (paper_saved)
        return
    papers = [instance.pk] if isinstance(instance, Paper) else []
    if reverse or sender is Paper.related.through:
        papers += list(pk_set or ())
    queue_update(papers)


# -- read next ------------------------------------------------------------------------------

READ_NEXT_LINK = 0.5  # a paper that builds on (or is built on by) a recent one
READ_NEXT_RECENCY = 0.2  # at most, for a paper of this year; nothing at ten years old
READ_NEXT_DECAY = 0.7  # each older session counts this much less


def read_next(recent, exclude=(), limit=5):
    """Candidates for the next sessions, with why: ``[(paper, reason)]``, best first.

    ``recent`` is ``[(label, paper pk)]``, newest first ("session 3"); ``exclude`` the
    papers already presented. A candidate scores by its similarity to the recent papers
    (weighted by how recent), a previous-work link with one, and its own recency. Four
    queries, whatever the library's size.
    """
    import datetime

    weights = {}
    labels = {}
    for position, (label, pk) in enumerate(recent):
        if pk not in weights:
            weights[pk] = READ_NEXT_DECAY**position
            labels[pk] = label
    if not weights:
        return []
    skip = set(exclude) | set(weights)
    scores, reasons = {}, {}

    def add(pk, value, reason):
        if pk in skip:
            return
        scores[pk] = scores.get(pk, 0.0) + value
        if value > reasons.get(pk, (0, ""))[0]:
            reasons[pk] = (value, reason)

    for source, other, score in RelatedPaper.objects.filter(paper__in=weights).values_list(
        "paper_id", "other_id", "score"
    ):
        add(other, weights[source] * score, f"similar to {labels[source]}")
    through = Paper.related.through.objects
    links = through.filter(Q(from_paper__in=weights) | Q(to_paper__in=weights))
    for builder, previous in links.values_list("from_paper_id", "to_paper_id"):
        if previous in weights:
            add(builder, weights[previous] * READ_NEXT_LINK, f"builds on {labels[previous]}")
        if builder in weights:
            add(previous, weights[builder] * READ_NEXT_LINK, f"previous work of {labels[builder]}")
    candidates = Paper.objects.published().filter(pk__in=scores)
    papers = {paper.pk: paper for paper in candidates.only("slug", "title", "alias", "year")}
    this_year = datetime.date.today().year
    for pk, paper in papers.items():
        age = this_year - paper.year if paper.year else 10
        scores[pk] += READ_NEXT_RECENCY * max(0.0, 1 - age / 10)
    best = sorted(papers, key=lambda pk: (-scores[pk], papers[pk].title))[:limit]
    return [(papers[pk], reasons[pk][1]) for pk in best]
