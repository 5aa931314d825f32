"""The snippets of a page of search results, kept per hit and query (PostgreSQL).

A hit's snippet is PostgreSQL's ``ts_headline`` of its body for the query: it parses the
whole text again, and was half of a search page's cost when the page itself had been
dropped from the page cache or the content version had moved. It depends only on the
query and on that text, so it is kept under the hit and the query with the md5 of the
text it was cut from (``search_digest``, read with the page's rows): a changed text gives
another digest, and its headline is made again; a save elsewhere keeps it. The page's
rows compute the headlines of the hits not kept, in the same query.

SQLite's snippets are cut in Python from the text the page's rows read anyway: nothing
to keep there.
"""

from django.core.cache import cache
from django.utils.safestring import mark_safe

from papers.site import search
from papers.site.cache import TIMEOUT, kept_key


class Snippets:
    """The snippets of ``items`` (one page of hits) for ``query``: the kept ones read in
    one ``get_many`` now; ``prepare`` for ``load_objects``; ``fill`` once loaded."""

    def __init__(self, query, items):
        self.query = query
        hits = [(item.kind.key, item.pk) for item in items] if search.uses_postgres() else []
        self.keys = {hit: kept_key("search-snippet", *hit, query.raw) for hit in hits}
        stored = cache.get_many(list(self.keys.values())) if self.keys else {}
        # {digest of the text: snippet}: a snippet is the same for the same text.
        self.kept = dict(stored.values())

    def prepare(self, kind, queryset):
        return search.with_snippets(queryset, self.query, kept=self.kept)

    def fill(self, items):
        """Set each loaded item's ``snippet``; keep the ones made."""
        made = {}
        for item in items:
            digest = getattr(item.obj, "search_digest", None)
            if getattr(item.obj, "search_snippet", None) is None and digest in self.kept:
                # Our own escaped HTML (``snippet_html``), kept as a plain str.
                item.snippet = mark_safe(self.kept[digest])  # noqa: S308
                continue
            item.snippet = search.snippet_html(item.obj, self.query)
            key = self.keys.get((item.kind.key, item.pk))
            if digest is not None and key is not None:
                made[key] = (digest, str(item.snippet))
        if made:
            cache.set_many(made, TIMEOUT)
