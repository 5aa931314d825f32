"""A paper's page, made once per paper and change rather than once per content version.

A paper page is the long tail of the site (one per paper, read by crawlers), and every
save moved the content version, so each was rendered again in full on its next visit: 12
queries, the citations, the JSON-LD, the template (~14 ms of CPU at 100,000 papers). Now
its parts (the ``<head>`` metadata, the description and the whole article) are kept per
paper, and a visit whose page is not cached reads the paper's row and one cache entry.

An entry is used while all of these hold:

- it was made from the row's current ``updated_at`` (an edit of the paper);
- the cards version has not moved (``papers/cards.py``: a tag, author or venue name or
  address shown on many papers changed, a merge, a batch);
- the parts version has not moved (``papers.site.cache.parts_version``): it moves with
  every save of a watched model except those followed here (``FOLLOWED``), and with every
  explicit ``bump_content_version()`` (rows written without signals: the related papers'
  lists, re-rendered wiki-links, renditions). So a report, a session, a link between
  papers, a mention, the site settings or a venue's kind changing makes every paper page
  again, as before; a paper edit that changes nothing other pages show does not;
- no scheduled moment (a report published for later) has passed since it was made.

What the page shows beside the paper's row and is followed here, per paper: its tags and
byline (the cards' receivers drop this entry with the card), its links and figures
(below). A paper whose title, address, year or status changes moves the parts version:
other papers' pages list it (previous work, follow-ups, "mentioned in", similar papers).
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import mark_safe

from papers.models import Author, Authorship, Figure, Paper, PaperLink, TaggedPaper
from papers.site.cache import (
    TIMEOUT,
    bump_parts,
    followed_by_parts,
    in_batch,
    next_moment,
    parts_and_cards_versions,
    release,
)
from papers.site.deferred import Deferred
from papers.tagging import Tag

# Models whose changes this module (with the cards') follows paper by paper. Venues are
# not among them: a page shows a venue's kind (the citation type), which no card shows.
FOLLOWED = (Paper, PaperLink, Figure, TaggedPaper, Authorship, Author, Tag)


# Parts that are HTML of our own templates; the others (the title, the description) are
# text, escaped where the page shows them.
HTML_PARTS = ("head", "article")


def _key(parts, cards, slug):
    # By address, so that a visit finds its entry before reading the row (by the slug
    # it has) and then reads only the row's ``updated_at``.
    return f"papershelf:paper-page:{parts}:{cards}:{release()}:{slug}"


def _stamp(updated_at):
    return updated_at.isoformat()


def kept_parts(request, slug):
    """The parts kept for the page of the paper at ``slug`` if they are current, else None.

    One cache read for the versions, one for the entry and, when there is one, a read of
    the paper's ``updated_at`` (not its whole row: the entry holds what the page shows).
    The versions are read first and remembered on ``request``: parts made from the rows
    read after them (``keep_parts``) are stored under them, so a change meanwhile, which
    moves a version or drops the entry, is never hidden by them.
    """
    entry = cache.get(_key(*parts_and_cards_versions(request), slug))
    if entry is None:
        return None
    stamp, due, parts = entry
    if 0 < due <= time.time_ns():  # a scheduled moment has passed since they were made
        return None
    rows = Paper.objects.published().filter(slug=slug).order_by()
    updated_at = rows.values_list("updated_at", flat=True)[:1]
    if [_stamp(value) for value in updated_at] != [stamp]:
        return None
    return {name: mark_safe(text) if name in HTML_PARTS else text for name, text in parts.items()}  # noqa: S308


def keep_parts(request, paper, parts):
    """Keep ``parts`` (made from ``paper``'s rows as read after ``kept_parts``)."""
    entry = (_stamp(paper.updated_at), next_moment(request), {k: str(v) for k, v in parts.items()})
    cache.set(_key(*parts_and_cards_versions(request), paper.slug), entry, TIMEOUT)
    return parts


def forget(paper_ids, using=None):
    """Drop the kept pages of ``paper_ids`` (what they show beside their rows changed)."""
    paper_ids = [pk for pk in paper_ids if pk is not None]
    if not paper_ids:
        return
    if in_batch():  # thousands of rows: the batch moves the parts version at its end
        bump_parts()
        return
    pending = _forgotten.pending()
    if pending is not None:
        pending.setdefault(using, set()).update(paper_ids)
        return
    _drop(paper_ids, using)


def _drop_forgotten(pending):
    for using, paper_ids in pending.items():
        _drop(sorted(paper_ids), using)


# The papers whose kept pages a block's saves dropped: a factory paper or an admin save
# dropped the same page once per byline row, tag and link, each a read of its address.
# Dropped also if the block raises: what it wrote outside a transaction stays written.
_forgotten = Deferred("pages_forgotten_at_end", dict, _drop_forgotten, even_if_it_raises=True)


def forgotten_at_end():
    """Drop the kept pages the block's saves forget once, at its end (now and after the
    commit)."""
    return _forgotten.collecting()


def _drop(paper_ids, using):
    def drop():
        slugs = Paper.objects.filter(pk__in=paper_ids).values_list("slug", flat=True)
        parts, cards = parts_and_cards_versions()
        cache.delete_many([_key(parts, cards, slug) for slug in slugs])

    # Now, for this request, and after the commit: a page made from the old rows in
    # between would otherwise be kept.
    drop()
    transaction.on_commit(drop, using=using)


def _bump_now_and_after_commit(using=None):
    bump_parts()
    if not in_batch():
        transaction.on_commit(bump_parts, using=using)


# --- receivers --------------------------------------------------------------------------


def _paper_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "updated_at" not in update_fields:
        forget([instance.pk], using)  # its row changed without a new ``updated_at``
    # A new paper is on no other page until a link, a mention or a related list names it
    # (each moves the parts version).
    if instance.shown_elsewhere_changed() and not created:
        _bump_now_and_after_commit(using)


def _paper_deleted(sender, instance, using=None, **kwargs):
    _bump_now_and_after_commit(using)


def _part_changed(sender, instance, using=None, **kwargs):
    forget([instance.paper_id], using)


def connect():
    """Connect the receivers and name the followed models (``papers.apps``)."""
    followed_by_parts(*FOLLOWED)
    receivers = [
        (post_save, _paper_saved, Paper),
        (post_delete, _paper_deleted, Paper),
        (post_save, _part_changed, PaperLink),
        (post_delete, _part_changed, PaperLink),
        (post_save, _part_changed, Figure),
        (post_delete, _part_changed, Figure),
    ]
    for number, (signal, receiver, sender) in enumerate(receivers):
        signal.connect(receiver, sender=sender, dispatch_uid=f"papers-pages-{number}")
