"""What leaves the site as feeds and calendars: text that XML and iCalendar can carry.

Titles, names, notes and summaries are typed or pasted by editors and may hold control
characters (a form feed from a PDF, a NUL from a broken import). XML 1.0 cannot carry
them at all, not even escaped, and RFC 5545 forbids them in TEXT values: one of them
would make the whole feed or calendar unreadable, or a 500. ``feed_text()`` is the one
sanitiser every Atom feed (``SiteFeed``) and every ``.ics`` goes through.
"""

import re

from django.contrib.syndication.views import Feed

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


class SiteFeed(Feed):
    """The base of every feed: each text field of the feed and its entries is cleaned.

    Subclasses return absolute addresses from ``link``, ``feed_url`` and ``item_link``
    (``papers.site.absolute_url``): Django would otherwise prefix the request's Host, and
    a feed's and its entries' ids (their links) must not change with it.
    """

    def author_name(self):
        """Every feed names the site's author or group (site settings) as its author."""
        from papers.identity import site_name_and_author

        return site_name_and_author()[1]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # After Django gathered every field, however a subclass produced it (methods,
        # attributes, templates): nothing can slip past.
        feed.feed = {key: _clean(value) for key, value in feed.feed.items()}
        feed.items = [{key: _clean(value) for key, value in item.items()} for item in feed.items]
        return feed
