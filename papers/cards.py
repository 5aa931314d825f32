"""Paper cards (a paper's entry in every list), rendered once per paper and change.

The same cards appear on the home page, the full list and the year, tag and author
pages, so a page that is not cached yet still finds most of its cards rendered: one
cache read for the page's 20 cards, and the byline and tags are only queried for the
cards that are missing.

A card is kept per paper, not per content version: an edit of one paper renders one card
again, not the 20 of every list (they were most of a cold list's CPU). Each stored card
holds the ``updated_at`` of the row it was made from; a card made from an older row is
not used. What a card shows beyond the paper's row is handled by receivers here:

- a tag added to or removed from a paper, a byline added, moved or removed: that
  paper's card is dropped (now and after the commit, as the page versions are);
- a tag, author or venue renamed (name or slug) or deleted, and links written in a
  batch (``changes_bumped_at_end``): every card goes (``cache.bump_cards``), as such a
  name may be on thousands of cards.

The API's paper rows (``papers/api.py``, ``list_papers``) show the same things and are
kept the same way: under the cards version, dropped here with the card.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from papers import pages
from papers.models import Author, Authorship, TaggedPaper, Venue, card_prefetches
from papers.site.api import row_key
from papers.site.cache import TIMEOUT, bump_cards, cards_version, in_batch, release
from papers.tagging import Tag

CARD_TEMPLATE = "papers/_paper_card.html"
# The name of the API's paper rows (``papers.site.api.row_key``), dropped with the cards.
API_ROWS = "paper"


def _key(version, pk):
    return f"papershelf:card:{version}:{release()}:{pk}"


def _stamp(paper):
    return paper.updated_at.isoformat()


def render_cards(request, papers):
    """The HTML of each paper's card, in order (``papers`` from ``for_cards()``)."""
    papers = list(papers)
    version = cards_version(request)
    keys = [_key(version, paper.pk) for paper in papers]
    stored = cache.get_many(keys) if keys else {}
    found = {}
    for key, paper in zip(keys, papers, strict=True):
        entry = stored.get(key)
        if entry is not None and entry[0] == _stamp(paper):
            found[key] = entry[1]
    missing = [(key, paper) for key, paper in zip(keys, papers, strict=True) if key not in found]
    if missing:
        prefetch_related_objects([paper for _, paper in missing], *card_prefetches())
        template = get_template(CARD_TEMPLATE)
        rendered = {key: str(template.render({"paper": paper})) for key, paper in missing}
        cache.set_many({key: (_stamp(paper), rendered[key]) for key, paper in missing}, TIMEOUT)
        found.update(rendered)
    # Our own template's output, escaped when it was rendered.
    return [mark_safe(found[key]) for key in keys]  # noqa: S308


def forget(paper_ids, using=None):
    """Drop the cards of ``paper_ids`` (their links changed, not their rows), and their
    kept pages, which show the same byline and tags (``papers/pages.py``)."""
    paper_ids = [pk for pk in paper_ids if pk is not None]
    if not paper_ids:
        return
    pages.forget(paper_ids, using)
    if in_batch():  # thousands of rows: one bump at the batch's end instead
        bump_cards()
        return

    def drop():
        version = cards_version()
        cache.delete_many(
            [_key(version, pk) for pk in paper_ids]
            + [row_key(API_ROWS, version, pk) for pk in paper_ids]
        )

    # Now, for this request, and after the commit: a card rendered from the old rows in
    # between would otherwise be kept.
    drop()
    transaction.on_commit(drop, using=using)


def _bump_now_and_after_commit(using=None):
    bump_cards()
    if not in_batch():
        transaction.on_commit(bump_cards, using=using)


# --- receivers --------------------------------------------------------------------------

# The fields of a tag, author or venue that a card shows (its name, its link).
SHOWN = {Tag: ("name", "slug"), Author: ("name", "slug"), Venue: ("name", "short_name", "slug")}


def _name_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    fields = SHOWN[sender]
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
    if before != tuple(getattr(instance, name) for name in SHOWN[sender]):
        _bump_now_and_after_commit(using)


def _name_deleted(sender, instance, using=None, **kwargs):
    _bump_now_and_after_commit(using)


def _link_changed(paper_field):
    def receiver(sender, instance, using=None, **kwargs):
        forget([getattr(instance, paper_field)], using)

    return receiver


def _links_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """``paper.tags.add()``, ``paper.authors.set()``, ``tag.paper_set.clear()``…"""
    if not action.startswith("post_"):
        return
    if not reverse:  # ``instance`` is the paper
        forget([instance.pk], using)
    elif pk_set:  # ``instance`` is the tag or author, ``pk_set`` the papers
        forget(pk_set, using)
    else:  # a reverse clear: which papers is not said
        _bump_now_and_after_commit(using)


def connect():
    """Connect the receivers (``papers.apps``)."""
    receivers = [
        (post_save, _link_changed("content_object_id"), TaggedPaper),
        (post_delete, _link_changed("content_object_id"), TaggedPaper),
        (post_save, _link_changed("paper_id"), Authorship),
        (post_delete, _link_changed("paper_id"), Authorship),
        (m2m_changed, _links_changed, TaggedPaper),
        (m2m_changed, _links_changed, Authorship),
    ]
    for model in SHOWN:
        receivers += [
            (pre_save, _name_pre_save, model),
            (post_save, _name_saved, model),
            (post_delete, _name_deleted, model),
        ]
    for number, (signal, receiver, sender) in enumerate(receivers):
        # weak=False: the link receivers are closures made here, referenced by nothing else.
        uid = f"papers-cards-{number}-{sender.__name__}"
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
