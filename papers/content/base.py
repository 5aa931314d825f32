"""The abstract base of published, searchable, mentionable content: Paper, Report and
Presentation.

It holds what the three had written three times: the publication status, the timestamps,
the papers the text's wiki-links mention, the search document (plain text everywhere, a
weighted tsvector with its GIN index on PostgreSQL) and how it is rewritten, and the
"newest first" order. Each model still says what is its own: ``published()`` (the one
visibility rule), ``search_parts()`` and ``SEARCH_PREFETCH``, and ``NEWEST_FIRST``.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, OrderBy

from papers.site import search
from papers.site.locking import EditVersioned


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def status_field(help_text):
    """The publication status; each model words its help for the editor."""
    return models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=help_text,
    )


def mentions_field(related_name, help_text, to="papers.Paper"):
    """The papers a text links with ``[[wiki-links]]``, filled in on save (papers.site.markdown)."""
    return models.ManyToManyField(
        to,
        **({"symmetrical": False} if to == "self" else {}),
        blank=True,
        editable=False,
        related_name=related_name,
        help_text=help_text,
    )


class ContentQuerySet(models.QuerySet):
    """Queries every kind of content answers; ``published()`` is the model's own."""

    def published(self):
        raise NotImplementedError(f"{self.model.__name__} says what is public: published()")

    def newest_first(self):
        return self.order_by(*newest_first_order(self.model))


def newest_first_order(model, via=""):
    """The model's "newest first" (``NEWEST_FIRST``, then the primary key) as ORDER BY
    terms; ``via`` reaches the model through a relation (``"content_object__"``: ranking
    a through table's rows by their paper's date orders them as the paper list does)."""
    terms = []
    for term in (*model.NEWEST_FIRST, "-pk"):
        if isinstance(term, str):
            field = F(via + term.lstrip("-"))
            terms.append(field.desc() if term.startswith("-") else field.asc())
        else:  # an OrderBy of a field: F("year").desc(nulls_last=True)
            terms.append(
                OrderBy(
                    F(via + term.expression.name),
                    descending=term.descending,
                    nulls_first=term.nulls_first,
                    nulls_last=term.nulls_last,
                )
            )
    return terms


# The columns of the search document, written by ``update_search_index`` only.
_DOCUMENT_COLUMNS = frozenset({"search_text", "search_vector"})


class Content(EditVersioned):
    """Published, searchable, mentionable content. Subclasses add ``status``
    (:func:`status_field`), ``mentions`` (:func:`mentions_field`) and ``tags``, and define
    ``search_parts()``, ``SEARCH_PREFETCH`` and ``NEWEST_FIRST``."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The search document (papers/site/search.py): rewritten on save and whenever what it shows
    # changes (papers/content/reindex.py).
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    # What search_parts() reads besides the row, prefetched by ``search.rebuild_documents``.
    SEARCH_PREFETCH = ()
    # Whether a migration gave the model SQLite's trigram index of ``search_text``
    # (papers.site.trigrams.SQLiteTrigramIndex), which SQLite's searches then use.
    SEARCH_TRIGRAMS = False
    # ORDER BY of "newest first", the primary key breaking ties last (newest_first(), the
    # merged lists of papers.content.kinds); explicit about NULLs, which PostgreSQL sorts
    # first in a descending order and SQLite last.
    NEWEST_FIRST = ()

    class Meta:
        abstract = True
        indexes = [
            # PostgreSQL only (the migrations skip it elsewhere). "%(class)s" keeps the
            # names the models' own indexes had: paper_, report_, presentation_search_vector.
            GinIndex(fields=["search_vector"], name="%(class)s_search_vector"),
        ]

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        # The row's UPDATE leaves the search document alone: every save rewrites it from the
        # rows afterwards (``update_search_index``), and the instance's copy is the one it
        # was loaded with, or older. Writing that copy back made PostgreSQL parse a tsvector
        # per save and put back an old document that the document's own write then never
        # found unchanged (``search._write_documents``), so it always wrote the row again.
        values = [value for value in values if value[0].attname not in _DOCUMENT_COLUMNS]
        return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)

    def search_parts(self):
        """``{"A": [...], "B": [...], "C": [...]}``: the weighted texts of the document."""
        raise NotImplementedError

    def update_search_index(self):
        """Rewrite this row's search document (now, or at the end of an import's block)."""
        if self.pk and not search.defer(type(self), self.pk):
            # A save or an m2m change got us here: what was prefetched may be stale.
            getattr(self, "_prefetched_objects_cache", {}).clear()
            search.store_document(type(self), self.pk, self.search_parts())
