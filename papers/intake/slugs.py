"""Unique slugs for a batch of new rows, without one query per row."""

from django.utils.text import slugify


class SlugAllocator:
    """``unique_slug()`` (papers.models) for many rows: the taken slugs are read once.

    Only valid inside the import's transaction, where no one else adds rows meanwhile;
    the unique index still guards against anything this misses.
    """

    def __init__(self, model, fallback, max_length=80):
        self.model = model
        self.fallback = fallback
        self.max_length = max_length
        self._taken = None

    def allocate(self, text):
        if self._taken is None:
            self._taken = set(self.model._default_manager.values_list("slug", flat=True))
        base = slugify(text, allow_unicode=True)[: self.max_length].strip("-") or self.fallback
        if base.isdigit():
            base = f"{base}-{self.fallback}"
        slug, n = base, 1
        while slug in self._taken:
            n += 1
            slug = f"{base[: self.max_length - len(str(n)) - 1]}-{n}"
        self._taken.add(slug)
        return slug
