"""Full-text search: one entry point, two implementations chosen by the database.

Every searchable model (papers, reports, sessions) stores its own search document when it
is saved: ``search_text`` (plain text of everything searchable) and, on PostgreSQL,
``search_vector`` (a weighted ``tsvector`` with a GIN index). ``search()`` then filters
and ranks a queryset of such a model:

- PostgreSQL: ``websearch_to_tsquery`` (quotes, ``-word``, ``or``), ``ts_rank`` with the
  weights A (title, alias) > B (authors, tags…) > C (abstract, notes, body), highlighted
  snippets by ``ts_headline``, and pg_trgm similarity on titles and aliases so that a typo
  ("mambda") or a spelling ("gpt3") still finds the paper.
- Anything else (SQLite): the same query syntax, parsed here, matched with ``icontains``
  on the stored plain text (on SQLite only in the rows its trigram index,
  papers/site/trigrams.py, says can hold the words); title hits rank first. Snippets
  are cut in Python.
"""

import html
import re
from array import array
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connections, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Lookup,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils.safestring import mark_safe

from papers.site import cache, trigrams
from papers.site.deferred import Deferred

CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
# Above this many full-text matches, fuzzy similarity no longer adds to the rank.
FUZZY_RANK_LIMIT = 1000
# ts_headline and the Python fallback mark hits with these; they are escaped and replaced
# by <mark> afterwards, so nothing from the document itself can become HTML.
_START, _STOP = "\x02", "\x03"
_SEPARATOR = "\x1e"  # between the body and the short fields in ``search_text``
_EDGE_PUNCTUATION = ".,;:!?()[]{}<>'\"`“”‘’«»"
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Everything searchable is indexed, but a snippet only needs the start of a long report.
MAX_DOCUMENT_LENGTH = 100_000


def uses_postgres(using="default"):
    return connections[using].vendor == "postgresql"


# --- the query -----------------------------------------------------------------------


@dataclass
class Term:
    text: str
    negated: bool = False
    phrase: bool = False


@dataclass
class ParsedQuery:
    """A query in the websearch syntax: groups are ANDed, terms in a group are ORed."""

    raw: str
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def is_empty(self):
        """True when nothing positive is left to look for (only punctuation, ``-``…)."""
        return not self.groups

    @property
    def is_plain(self):
        """Plain words only: no quotes, no ``-word``, no ``or`` (fuzzy matching applies)."""
        return not self.excluded and all(
            len(group) == 1 and not group[0].phrase for group in self.groups
        )

    @property
    def words(self):
        return [term.text for group in self.groups for term in group]


def _clean(text):
    text = text.strip(_EDGE_PUNCTUATION)
    return text if any(char.isalnum() for char in text) else ""


def parse_query(raw):
    """Parse ``raw`` as ``websearch_to_tsquery`` does: ``"a phrase"``, ``-word``, ``or``."""
    query = ParsedQuery(raw=raw)
    join_next = False
    count = 0
    for match in _TOKEN.finditer(raw):
        if count >= MAX_TERMS:
            break
        minus, quoted, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                join_next = bool(query.groups)
                continue
            negated = word.startswith("-") and len(word) > 1
            term = Term(_clean(word[1:] if negated else word), negated=negated)
        else:
            term = Term(" ".join(_clean(part) for part in quoted.split()).strip(), bool(minus))
            term.phrase = " " in term.text
        if not term.text:
            continue
        count += 1
        if term.negated:
            query.excluded.append(term)
        elif join_next:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        join_next = False
    return query


# --- the stored document --------------------------------------------------------------


def _document_texts(parts):
    """``(plain text, {weight: text})`` of a document made of weighted ``parts``."""
    texts = {weight: " \n".join(text for text in parts.get(weight, []) if text) for weight in "ABC"}
    # The body comes first, then a separator, then title, authors, tags: snippets are cut
    # from the body only, so they never repeat what the result's heading already shows.
    body = _CONTROL.sub(" ", texts["C"][:MAX_DOCUMENT_LENGTH])
    rest = _CONTROL.sub(" ", "\n".join(texts[w] for w in "AB" if texts[w]))
    weighted = {w: _CONTROL.sub(" ", texts[w][:MAX_DOCUMENT_LENGTH]) for w in "ABC"}
    return f"{body}{_SEPARATOR}{rest}", weighted


class NameInOtherDocuments:
    """For a model whose ``name`` is written into other rows' search documents (a tag, an
    author): remembers the name as loaded, so that a save that leaves it as it was (a new
    description, an affiliation) queues no rewrite of those documents (``name_changed``).
    """

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._name_as_loaded = instance.__dict__.get("name")
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)  # post_save receivers still see the old name
        self._name_as_loaded = self.name


def name_changed(instance):
    """Whether ``instance.name`` differs from the loaded one (True when unknown)."""
    loaded = getattr(instance, "_name_as_loaded", None)
    return loaded is None or loaded != instance.name


def defer(model, pk):
    """``True`` (and ``pk`` remembered) inside ``documents_written_at_end()``: the caller
    skips writing the document now; it is written once at the end of the block."""
    pending = _deferred.pending()
    if pending is None:
        return False
    pending.setdefault(model, set()).add(pk)
    return True


def documents_written_at_end():
    """Write the search documents of the rows saved in this block once, at its end.

    An import saves a paper before its byline and tags exist (they are bulk-inserted,
    without signals): writing its document on save cost three queries and missed them.
    Nested blocks leave the writing to the outermost one. Nothing is written if it raises.
    """
    return _deferred.collecting()


def _write_deferred(pending):
    for model, pks in pending.items():
        rebuild_documents(model, pks=sorted(pks))


# {model: pks} of the rows whose documents a block's saves left to its end.
_deferred = Deferred("deferred_search_documents", dict, _write_deferred)


def store_document(model, pk, parts):
    """Write the search document of one row without touching its other columns (unless it
    holds that document already: ``_write_documents``)."""
    using = model._default_manager.db
    _write_documents(model, [(pk, None, parts)], using)
    # Whether or not the document changed: the save that asks for it may have changed what
    # the kept search results depend on besides the text (the row's status or date).
    cache.search_rows_changed(model, [pk], using)  # the kept search results (config/search.py)


def rebuild_documents(model, batch_size=500, pks=None):
    """Rewrite the search document of every row of ``model`` (or of the rows ``pks``);
    returns the number of rows.

    Rows are read in batches by primary key with what ``search_parts()`` needs prefetched
    (``model.SEARCH_PREFETCH``), and each batch is written by one ``bulk_update`` (one
    prepared ``UPDATE`` without PostgreSQL): a few queries per batch instead of three per
    row (100,000 papers: minutes, not a quarter of an hour).
    """
    manager = model._default_manager
    using = manager.db
    last_pk, count = None, 0
    while True:
        batch = manager.order_by("pk").prefetch_related(*model.SEARCH_PREFETCH)
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        if pks is not None:
            chosen = [pk for pk in pks if last_pk is None or pk > last_pk][:batch_size]
            batch = batch.filter(pk__in=chosen)
        batch = list(batch[:batch_size])
        if not batch:
            # The kept search results (config/search.py): a few rows are matched again.
            if pks is None:
                cache.bump_search(using)
            else:
                cache.search_rows_changed(model, pks, using)
            return count
        rows = [(obj.pk, obj.search_text, obj.search_parts()) for obj in batch]
        _write_documents(model, rows, using)
        last_pk, count = batch[-1].pk, count + len(batch)


def _write_documents(model, rows, using):
    """Write the documents of ``rows`` (``(pk, stored search_text or None if not read,
    parts)``), leaving alone the rows that hold their document already.

    Most of a row's later saves (publishing it, a link, a byline's position) leave its
    document as it was, and writing it anyway is the dearest statement of a save on
    PostgreSQL: a ``to_tsvector`` per weight and, the row being moved, an entry in each of
    the table's indexes. Without a ``tsvector`` (SQLite) the text is the whole document:
    a row whose stored text was read and is the same is not written at all, the others'
    ``UPDATE`` is skipped by its condition (one prepared statement run per row). On
    PostgreSQL the same text may still hold a weighted part moved across the boundary of
    the title and the byline (both join with a newline), so an equal text writes the
    vector where it differs (``IS DISTINCT FROM``): ``OR`` stops at the first true
    operand, a changed text costs no more than it did.

    On PostgreSQL the rows go in one ``UPDATE … FROM unnest(arrays)``: psycopg sends each
    statement with its values in the text, so one ``UPDATE`` per row was parsed and planned
    again for every row (planning a statement on a table of 26 indexes costs about as
    much as running it: 9 of 23 s of the server's time for 20,000 imported papers), and
    ``bulk_update`` compiled a ``CASE`` of three expressions per row (minutes for the
    5,000 documents of an author merge). The arrays are in ``rows``' order, which the
    callers give by primary key.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    # Only quoted names of our own model are put in the text; the values are parameters.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    text, vector = (quote(meta.get_field(f).column) for f in ("search_text", "search_vector"))
    if uses_postgres(using):
        columns = {"pk": [], "plain": [], "a": [], "b": [], "c": []}
        for row_pk, _, parts in rows:
            plain, weighted = _document_texts(parts)
            columns["pk"].append(row_pk)
            columns["plain"].append(plain)
            for weight, value in weighted.items():
                columns[weight.lower()].append(value)
        computed = " || ".join(
            f"setweight(to_tsvector(%(config)s::regconfig, COALESCE(doc.{w}, '')), '{w.upper()}')"
            for w in "abc"
        )
        pk_type = meta.pk.rel_db_type(connection)  # "bigint": our names only
        sql = (
            f"UPDATE {table} SET {text} = doc.plain, {vector} = {computed} "  # noqa: S608
            f"FROM unnest(%(pk)s::{pk_type}[], %(plain)s::text[], %(a)s::text[], "
            "%(b)s::text[], %(c)s::text[]) AS doc(pk, plain, a, b, c) "
            f"WHERE {table}.{pk} = doc.pk AND ({table}.{text} IS DISTINCT FROM doc.plain "
            f"OR {table}.{vector} IS DISTINCT FROM {computed})"
        )
        if rows:
            # (savepoint=False: a transaction only when the caller has none, no savepoint.)
            with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
                if len(rows) > 1:
                    # The join locks the rows in its plan's order; two batches that overlap
                    # (an author merge beside a tag merge) could then deadlock. Locked
                    # first in primary key order, as one UPDATE per row did.
                    cursor.execute(
                        f"SELECT 1 FROM {table} WHERE {pk} = ANY(%(pk)s::{pk_type}[]) "  # noqa: S608
                        f"ORDER BY {pk} FOR UPDATE",
                        {"pk": columns["pk"]},
                    )
                cursor.execute(sql, {"config": CONFIG, **columns})
        return
    sql = f"UPDATE {table} SET {text} = %s WHERE {pk} = %s AND {text} IS NOT %s"  # noqa: S608
    params = []
    for row_pk, stored, parts in rows:
        plain, _ = _document_texts(parts)
        if plain != stored:
            params.append([plain, row_pk, plain])
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


# --- searching ------------------------------------------------------------------------


def search(queryset, query, title_fields=("title",), fuzzy=True):
    """``queryset`` narrowed to rows matching ``query`` and annotated with ``search_rank``.

    ``query`` is a :class:`ParsedQuery`; an empty one matches nothing. ``title_fields``
    are the short fields that count most (and, on PostgreSQL, get fuzzy matching unless
    ``fuzzy`` is False: a broad query's similar spellings add nothing to thousands of
    matches, and each trigram condition is one more index scan and recheck).
    """
    if query.is_empty:
        return queryset.none()
    if uses_postgres(queryset.db):
        return _search_postgres(queryset, query, title_fields, fuzzy)
    return _search_fallback(queryset, query, title_fields)


def _search_postgres(queryset, query, title_fields, fuzzy=True):
    ts_query = SearchQuery(query.raw, search_type="websearch", config=CONFIG)
    rank = SearchRank(F("search_vector"), ts_query)
    matches = Q(search_vector=ts_query)
    if query.is_plain and fuzzy:
        # Typos and spellings: "mambda", "gpt3", "stable difusion". The `%` and `%>`
        # operators use the pg_trgm indexes where the table has them.
        text = " ".join(query.words)
        similarities = []
        squashed = _squash(text)
        for name in title_fields:
            matches |= Q(**{f"{name}__trigram_similar": text})
            matches |= Q(**{f"{name}__trigram_word_similar": text})
            similarities += [
                TrigramSimilarity(name, text),
                TrigramWordSimilarity(text, name),
                # "gpt3" is "GPT-3" once both lose their punctuation and spaces.
                TrigramSimilarity(_Squashed(name), squashed),
            ]
        # Summed, not the best one: "gpt3" is as close to "GPT-4" in a title as to "GPT-3"
        # in a title, but only the paper whose alias is "GPT-3" is close on every count.
        fuzzy = sum(similarities[1:], similarities[0]) * Value(0.5)
        # ...but only when the words themselves find few rows. A word in most titles
        # ("models") matches tens of thousands: their similarities would cost more than
        # the search (0.6 s at 100,000 papers) and add nothing the title weight of
        # ts_rank does not already say. Decided once per query (an InitPlan).
        common = Exists(
            queryset.filter(search_vector=ts_query)
            .order_by()
            .values("pk")[FUZZY_RANK_LIMIT : FUZZY_RANK_LIMIT + 1]
        )
        rank = rank + Case(When(common, then=Value(0.0)), default=fuzzy)
    return queryset.filter(matches).annotate(search_rank=rank)


class _Squashed(Func):
    """Lower case letters and digits only, in SQL: ``regexp_replace(lower(x), …)``."""

    function = "regexp_replace"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(Lower(expression), Value("[^[:alnum:]]+"), Value(""), Value("g"))


def _squash(text):
    return "".join(char for char in text.lower() if char.isalnum())


def _term_q(term, field_name):
    return Q(**{f"{field_name}__icontains": term.text})


def _search_fallback(queryset, query, title_fields):
    # Only the rows the trigram index says can hold the words are matched (SQLite: the
    # LIKEs below then read 1,100 texts for "diffusion", not 10,000; papers/site/trigrams.py).
    queryset = queryset.filter(trigrams.narrowing(queryset.model, query, queryset.db))
    for group in query.groups:
        condition = Q()
        for term in group:
            condition |= _term_q(term, "search_text")
        queryset = queryset.filter(condition)
    for term in query.excluded:
        queryset = queryset.exclude(_term_q(term, "search_text"))
    # A title hit is worth more than a hit anywhere else; each word counts once.
    score = Value(0.1)
    for text in query.words:
        title_hit = Q()
        for name in title_fields:
            title_hit |= Q(**{f"{name}__icontains": text})
        score = score + Case(When(title_hit, then=Value(1.0)), default=Value(0.1))
    return queryset.annotate(search_rank=score * Value(1.0, output_field=FloatField()))


# On integer columns only (AutoField and BigAutoField are IntegerFields): the search hits'
# primary keys are all it is for.
@IntegerField.register_lookup
class _AnyOf(Lookup):
    """``column = ANY(%s)`` (PostgreSQL): a list of values as one array parameter. ``__in``
    sends one parameter per value, each prepared by the ORM and spliced into the SQL by
    the driver: ~2 ms of CPU per query of a broad search's 500 hits. On SQLite the list
    is one JSON parameter (``json_each``): ``__in`` fails past SQLite's limit of bound
    parameters (32,766 unless the build sets another; Debian's: 250,000).

    The values come as an ``array`` (``pk_in``): the ORM walks a list or tuple given to a
    lookup value by value (three calls each, ~0.5 ms for 400 keys), not an array. They are
    sent as one text (``{1,2,3}``, the JSON ``[1,2,3]``) written by ``str.join``: psycopg
    dumps a list element by element in Python (5 ms of CPU for the 4,304 keys of a list's
    text matches at 100,000 papers, ``papers/text_matches.py``; the text: 0.5 ms)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def _joined(self):
        # Integers only (an ``array``'s typecode): their text needs no quoting.
        return ",".join(map(str, self.rhs))

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, f"{{{self._joined()}}}"]

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # Only the ORM's column is put in the text; the values are one parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, f"[{self._joined()}]"]


def pk_in(pks):
    """A ``Q``: the primary key is one of ``pks`` (search hits; a list's kept text
    matches, ``papers/filters.py``: an ``array`` already, kept as one)."""
    return Q(pk__any_of=pks if isinstance(pks, array) else array("q", pks))


def first_matching(queryset, query, limit):
    """The primary keys of the first ``limit`` rows of ``queryset``, in primary key order,
    that match ``query`` (PostgreSQL; ``queryset`` not searched yet: a broad query's title
    hits, ``config/search.py``).

    The rows are sorted first and matched after, only until ``limit`` are found (the
    subquery's ``OFFSET 0`` keeps the planner from merging the two): filtered and sorted
    together, every title hit's ``search_vector`` was read from TOAST to recheck the
    match (4,180 of them for "diffusion" at 100,000 papers: 133–204 ms warm, this way
    37–48 ms).
    """
    rows = queryset.order_by("pk").values_list("pk", "search_vector")
    sql, params = rows.query.sql_with_params()
    # Only the ORM's own SQL is put in the text; the query's words are parameters.
    outer = (
        f"SELECT s.pk FROM ({sql} OFFSET 0) AS s(pk, vector) "  # noqa: S608
        "WHERE s.vector @@ websearch_to_tsquery(%s::regconfig, %s) LIMIT %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(outer, [*params, CONFIG, query.raw, limit])
        return [pk for (pk,) in cursor.fetchall()]


def in_titles(query, title_fields, using="default"):
    """A ``Q``: every group of ``query`` has a word in one of ``title_fields`` (a title hit).

    On PostgreSQL as ``column ~* 'escaped word'``, which the pg_trgm indexes on titles and
    aliases serve; elsewhere a plain ``icontains``.
    """
    lookup, literal = ("iregex", re.escape) if uses_postgres(using) else ("icontains", str)
    condition = Q()
    for group in query.groups:
        either = Q()
        for term in group:
            for name in title_fields:
                either |= Q(**{f"{name}__{lookup}": literal(term.text)})
        condition &= either
    return condition


# --- snippets -------------------------------------------------------------------------


# ts_headline's options, as Django's SearchHeadline composed them (a parameter: constant).
_HEADLINE_OPTIONS = (
    f"StartSel='{_START}', StopSel='{_STOP}', MaxWords=30, MinWords=12, MaxFragments=2, "
    "FragmentDelimiter=' … '"
)


def with_snippets(queryset, query, kept=()):
    """Annotate the rows of one page of results with what their snippets come from.

    PostgreSQL: ``search_digest``, the md5 of the text a snippet is cut from (the body,
    before ``_SEPARATOR``), and ``search_snippet``, its headline, NULL for the rows whose
    digest is one of ``kept`` (the snippets made already for this query: ``ts_headline``
    parses the whole text). Written as SQL: the ORM's expressions for the same (a
    ``SearchHeadline`` in a ``Case``) took longer to build and compile than the query
    took to run. Elsewhere ``search_document``: the stored text, read even where the rows
    leave ``search_text`` deferred, as cards' rows do.
    """
    if query.is_empty:
        return queryset
    if not uses_postgres(queryset.db):
        return queryset.annotate(search_document=F("search_text"))
    quote = connections[queryset.db].ops.quote_name
    column = f"{quote(queryset.model._meta.db_table)}.{quote('search_text')}"
    body = f"split_part({column}, %s, 1)"
    headline = f"ts_headline(%s::regconfig, {body}, websearch_to_tsquery(%s::regconfig, %s), %s)"
    params = [CONFIG, _SEPARATOR, CONFIG, query.raw, _HEADLINE_OPTIONS]
    if kept:
        headline = f"CASE WHEN md5({body}) = ANY(%s) THEN NULL ELSE {headline} END"
        params = [_SEPARATOR, sorted(kept), *params]
    # Only quoted names of our own model are put in the text; the values are parameters.
    return queryset.annotate(
        search_digest=RawSQL(f"md5({body})", [_SEPARATOR], output_field=TextField()),  # noqa: S611
        search_snippet=RawSQL(headline, params, output_field=TextField()),  # noqa: S611
    )


def snippet_html(obj, query, length=220):
    """A short, escaped extract of ``obj``'s search document with the hits in ``<mark>``."""
    raw = getattr(obj, "search_snippet", None)
    if raw is None:
        text = getattr(obj, "search_document", None)
        raw = _python_snippet((obj.search_text if text is None else text) or "", query, length)
    raw = " ".join(raw.replace("\x10", "").replace("\x11", "").split())
    escaped = html.escape(raw.replace(_START, "\x10").replace(_STOP, "\x11"))
    return mark_safe(escaped.replace("\x10", "<mark>").replace("\x11", "</mark>"))  # noqa: S308


def _python_snippet(text, query, length):
    text = text.split(_SEPARATOR)[0].replace(_START, "").replace(_STOP, "")
    words = [w for w in query.words if w]
    if not words:
        return text[:length]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - length // 3) if first else 0
    extract = text[start : start + length]
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", extract)
    return ("… " if start else "") + marked + (" …" if start + length < len(text) else "")
