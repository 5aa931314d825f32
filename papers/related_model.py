"""The fitted vectors of related papers, kept between jobs (``papers.related`` uses them).

A full rebuild fits the model: the text vocabulary and its IDF (scikit-learn's
``TfidfVectorizer``), the IDF of each tag and author, and every published paper's vector.
The model is written to disk (``settings.RELATED_MODEL_DIR``, by default
``MEDIA_ROOT/var/related``, a folder the media view never serves) so that the job run
after a save transforms only the saved papers with the stored vocabulary and compares
them with the stored vectors, instead of re-reading and refitting the whole library
(a minute at 100,000 papers). Words first used after the fit are not in the vocabulary
until the next rebuild; tags, authors and venues first used after it get a column of
their own at once (as rare as a key can be).

A paper's vector joins four blocks, each L2-normalised and then weighted (``WEIGHTS``),
and is normalised again: its text (title twice, alias, abstract, the first
``NOTES_CHARS`` of the notes), its tags and its authors (IDF weighted) and its venue.
"""

import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models.functions import Substr

from papers.models import Authorship, Paper, TaggedPaper

# numpy, scipy and scikit-learn are imported inside the functions that build vectors: they
# take over a second to import (ten under load), which every process loading the URLs (a
# job worker, a `manage.py` command, a gunicorn worker) would otherwise pay without using
# them. (``TEXT_OPTIONS`` gets its ``dtype``, numpy's float32, where it is used.)

NOTES_CHARS = 20_000  # a 1 MB notes page says what it is about in its first pages
WEIGHTS = {"text": 1.0, "tags": 0.8, "authors": 0.35, "venue": 0.15}
KINDS = ("tags", "authors", "venue")  # the key blocks, in column order after the text
# Words kept per paper: its most distinctive ones. Common words (low weight) are what
# make an all-pairs product dense and slow; dropping them from each vector keeps the
# product sparse at 100,000 papers, and the score a true cosine (of the kept words).
TEXT_TERMS = 48
TEXT_OPTIONS = {
    "stop_words": "english",
    "sublinear_tf": True,
    # Hyphenated terms stay whole ("low-rank", "few-shot"), one-letter words count.
    "token_pattern": r"(?u)\b\w[\w-]*\w\b|\b\w\b",
}
BATCH = 2000


def model_path():
    folder = settings.RELATED_MODEL_DIR or Path(settings.MEDIA_ROOT) / "var"
    return Path(folder) / "related" / "model.npz"


class Model:
    """Vocabulary, IDFs and the vectors of the published papers (rows in ``pks`` order).

    ``keys`` are the columns after the text's: ``(kind, id)`` (``kind`` an index of
    ``KINDS``) with their IDF. ``floor`` is, per row, the score a paper must beat to enter
    that row's stored list (0 while the list is not full). ``token`` names this state: the
    database keeps the token of the model its lists were computed with.
    """

    def __init__(self, terms, idf, key_kind, key_id, key_idf, pks, vectors, floor, token=""):
        self.terms, self.idf = terms, idf
        self.key_kind, self.key_id, self.key_idf = key_kind, key_id, key_idf
        self.pks, self.vectors, self.floor, self.token = pks, vectors, floor, token
        self._columns = None

    def __len__(self):
        return len(self.pks)

    # -- fitting and transforming --------------------------------------------------------

    @classmethod
    def fit(cls, pks):
        """Fit the vocabulary and the IDFs on the papers ``pks`` and vectorise them."""
        import numpy as np
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(pks)
        pks = np.asarray(pks, dtype=np.int64)
        vectorizer = TfidfVectorizer(
            # A word in over half the library (or in every title of a library of copies)
            # tells papers apart no more than "the"; dropping it also keeps products sparse.
            max_df=0.5 if n >= 4 else 1.0,
            min_df=2 if n >= 50 else 1,
            max_features=200_000,
            dtype=np.float32,
            **TEXT_OPTIONS,
        )
        try:
            text = vectorizer.fit_transform(_documents(pks))
            terms, idf = list(vectorizer.get_feature_names_out()), vectorizer.idf_
        except ValueError:  # no words at all (papers with no text, or only stop words)
            text = sparse.csr_matrix((n, 0), dtype=np.float32)
            terms, idf = [], np.zeros(0, dtype=np.float32)
        kinds, ids, idfs = [], [], []
        pairs = _key_pairs(pks)
        for kind, (rows, keys) in enumerate(pairs):
            unique, counts = np.unique(_dedupe(rows, keys)[1], return_counts=True)
            kinds.append(np.full(len(unique), kind, dtype=np.int8))
            ids.append(unique)
            # scikit-learn's smooth IDF; a venue is one column per paper, not weighted.
            weight = np.log((1 + n) / (1 + counts)) + 1
            if KINDS[kind] == "venue":
                weight = np.ones(len(counts))
            idfs.append(weight.astype(np.float32))
        model = cls(
            terms,
            np.asarray(idf, dtype=np.float32),
            np.concatenate(kinds),
            np.concatenate(ids),
            np.concatenate(idfs),
            pks,
            None,
            np.zeros(n, dtype=np.float32),
        )
        model.vectors = model._vectorise(text, pairs, n)
        return model

    def transform(self, pks):
        """Vectors of the papers ``pks`` with this model's vocabulary (new keys added)."""
        import numpy as np
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        pks = np.asarray(pks, dtype=np.int64)
        if self.terms:
            vectorizer = TfidfVectorizer(vocabulary=self.terms, dtype=np.float32, **TEXT_OPTIONS)
            vectorizer.idf_ = self.idf
            text = vectorizer.transform(_documents(pks))
        else:
            text = sparse.csr_matrix((len(pks), 0), dtype=np.float32)
        return self._vectorise(text, _key_pairs(pks), len(pks), grow=True)

    def _vectorise(self, text, pairs, n, grow=False):
        import numpy as np
        from scipy import sparse

        columns, offset = self._key_columns(), len(self.terms)
        resolved = []
        for kind, (rows, keys) in enumerate(pairs):
            rows, keys = _dedupe(rows, keys)
            cols = np.empty(len(keys), dtype=np.int64)
            for i, key in enumerate(keys.tolist()):
                col = columns.get((kind, key))
                if col is None and grow:
                    col = columns[(kind, key)] = self._add_key(kind, key)
                cols[i] = -1 if col is None else col - offset
            kept = cols >= 0
            resolved.append((kind, rows[kept], cols[kept]))
        width = len(self.key_idf)
        keys = sparse.csr_matrix((n, width), dtype=np.float32)
        for kind, rows, cols in resolved:
            block = sparse.csr_matrix(
                (self.key_idf[cols], (rows, cols)), shape=(n, width), dtype=np.float32
            )
            keys = keys + WEIGHTS[KINDS[kind]] * _normalize(block)
        text = WEIGHTS["text"] * _normalize(_strongest(text.astype(np.float32), TEXT_TERMS))
        vectors = sparse.hstack([text, keys], format="csr", dtype=np.float32)
        return _normalize(vectors).astype(np.float32)

    def _key_columns(self):
        if self._columns is None:
            offset = len(self.terms)
            self._columns = {
                (int(kind), int(key)): offset + i
                for i, (kind, key) in enumerate(zip(self.key_kind, self.key_id, strict=True))
            }
        return self._columns

    def _add_key(self, kind, key):
        import numpy as np

        n = len(self.pks) + 1
        weight = np.log((1 + n) / 2) + 1 if KINDS[kind] != "venue" else 1.0  # df = 1
        self.key_kind = np.append(self.key_kind, np.int8(kind))
        self.key_id = np.append(self.key_id, np.int64(key))
        self.key_idf = np.append(self.key_idf, np.float32(weight))
        self.vectors.resize((self.vectors.shape[0], len(self.terms) + len(self.key_idf)))
        return len(self.terms) + len(self.key_idf) - 1

    def replace(self, removed, added_pks, added_vectors):
        """Drop the rows of ``removed`` pks, then put ``added`` (new or changed) at the end."""
        import numpy as np
        from scipy import sparse

        gone = np.isin(self.pks, np.asarray([*removed, *added_pks], dtype=np.int64))
        keep = np.nonzero(~gone)[0]
        width = max(self.vectors.shape[1], added_vectors.shape[1])
        old = self.vectors[keep]
        old.resize((len(keep), width))
        added_vectors = added_vectors.tocsr()
        added_vectors.resize((added_vectors.shape[0], width))
        self.vectors = sparse.vstack([old, added_vectors], format="csr", dtype=np.float32)
        self.pks = np.concatenate([self.pks[keep], np.asarray(added_pks, dtype=np.int64)])
        self.floor = np.concatenate([self.floor[keep], np.zeros(len(added_pks), np.float32)])

    # -- on disk ----------------------------------------------------------------------------

    def save(self, token):
        """Write the model (to a temporary file, then renamed: a reader never sees half)."""
        import numpy as np

        self.token = token
        path = model_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        vectors = self.vectors.tocsr()
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    terms=np.frombuffer("\n".join(self.terms).encode(), dtype=np.uint8),
                    idf=self.idf,
                    key_kind=self.key_kind,
                    key_id=self.key_id,
                    key_idf=self.key_idf,
                    pks=self.pks,
                    data=vectors.data,
                    indices=vectors.indices,
                    indptr=vectors.indptr,
                    shape=np.asarray(vectors.shape, dtype=np.int64),
                    floor=self.floor,
                    token=np.frombuffer(token.encode(), dtype=np.uint8),
                )
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, token):
        """The stored model if it is the one named ``token``, else None."""
        import numpy as np
        from scipy import sparse

        try:
            with np.load(model_path()) as stored:
                if bytes(stored["token"]).decode() != token:
                    return None
                text = bytes(stored["terms"]).decode()
                vectors = sparse.csr_matrix(
                    (stored["data"], stored["indices"], stored["indptr"]),
                    shape=tuple(stored["shape"]),
                )
                return cls(
                    text.split("\n") if text else [],
                    stored["idf"],
                    stored["key_kind"],
                    stored["key_id"],
                    stored["key_idf"],
                    stored["pks"],
                    vectors,
                    stored["floor"],
                    token,
                )
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            # None yet, or unreadable (a disk that filled up mid-write): the job refits.
            return None


def _documents(pks):
    """The text of each paper, in ``pks`` order, read a batch at a time (a generator: the
    vectorizer reads each once, so the library's text is never all in memory), the notes
    cut in the database."""
    for start in range(0, len(pks), BATCH):
        batch = [int(pk) for pk in pks[start : start + BATCH]]
        rows = (
            Paper.objects.filter(pk__in=batch)
            .annotate(head=Substr("notes", 1, NOTES_CHARS))
            .values_list("pk", "title", "alias", "abstract", "head")
        )
        texts = {
            pk: f"{title}\n{title}\n{alias}\n{abstract}\n{notes}"
            for pk, title, alias, abstract, notes in rows
        }
        yield from (texts.get(pk, "") for pk in batch)


def _key_pairs(pks):
    """``[(rows, keys)]`` per kind of ``KINDS``: row in ``pks`` order, tag/author/venue id."""
    import numpy as np

    pks = np.asarray(pks, dtype=np.int64)
    order = np.argsort(pks, kind="stable")
    whole = len(pks) > BATCH  # the whole library: one pass over each table, no IN list
    queries = (
        TaggedPaper.objects.values_list("content_object_id", "tag_id"),
        Authorship.objects.values_list("paper_id", "author_id"),
        Paper.objects.exclude(venue="")
        .exclude(published_in=None)
        .values_list("pk", "published_in_id"),
    )
    fields = ("content_object_id__in", "paper_id__in", "pk__in")
    found = []
    for query, field in zip(queries, fields, strict=True):
        if not whole:
            query = query.filter(**{field: [int(pk) for pk in pks]})
        pairs = np.asarray(list(query.iterator(BATCH)), dtype=np.int64).reshape(-1, 2)
        rows = _rows_of(pks, order, pairs[:, 0])
        kept = rows >= 0
        found.append((rows[kept], pairs[kept, 1]))
    return found


def _rows_of(pks, order, wanted):
    """Row of each of ``wanted`` in ``pks`` (sorted by ``order``), -1 when absent."""
    import numpy as np

    if len(pks) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    sorted_pks = pks[order]
    at = np.minimum(np.searchsorted(sorted_pks, wanted), len(pks) - 1)
    return np.where(sorted_pks[at] == wanted, order[at], -1)


def _normalize(matrix):
    """Rows L2-normalised; scikit-learn's ``normalize`` refuses an empty matrix."""
    from sklearn.preprocessing import normalize

    if 0 in matrix.shape:
        return matrix.tocsr()
    return normalize(matrix)


def _dedupe(rows, keys):
    import numpy as np

    if len(rows) == 0:
        return rows, keys
    pairs = np.unique(np.stack([rows, keys], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _strongest(matrix, keep):
    """``matrix`` (CSR) with only the ``keep`` largest values of each row."""
    import numpy as np

    matrix = matrix.tocsr()
    matrix.sort_indices()
    data, indptr = matrix.data, matrix.indptr
    lengths = np.diff(indptr)
    for row in np.nonzero(lengths > keep)[0]:
        start, end = indptr[row], indptr[row + 1]
        values = data[start:end]
        cut = np.partition(values, len(values) - keep)[len(values) - keep]
        # Ties at the cut may keep a few more than ``keep``: harmless, and deterministic.
        values[values < cut] = 0
    matrix.eliminate_zeros()
    return matrix
