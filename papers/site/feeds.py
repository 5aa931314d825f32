"""What leaves the site as feeds and calendars: text that XML and iCalendar can carry.

Titles, names, notes and summaries are typed or pasted by editors and may hold control
characters (a form feed from a PDF, a NUL from a broken import). XML 1.0 cannot carry
them at all, not even escaped, and RFC 5545 forbids them in TEXT values: one of them
would make the whole feed or calendar unreadable, or a 500. ``feed_text()`` is the one
sanitiser every Atom feed (``SiteFeed``) and every ``.ics`` goes through.

Every feed is also an Atom feed as RFC 4287 wants it, whoever writes the subclass: the
site is the feed's author (``papers.site.addresses.site_author``), an entry has one permanent id in
every feed that carries it (``entry_id``), and links inside entries are absolute.
"""

import copy
import datetime
import io
import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from papers.site.addresses import site_author, site_host
from papers.site.cache import kept_values

# C0 controls except tab and the line ends, DEL, lone UTF-16 surrogates (a str can hold
# them even though no encoder accepts them) and the two non-characters XML excludes.
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile("[\x0b\x0c]")  # vertical tab and form feed separate words
_LINE_END = re.compile("\r\n?")  # a lone CR would end an iCalendar line


def feed_text(text):
    """``text`` with every character XML 1.0 and iCalendar forbid removed (``""`` for None)."""
    if text is None:
        return ""
    return _FORBIDDEN.sub("", _SPACE.sub(" ", _LINE_END.sub("\n", str(text))))


def _clean(value):
    if isinstance(value, str):
        return feed_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    return value


# The attributes of sanitised HTML (nh3 and format_html always write double quotes) that
# hold an address.
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster|cite)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolutize(html, base):
    """``html`` with every address in ``href``/``src``/``srcset``… resolved against ``base``.

    A feed reader shows an entry away from its page: ``/media/x.png``, ``figure.png`` or
    ``#section`` would lead nowhere there.
    """
    if not html:
        return html
    html = _URL_ATTRIBUTE.sub(lambda m: m[1] + urljoin(base, m[2].strip()) + m[3], html)

    def candidates(match):
        parts = []
        for candidate in match[2].split(","):
            url, _, size = candidate.strip().partition(" ")
            parts.append(f"{urljoin(base, url)} {size}".strip())
        return match[1] + ", ".join(parts) + match[3]

    return _SRCSET.sub(candidates, html)


def entry_id(obj):
    """The one permanent, globally unique id of a paper, report or session in every feed.

    A ``tag:`` URI (RFC 4151) of the site's host, the day the row was created and its
    model and primary key: unlike the page's address it survives a new slug or number,
    and a paper is the same entry in the papers, tag and search feeds.
    """
    return entry_id_of(type(obj), obj.pk, getattr(obj, created_field(type(obj))))


def created_field(model):
    """The name of ``model``'s creation time (its ``auto_now_add`` field): in its entry id."""
    fields = model._meta.concrete_fields
    return next(field for field in fields if getattr(field, "auto_now_add", False)).attname


def entry_id_of(model, pk, created):
    """``entry_id`` of the ``model`` row ``pk`` created at ``created``, without the row."""
    day = created.astimezone(datetime.UTC).date().isoformat()
    return f"tag:{site_host()},{day}:{model._meta.model_name}/{pk}"


def names_per_row(links, row, name):
    """``{row id: (name, …)}`` from ``links``, link rows (a byline, a tag on a row) in the
    order an entry shows them: ``row`` and ``name`` are their ``values_list`` fields."""
    names = {}
    for pk, value in links.values_list(row, name):
        names.setdefault(pk, []).append(value)
    return {pk: tuple(values) for pk, values in names.items()}


def tag_names(model, pks):
    """``{pk: (tag name, …)}`` of the ``model`` rows ``pks``, in the order
    ``listed(row, "tags")`` gives them (taggit reads a row's tags by the link's id)."""
    links = model.tags.through.objects.filter(content_object__in=pks).order_by("pk")
    return names_per_row(links, "content_object_id", "tag__name")


class Unpublished(Exception):  # noqa: N818 - what happened, not an error of the code
    """A feed's row is gone (unpublished or deleted) since its facts were read."""


class AtomFeed(Atom1Feed):
    """Atom 1.0 with an entry's full HTML in ``<content>`` beside its ``<summary>``; an
    item may come as its ``<entry>`` written already (``entry()``, kept by ``SiteFeed``)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})

    def entry(self, item):
        """``item``'s ``<entry>`` element as text, as ``Atom1Feed.write_items`` writes it."""
        out = io.StringIO()
        handler = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
        handler.startElement("entry", self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement("entry")
        return out.getvalue()

    def write_items(self, handler):
        for item in self.items:
            # ``ignorableWhitespace`` writes its text as it is: XML that ``entry()`` wrote.
            handler.ignorableWhitespace(item["entry"] if "entry" in item else self.entry(item))


class SiteFeed(Feed):
    """The base of every feed: each text field of the feed and its entries is cleaned.

    Subclasses return absolute addresses from ``link``, ``feed_url`` and ``item_link``
    (``papers.site.addresses.absolute_url``): Django would otherwise prefix the request's Host, and
    a feed's id (its own address) must not change with it. An entry's full HTML goes in
    ``item_extra_kwargs``' ``content``.
    """

    feed_type = AtomFeed

    def author_name(self):
        return site_author().name

    def author_link(self):
        return site_author().url

    def feed_guid(self, obj):
        # The feed's own address, not the page's: a page has several feeds (?format=atom on
        # each filtered list) and each needs its own id.
        return self._get_dynamic_attr("feed_url", obj)

    def item_guid(self, item):
        return entry_id(item)

    def item_guid_is_permalink(self, item):
        return False

    def entry_facts(self, item):
        """What ``item``'s entry is made from, read from the row and what was prefetched
        with it (a tuple), so that its ``<entry>`` is kept under them (``kept_values``):
        any change gives other facts. ``None``: the entry is written every time."""
        return None

    def row_facts(self, rows):
        """``{pk: entry_facts(row)}`` of ``rows`` (a queryset of published rows) read as
        values, no model instance: for a feed that loads the objects of the entries not
        kept only (the tag feed). ``None``: this writer's facts need the objects."""
        return None

    def facts_of(self, items):
        """``(items, facts)``: ``items`` (those that are still there) and their facts."""
        return items, [self.entry_facts(item) for item in items]

    def loaded(self, items, partial=False):
        """``items`` ready for Django's feed, in order; a feed whose ``items()`` gives no
        objects (the tag feed) loads them here, and raises ``Unpublished`` if one is gone
        since its facts were read (``partial``: leaves it out)."""
        return items

    def get_feed(self, obj, request):
        """The feed, each entry written once per facts (``entry_facts``): Django's
        gathering of an entry's fields (a dozen ``item_*`` calls, an address resolved),
        their cleaning and the XML writer were most of a feed's CPU."""
        items, facts = self.facts_of(list(self._get_dynamic_attr("items", obj)))
        try:
            if any(one is None for one in facts):
                return self._written(obj, request, self.loaded(items))
            return self._kept(obj, request, items, facts)
        except Unpublished:
            # A row gone between its facts and its object (unpublished or deleted just
            # now): the feed of what is left, nothing kept from this request.
            return self._written(obj, request, self.loaded(items, partial=True))

    def _kept(self, obj, request, items, facts):
        # The site's address is in every entry's links and id; the class says which
        # writer's methods made it.
        site = (f"{type(self).__module__}.{type(self).__qualname__}", settings.SITE_URL)
        facts = [(*site, *one) for one in facts]
        item_of = {id(one): item for one, item in zip(facts, items, strict=True)}
        feed = None

        def write(missing):
            nonlocal feed
            feed = self._written(obj, request, self.loaded([item_of[id(one)] for one in missing]))
            return [
                (feed.entry(entry), entry["pubdate"], entry["updateddate"]) for entry in feed.items
            ]

        kept = kept_values("feed-entry", facts, write, together=True)
        if feed is None:  # every entry kept: the feed's own elements only
            feed = self._written(obj, request, [])
        feed.items = [
            {"entry": entry, "pubdate": pubdate, "updateddate": updateddate}
            for entry, pubdate, updateddate in kept
        ]
        return feed

    def _written(self, obj, request, items):
        """Django's feed of ``obj`` with these ``items``, every text field cleaned."""
        only = copy.copy(self)  # feed instances are shared between threads
        only.items = items  # not callable: Django uses the list as it is
        feed = super(SiteFeed, only).get_feed(obj, request)
        # After Django gathered every field, however a subclass produced it (methods,
        # attributes, templates): nothing can slip past.
        feed.feed = {key: _clean(value) for key, value in feed.feed.items()}
        feed.items = [{key: _clean(value) for key, value in item.items()} for item in feed.items]
        for item in feed.items:
            for key in ("description", "content"):
                item[key] = absolutize(item.get(key), item["link"])
        return feed
