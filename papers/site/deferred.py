"""Work that a block's saves ask for, collected and done once at the block's end.

An import, the demo, an admin save or a test factory saves a row and then its byline, tags
and links one by one; each save asks again for the same derived work (a search document,
a kept page dropped, a job queued). Inside ``collecting()`` the callers add what they ask
for to ``pending()`` instead, and the work runs once, on everything collected, when the
outermost block ends.
"""

import contextlib
import contextvars


class Deferred:
    """One kind of deferred work: ``new()`` makes the empty collection, ``at_end(collected)``
    does the work. ``even_if_it_raises``: the work is done also when the block raises (a
    kept page must be dropped even if the rows were written outside the failed
    transaction); otherwise nothing is done then (the rows it is about were rolled back)."""

    def __init__(self, name, new, at_end, *, even_if_it_raises=False):
        self._collected = contextvars.ContextVar(name, default=None)
        self._new = new
        self._at_end = at_end
        self._even_if_it_raises = even_if_it_raises

    def pending(self):
        """The enclosing block's collection, or ``None`` outside any block."""
        return self._collected.get()

    @contextlib.contextmanager
    def collecting(self):
        if self._collected.get() is not None:  # nested: the outermost block does the work
            yield
            return
        collected = self._new()
        token = self._collected.set(collected)
        try:
            yield
        except BaseException:
            self._collected.reset(token)
            if self._even_if_it_raises:
                self._at_end(collected)
            raise
        self._collected.reset(token)
        self._at_end(collected)
