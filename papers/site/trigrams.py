"""SQLite's index of the search documents' trigrams: which rows can hold a word.

On SQLite a search matches ``search_text LIKE '%word%'`` (papers/site/search.py), which
reads every row's stored text: ~30 ms of CPU for 10,000 papers, whatever the word. An
FTS5 table with the ``trigram`` tokenizer beside a content table indexes every three
characters of its ``search_text`` (case-folded); a word of three characters or more can
only be in rows that hold all of its trigrams, which the index lists without reading any
text. ``narrowing`` adds that list to a search as ``pk IN (…)``: the ``LIKE`` still
decides on those rows, so what matches is exactly what matched before (substring, case
folded for ASCII letters only, as ``LIKE`` does; the index folds other letters too,
which only lets a few more rows be checked). Shorter words, and queries whose every
group has one, are matched by reading every row, as before.

The index is ``detail=none`` (rows per trigram, no positions: a third of the size, and
a broad word's common trigrams, "ion", cost no position lists) and external content
(it keeps no copy of the text: it reads the content table's when rebuilt). Triggers on
the content table keep it in step with ``search_text`` whatever writes it (``save()``,
``QuerySet.update()``, the bulk ``UPDATE`` of ``rebuild_documents``, deletes and
cascades). The migration operation ``SQLiteTrigramIndex`` creates all of it on SQLite
only (PostgreSQL has its ``tsvector`` and GIN index) and fills it from the rows there.

A later migration that makes Django rebuild the content table on SQLite (it copies the
rows into a new table and drops the old one: most ``AlterField``s) drops the triggers
with the old table; it must then run ``SQLiteTrigramIndex(model, rebuild=True)`` again.
``tests/papers/test_search_trigrams.py`` fails if a migration left a table without them.
"""

from django.db.migrations.operations.base import Operation
from django.db.models import Q
from django.db.models.expressions import RawSQL

# Where a model has the index: ``<its table>_trigrams``.
SUFFIX = "_trigrams"
_SHORTEST = 3  # the tokenizer's unit: a shorter word has no trigram to look up


def table_name(model):
    return f"{model._meta.db_table}{SUFFIX}"


def is_index_table(name):
    """Whether table ``name`` is an index or one of FTS5's shadow tables (``_data``,
    ``_idx``, ``_config``): derived from the rows, not rows to copy or count."""
    return SUFFIX in name


def has_index(model, using):
    """Whether searches of ``model`` on the ``using`` database are narrowed by the index
    (SQLite, and a model whose migrations made it: ``SEARCH_TRIGRAMS``)."""
    from django.db import connections

    return connections[using].vendor == "sqlite" and getattr(model, "SEARCH_TRIGRAMS", False)


def _trigrams(text):
    """The ``MATCH`` expression of the rows holding every trigram of ``text``."""
    grams = dict.fromkeys(text[i : i + _SHORTEST] for i in range(len(text) - _SHORTEST + 1))
    # A string in double quotes is one token to FTS5, '"' doubled inside it.
    return " AND ".join('"{}"'.format(gram.replace('"', '""')) for gram in grams)


def _usable(text):
    # Control characters are in no stored text (search._CONTROL): nothing to narrow by.
    return len(text) >= _SHORTEST and text.isprintable()


def match_expression(query):
    """The FTS5 query every row matching ``query``'s groups satisfies, or ``""`` when no
    group can be narrowed (a group with a short word: ``or`` over a word the index cannot
    look up). Excluded words narrow nothing: holding a word's trigrams is not holding it.
    """
    groups = []
    for group in query.groups:
        if not all(_usable(term.text) for term in group):
            continue
        groups.append(" OR ".join(f"({_trigrams(term.text)})" for term in group))
    return " AND ".join(f"({group})" for group in groups)


def narrowing(model, query, using):
    """A ``Q`` keeping only the rows of ``model`` that can match ``query`` (see above),
    or an empty ``Q`` where there is no index or nothing to look up."""
    expression = match_expression(query) if has_index(model, using) else ""
    if not expression:
        return Q()
    table = table_name(model)
    # The table name is our own model's; the expression is a parameter.
    rows = RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [expression])  # noqa: S608, S611
    return Q(pk__in=rows)


# The names put in the SQL below are our own models' table and column names (quoted).
def _statements(table, pk, text):
    index = f"{table}{SUFFIX}"
    insert = f'INSERT INTO "{index}"(rowid, "{text}") VALUES (new."{pk}", new."{text}");'  # noqa: S608
    # External content: a row leaves the index given the text it was indexed with.
    delete = (
        f'INSERT INTO "{index}"("{index}", rowid, "{text}") '  # noqa: S608
        f'VALUES (\'delete\', old."{pk}", old."{text}");'
    )
    return [
        f'CREATE VIRTUAL TABLE "{index}" USING fts5("{text}", content=\'{table}\', '
        f"content_rowid='{pk}', tokenize='trigram', detail=none, columnsize=0)",
        f'CREATE TRIGGER "{index}_insert" AFTER INSERT ON "{table}" BEGIN {insert} END',
        f'CREATE TRIGGER "{index}_delete" AFTER DELETE ON "{table}" BEGIN {delete} END',
        # Django's save() writes every column: only a changed text is indexed again.
        f'CREATE TRIGGER "{index}_update" AFTER UPDATE OF "{text}" ON "{table}" '
        f'WHEN old."{text}" IS NOT new."{text}" BEGIN {delete} {insert} END',
    ]


def trigger_names(model):
    index = table_name(model)
    return [f"{index}_{event}" for event in ("insert", "delete", "update")]


class SQLiteTrigramIndex(Operation):
    """Create (and fill) the trigram index of ``model_name``'s ``search_text`` and the
    triggers that keep it, on SQLite only; the migration state is not changed.

    ``rebuild=True`` first drops what exists: for a migration after one that rebuilt the
    content table (and so dropped its triggers)."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name, rebuild=False):
        self.model_name = model_name
        self.rebuild = rebuild

    def deconstruct(self):
        kwargs = {"rebuild": True} if self.rebuild else {}
        return ("papers.site.trigrams.SQLiteTrigramIndex", [self.model_name], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def _model(self, app_label, state):
        return state.apps.get_model(app_label, self.model_name)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        model = self._model(app_label, to_state)
        if self.rebuild:
            _drop(schema_editor, model)
        meta = model._meta
        table, pk = meta.db_table, meta.pk.column
        for sql in _statements(table, pk, meta.get_field("search_text").column):
            schema_editor.execute(sql)
        # Fill it from the rows already there (existing databases).
        index = table_name(model)
        schema_editor.execute(f'INSERT INTO "{index}"("{index}") VALUES (\'rebuild\')')  # noqa: S608

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            _drop(schema_editor, self._model(app_label, from_state))

    def describe(self):
        return f"Trigram index of {self.model_name}.search_text (SQLite only)"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name}_search_trigrams"


def _drop(schema_editor, model):
    for name in trigger_names(model):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    schema_editor.execute(f'DROP TABLE IF EXISTS "{table_name(model)}"')
