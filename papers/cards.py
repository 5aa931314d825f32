"""Cards (an object's entry in every list), rendered once per object and change.

The same paper cards appear on the home page, the full list and the year, tag and author
pages, so a page that is not cached yet still finds most of its cards rendered: one
cache read for the page's 20 cards, and the byline and tags are only queried for the
cards that are missing. Reports and reading-group sessions keep their cards the same
way (``Cards``: ``blog/cards.py``, ``readinggroup/cards.py``).

A card is kept per object, not per content version: an edit of one paper renders one
card again, not the 20 of every list (they were most of a cold list's CPU). Each stored
card holds the stamp of the row it was made from (``updated_at``, and what a kind's rows
change without a save); a card made from an older row is not used. What a card shows
beyond its object's row is handled by receivers here:

- a tag added to or removed from a paper (a report, a session), a byline or a presenter
  added, moved or removed: that object's card is dropped (now and after the commit, as
  the page versions are; ``follow_links``);
- a tag, author or venue renamed (name or slug) or deleted, and links written in a
  batch (``changes_bumped_at_end``): every card goes (``cache.bump_cards``), as such a
  name may be on thousands of cards; a name shown on a few cards (a presenter, a
  series) drops those (``follow_names``).

The API's rows of papers, reports and sessions (``papers/api.py``, ``blog/api.py``,
``readinggroup/api.py``) show the same things and are kept the same way: under the cards
version, dropped here with the card (``Cards(rows=…)``).
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from papers import pages
from papers.models import Author, Authorship, TaggedPaper, Venue, card_prefetches
from papers.site.cache import TIMEOUT, bump_cards, cards_version, in_batch, release, row_key
from papers.tagging import Tag

CARD_TEMPLATE = "papers/_paper_card.html"
# Other templates an object is shown with from the same row and relations, each kept
# beside its card under the same stamp and dropped with it (``Cards.forget``): a search
# hit (``config/search.py``; the snippet, which depends on the query, is put in there).
VARIANTS = {"search": "search/_result.html"}
# The name of the API's paper rows (``papers.site.cache.row_key``), dropped with the cards.
API_ROWS = "paper"


def updated_at(obj, request=None):
    """A card's stamp when its object's row changes only through saves: ``updated_at``."""
    return obj.updated_at.isoformat()


class Cards:
    """One kind's cards (an object's entry in lists), each kept per object and change.

    A card is stored under the cards version, its kind and its object, with the stamp of
    what it was made from (``stamp(obj, request)``: by default the row's ``updated_at``;
    a kind adds what its rows change without a save, or what the card shows from the
    site settings). A card whose stamp differs is made again. What a card shows beside
    its object's row is followed by receivers: ``follow_links`` (tags, bylines,
    presenters: the objects concerned are dropped), ``follow_names`` (a name shown on
    cards, changed), and the cards version (``bump_cards``: a tag renamed).
    """

    def __init__(self, name, template, *, prefetches, context_name, stamp=updated_at, rows=None):
        self.name, self.template, self.context_name = name, template, context_name
        self.prefetches, self.stamp = prefetches, stamp
        # The name of the API's rows of the same objects (``papers.site.cache.row_key``),
        # kept under the cards version and dropped with the cards: they show the same.
        self.rows = rows

    def key(self, version, pk, variant=None):
        name = f"{self.name}-{variant}" if variant else self.name
        return f"papershelf:card:{name}:{version}:{release()}:{pk}"

    def render(self, request, objects, variant=None, **context):
        """The HTML of each object's card, in order (rows without the relations; those
        are read for the cards not kept). ``variant``: one of ``VARIANTS`` instead,
        rendered with ``obj`` and ``context`` (the same for every object)."""
        objects = list(objects)
        version = cards_version(request)
        keys = [self.key(version, obj.pk, variant) for obj in objects]
        stamps = [self.stamp(obj, request) for obj in objects]
        stored = cache.get_many(keys) if keys else {}
        found = {}
        for key, stamp in zip(keys, stamps, strict=True):
            entry = stored.get(key)
            if entry is not None and entry[0] == stamp:
                found[key] = entry[1]
        missing = [
            (key, stamp, obj)
            for key, stamp, obj in zip(keys, stamps, objects, strict=True)
            if key not in found
        ]
        if missing:
            prefetch_related_objects([obj for _, _, obj in missing], *self.prefetches())
            template = get_template(VARIANTS[variant] if variant else self.template)
            # The request for the tags that read the site settings (a report's label); a
            # plain context otherwise, so the context processors do not run per card.
            rendered = {
                key: str(
                    template.render(
                        {self.context_name: obj, "obj": obj, "request": request, **context}
                    )
                )
                for key, _, obj in missing
            }
            cache.set_many({key: (stamp, rendered[key]) for key, stamp, _ in missing}, TIMEOUT)
            found.update(rendered)
        # Our own template's output, escaped when it was rendered.
        return [mark_safe(found[key]) for key in keys]  # noqa: S308

    def forget(self, pks, using=None):
        """Drop the cards of ``pks`` (what they show beside their rows changed), and their
        API rows (``rows``)."""
        pks = [pk for pk in pks if pk is not None]
        if not pks:
            return
        if in_batch():  # thousands of rows: one bump at the batch's end instead
            bump_cards()
            return

        def drop():
            version = cards_version()
            keys = [self.key(version, pk, v) for pk in pks for v in (None, *VARIANTS)]
            if self.rows is not None:
                keys += [row_key(self.rows, version, pk) for pk in pks]
            cache.delete_many(keys)

        # Now, for this request, and after the commit: a card rendered from the old rows
        # in between would otherwise be kept.
        drop()
        transaction.on_commit(drop, using=using)

    # A kind's ``cached_cards`` names the instance: ``render(request, rows)``.
    __call__ = render

    def follow_names(self, model, fields, objects):
        """A save changing ``fields`` of a ``model`` row (a presenter's name) drops the
        cards of ``objects(row)`` (a queryset of the objects that show it)."""

        def drop(instance, using):
            self.forget(objects(instance).values_list("pk", flat=True), using)

        follow_names(model, fields, drop)

    def follow_links(self, link_model, object_field):
        """Rows of ``link_model`` (a tag or presenter link) added, changed or removed
        drop the cards of their objects (``object_field``: the link's column naming them)."""
        _connect_links(self.forget, link_model, object_field, self.name)


PAPER_CARDS = Cards(
    "paper", CARD_TEMPLATE, prefetches=card_prefetches, context_name="paper", rows=API_ROWS
)


def render_cards(request, papers, variant=None, **context):
    """The HTML of each paper's card (or ``variant``), in order (``papers`` from
    ``for_cards()``)."""
    return PAPER_CARDS.render(request, papers, variant, **context)


def forget(paper_ids, using=None):
    """Drop the cards of ``paper_ids`` (their links changed, not their rows), their API
    rows, and their kept pages, which show the same byline and tags (``papers/pages.py``)."""
    paper_ids = [pk for pk in paper_ids if pk is not None]
    if not paper_ids:
        return
    pages.forget(paper_ids, using)
    PAPER_CARDS.forget(paper_ids, using)


def _bump_now_and_after_commit(using=None):
    bump_cards()
    if not in_batch():
        transaction.on_commit(bump_cards, using=using)


# --- receivers --------------------------------------------------------------------------

# Names shown on cards, by model: the fields, and what a change of them drops
# (``follow_names``).
_NAMES = {}


def _bump_all(instance, using):
    _bump_now_and_after_commit(using)


def follow_names(model, fields, drop=_bump_all):
    """A save changing ``fields`` of a ``model`` row calls ``drop(instance, using)``: by
    default every card goes (a tag or author name may be on thousands of cards); a
    model shown on a few cards drops those. A delete drops every card: its links go
    with it without signals."""
    _NAMES[model] = (fields, drop)
    receivers = [(pre_save, _name_pre_save), (post_save, _name_saved), (post_delete, _name_deleted)]
    for signal, receiver in receivers:
        uid = f"papers-cards-names-{receiver.__name__}-{model._meta.label}"
        signal.connect(receiver, sender=model, dispatch_uid=uid)


def _name_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    fields = _NAMES[sender][0]
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(fields):
        return
    instance._card_fields_before = (
        sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def _name_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    before = instance.__dict__.pop("_card_fields_before", None)
    if raw or created or before is None:
        return
    fields, drop = _NAMES[sender]
    if before != tuple(getattr(instance, name) for name in fields):
        drop(instance, using)


def _name_deleted(sender, instance, using=None, **kwargs):
    _bump_now_and_after_commit(using)


def _connect_links(forget_objects, link_model, object_field, name):
    def link_changed(sender, instance, using=None, **kwargs):
        forget_objects([getattr(instance, object_field)], using)

    def links_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
        """``paper.tags.add()``, ``paper.authors.set()``, ``tag.paper_set.clear()``…"""
        if not action.startswith("post_"):
            return
        if not reverse:  # ``instance`` is the card's object
            forget_objects([instance.pk], using)
        elif pk_set:  # ``instance`` is the tag, author or presenter, ``pk_set`` the objects
            forget_objects(pk_set, using)
        else:  # a reverse clear: which objects is not said
            _bump_now_and_after_commit(using)

    receivers = [
        (post_save, link_changed),
        (post_delete, link_changed),
        (m2m_changed, links_changed),
    ]
    for number, (signal, receiver) in enumerate(receivers):
        # weak=False: the receivers are closures made here, referenced by nothing else.
        uid = f"papers-cards-{name}-{number}-{link_model._meta.label}"
        signal.connect(receiver, sender=link_model, weak=False, dispatch_uid=uid)


def connect():
    """Connect the paper cards' receivers (``papers.apps``)."""
    # A paper's links drop its page and API row too (``forget``), not only its card.
    _connect_links(forget, TaggedPaper, "content_object_id", PAPER_CARDS.name)
    _connect_links(forget, Authorship, "paper_id", PAPER_CARDS.name)
    # The fields of a tag, author or venue that a card shows (its name, its link).
    follow_names(Tag, ("name", "slug"))
    follow_names(Author, ("name", "slug"))
    follow_names(Venue, ("name", "short_name", "slug"))
