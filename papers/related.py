"""Related papers: "similar in this library", computed from the library's own content.

Why TF-IDF (scikit-learn) and not a sentence-embedding model: it needs no model download
and no GPU, it fits the words this library's owners actually use (aliases, acronyms, tag
names), a full rebuild at 100,000 papers is a few sparse matrix products, and every score
can be explained ("shares the tag diffusion", "builds on …"). Synonyms that share no word
("image generation" ≠ "diffusion") are handled by the small concept list of the
more-like-this search (papers/concepts.py), not by the vectors.

A paper's vector joins four blocks, each TF-IDF weighted and L2-normalised, then weighted
(``WEIGHTS``) and normalised again: its text (title twice, alias, abstract, the first
``NOTES_CHARS`` of the notes), its tags, its authors and its venue. The score of a pair
is the cosine of their vectors plus ``LINK_WEIGHT`` when one is the other's previous work
or names it in its notes, plus ``COCITED_WEIGHT`` when both build on a same paper.

Neighbours are stored (``RelatedPaper``, ``STORED`` per paper) and read with one indexed
query; a save queues a background job that updates the saved paper and the lists it enters
or leaves (``update``); ``rebuild`` recomputes everything in chunks of rows, so memory
stays bounded (no n × n matrix is ever built).
"""

import contextlib
import contextvars
import logging
import time

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Q
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from papers.jobs.kinds import job_kind

logger = logging.getLogger(__name__)

STORED = 12  # kept per paper: drafts filtered at read time still leave enough to show
SHOWN = 8
NOTES_CHARS = 20_000  # a 1 MB notes page says what it is about in its first pages
WEIGHTS = {"text": 1.0, "tags": 0.8, "authors": 0.35, "venue": 0.15}
LINK_WEIGHT = 0.35
COCITED_WEIGHT = 0.1
# Words kept per paper: its most distinctive ones. Common words (low weight) are what
# make an all-pairs product dense and slow; dropping them from each vector keeps the
# product sparse at 100,000 papers, and the score a true cosine (of the kept words).
TEXT_TERMS = 48
# Rows of similarities computed at once: CHUNK × papers float32 (64 MB at 100,000 papers).
CHUNK = 160
# Above this many papers changed at once (an import), the job rebuilds everything.
UPDATE_LIMIT = 2_000

UPDATE = "papers.related"


class RelatedPaper(models.Model):
    """One stored neighbour of a paper: ``other`` is ``paper``'s ``rank``-th most similar."""

    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ["paper", "rank"]
        # The one query of a page reads this index: WHERE paper_id = … ORDER BY rank.
        constraints = [
            models.UniqueConstraint(fields=["paper", "rank"], name="relatedpaper_paper_rank")
        ]

    def __str__(self):
        return f"{self.paper_id} → {self.other_id} ({self.score:.2f})"


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


# -- the vectors --------------------------------------------------------------------------


class Library:
    """The published papers as vectors: ``pks`` (row order), ``vectors`` (CSR, rows
    L2-normalised) and ``links`` (CSR adjacency: previous work, follow-ups, mentions)."""

    def __init__(self, pks, vectors, links):
        self.pks = pks
        self.row = {pk: i for i, pk in enumerate(pks)}
        self.vectors = vectors
        self.vectors_t = vectors.T.tocsr()
        self.links = links
        self.cocited = None  # links @ links, computed per chunk

    def __len__(self):
        return len(self.pks)

    def scores(self, rows, link_weight=LINK_WEIGHT, cocited_weight=COCITED_WEIGHT):
        """Dense ``len(rows) × n`` float32 scores of ``rows`` against every paper."""
        rows = np.asarray(rows, dtype=np.int64)
        block = (self.vectors[rows] @ self.vectors_t).toarray().astype(np.float32)
        if link_weight and self.links.nnz:
            link_rows = self.links[rows]
            block += link_weight * link_rows.toarray()
            if cocited_weight:
                both = (link_rows @ self.links).toarray()
                block += cocited_weight * np.minimum(both, 1.0)
        block[np.arange(len(rows)), rows] = -np.inf  # never one's own neighbour
        return block

    def neighbours(self, rows, k=STORED, **weights):
        """``{row: [(other row, score), …]}``, best first, scores above zero only."""
        found = {}
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            block = self.scores(chunk, **weights)
            kk = min(k, block.shape[1] - 1)
            if kk <= 0:
                found.update({row: [] for row in chunk})
                continue
            top = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
            for i, row in enumerate(chunk):
                picked = top[i][np.argsort(-block[i, top[i]], kind="stable")]
                found[row] = [(int(j), float(block[i, j])) for j in picked if block[i, j] > 0]
        return found


def _documents(pks):
    """The text of each paper (in ``pks`` order), read in batches without the HTML."""
    from papers.models import Paper

    texts = {}
    fields = ("pk", "title", "alias", "abstract", "notes")
    for start in range(0, len(pks), 2000):
        batch = pks[start : start + 2000]
        for pk, title, alias, abstract, notes in Paper.objects.filter(pk__in=batch).values_list(
            *fields
        ):
            texts[pk] = f"{title}\n{title}\n{alias}\n{abstract}\n{notes[:NOTES_CHARS]}"
    return [texts.get(pk, "") for pk in pks]


def _indicator(pairs, row_of, n):
    """A CSR n × m 0/1 matrix from ``(pk, key)`` pairs (tags, authors, venues)."""
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


def _tfidf(matrix):
    if matrix.nnz == 0:
        return matrix
    return TfidfTransformer(sublinear_tf=True).fit_transform(matrix).astype(np.float32)


def _text_vectors(documents):
    n = len(documents)
    vectorizer = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        # A word in over half the library (or in every title of a library of copies) tells
        # papers apart no more than "the"; dropping it also keeps the products sparse.
        max_df=0.5 if n >= 4 else 1.0,
        min_df=2 if n >= 50 else 1,
        max_features=200_000,
        dtype=np.float32,
        # Hyphenated terms stay whole ("low-rank", "few-shot"), one-letter words count.
        token_pattern=r"(?u)\b\w[\w-]*\w\b|\b\w\b",  # noqa: S106 - not a password
    )
    try:
        return _strongest(vectorizer.fit_transform(documents), TEXT_TERMS)
    except ValueError:  # no words at all (papers with no text, or only stop words)
        return sparse.csr_matrix((n, 1), dtype=np.float32)


def _strongest(matrix, keep):
    """``matrix`` (CSR) with only the ``keep`` largest values of each row."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    data, indptr = matrix.data, matrix.indptr
    lengths = np.diff(indptr)
    for row in np.nonzero(lengths > keep)[0]:
        start, end = indptr[row], indptr[row + 1]
        values = data[start:end]
        cut = np.partition(values, len(values) - keep)[len(values) - keep]
        smaller = values < cut
        # Ties at the cut may keep a few more than ``keep``: harmless, and deterministic.
        values[smaller] = 0
    matrix.eliminate_zeros()
    return matrix


def load_library(link_signals=True):
    """Vectors of every published paper (and its links), from a few batched queries."""
    from papers.models import Authorship, Paper, TaggedPaper

    published = Paper.objects.published()
    pks = list(published.order_by("pk").values_list("pk", flat=True))
    n = len(pks)
    if n == 0:
        empty = sparse.csr_matrix((0, 1), dtype=np.float32)
        return Library(pks, empty, sparse.csr_matrix((0, 0), dtype=np.float32))
    library_rows = {pk: i for i, pk in enumerate(pks)}
    text = _text_vectors(_documents(pks))
    tags = _indicator(
        TaggedPaper.objects.values_list("content_object_id", "tag_id").iterator(2000),
        library_rows,
        n,
    )
    authors = _indicator(
        Authorship.objects.values_list("paper_id", "author_id").iterator(2000), library_rows, n
    )
    venues = _indicator(
        published.exclude(venue="").values_list("pk", "published_in_id").iterator(2000),
        library_rows,
        n,
    )
    blocks = [
        WEIGHTS[name] * normalize(_tfidf(block))
        for name, block in (("text", text), ("tags", tags), ("authors", authors))
    ]
    blocks.append(WEIGHTS["venue"] * normalize(venues))
    vectors = normalize(sparse.hstack(blocks, format="csr", dtype=np.float32))
    links = sparse.csr_matrix((n, n), dtype=np.float32)
    if link_signals and n:
        pairs = list(
            Paper.related.through.objects.values_list("from_paper_id", "to_paper_id").iterator(2000)
        ) + list(
            Paper.mentions.through.objects.values_list("from_paper_id", "to_paper_id").iterator(
                2000
            )
        )
        rows, cols = [], []
        for a, b in pairs:
            if a in library_rows and b in library_rows and a != b:
                rows += [library_rows[a], library_rows[b]]
                cols += [library_rows[b], library_rows[a]]
        links = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n)
        )
        links.sum_duplicates()
        links.data[:] = 1.0
    return Library(pks, vectors, links)


# -- storing ------------------------------------------------------------------------------


def _store(library, found):
    """Insert the rows of ``found`` with the driver alone: at 100,000 papers there are 1.2
    million, and model instances (``bulk_create``) cost more than the similarities."""
    rows = [
        (library.pks[row], library.pks[other], rank, score)
        for row, others in found.items()
        for rank, (other, score) in enumerate(others)
    ]
    table = connection.ops.quote_name(RelatedPaper._meta.db_table)
    columns = "paper_id, other_id, rank, score"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
                rows,
            )
    return len(rows)


def rebuild(progress=None):
    """Recompute and store every published paper's neighbours; returns figures."""
    started = time.perf_counter()
    library = load_library()
    loaded = time.perf_counter()
    rows = list(range(len(library)))
    with transaction.atomic():
        RelatedPaper.objects.all().delete()
        for start in range(0, len(rows), 2000):
            found = library.neighbours(rows[start : start + 2000])
            _store(library, found)
            if progress:
                progress(done=min(len(rows), start + 2000), total=len(rows))
    _changed()
    return {
        "papers": len(library),
        "load_seconds": round(loaded - started, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
    }


def update(paper_pks):
    """Bring the stored lists up to date after ``paper_pks`` changed (or were deleted).

    Recomputes the changed papers' own lists, the lists that held one of them, and the
    lists one of them now enters (its score beats the list's last one): every list that
    can differ from a full rebuild's. Returns how many lists were rewritten.
    """
    library = load_library()
    changed = set(paper_pks)
    changed_rows = [library.row[pk] for pk in changed if pk in library.row]
    affected = set(changed_rows)
    holders = RelatedPaper.objects.filter(other__in=changed).values_list("paper_id", flat=True)
    affected.update(library.row[pk] for pk in holders if pk in library.row)
    if changed_rows:
        floor = {
            pk: (count, low)
            for pk, count, low in RelatedPaper.objects.values("paper_id")
            .annotate(count=models.Count("pk"), low=models.Min("score"))
            .values_list("paper_id", "count", "low")
        }
        for start in range(0, len(changed_rows), CHUNK):
            chunk = changed_rows[start : start + CHUNK]
            # Symmetric scores: column j of these rows is what paper j would see of them.
            best = library.scores(chunk).max(axis=0)
            for j in np.nonzero(best > 0)[0]:
                count, low = floor.get(library.pks[j], (0, 0.0))
                if count < STORED or best[j] > low:
                    affected.add(int(j))
    rows = sorted(affected)
    found = library.neighbours(rows) if rows else {}
    with transaction.atomic():
        RelatedPaper.objects.filter(
            Q(paper__in=[library.pks[row] for row in rows]) | Q(paper__in=changed)
        ).delete()
        _store(library, found)
    _changed()
    return len(rows)


def _changed():
    from papers.site import cache

    cache.bump_content_version()  # pages show the lists: bulk writes send no signals


# -- keeping up -----------------------------------------------------------------------------


def _merge(old, new):
    return {"papers": sorted({*old.get("papers", ()), *new["papers"]})[: UPDATE_LIMIT + 1]}


# The papers whose neighbours a running batch (an import) changed: queued as one job at its
# end, not one coalescing query per saved paper (papers.signals.references_announced_at_end).
_batched = contextvars.ContextVar("related_batched", default=None)


@contextlib.contextmanager
def updates_queued_at_end():
    """Collect the block's updates and queue them once; nothing is queued if it raises."""
    if _batched.get() is not None:  # nested: the outer block queues
        yield
        return
    pending = set()
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
    queue_update(pending)


def queue_update(pks):
    """Queue the update of ``pks``'s neighbours (joining a job still waiting)."""
    from papers.refresh import enqueue_coalesced

    batch = _batched.get()
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
    from papers.models import Paper

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

    from papers.models import Paper

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
