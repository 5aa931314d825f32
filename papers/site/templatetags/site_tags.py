"""Template helpers: the list's query for ``{% querystring %}`` and the values that add or
remove one filter; absolute URLs; machine-readable times; ``{% fixed %}`` (a page's fixed
links, rendered once per process: papers/site/fixed.py)."""

import datetime

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from papers import identity
from papers.site.addresses import absolute_url
from papers.site.fixed import do_fixed
from papers.site.jsonld import jsonld_script

register = template.Library()
register.filter("jsonld", jsonld_script)
register.tag("fixed", do_fixed)


class _FilterQuery(QueryDict):
    """The list's query string for ``{% querystring %}``: ``request.GET`` less ``page`` (a
    changed filter starts again at page 1) and less empty values (``?q=&year=``).

    ``copy()`` is shallow: ``{% querystring %}`` copies its QueryDict once per link, a list
    page writes some 60 such links, and ``QueryDict.copy()`` deep-copies (38 µs each).
    The values are strings, so copying the lists is enough.
    """

    def copy(self):
        copied = _FilterQuery(mutable=True)
        for key, values in self.lists():
            copied.setlist(key, list(values))
        return copied


@register.filter
def filter_query(request):
    """``{% querystring request|filter_query tag=… %}``: see :class:`_FilterQuery`; built
    once per request."""
    query = getattr(request, "_papershelf_filter_query", None)
    if query is None:
        query = _FilterQuery(mutable=True)
        for key, values in request.GET.lists():
            values = [value for value in values if value != ""]
            if key != "page" and values:
                query.setlist(key, values)
        request._papershelf_filter_query = query
    return query


@register.filter
def toggled_tag(request, slug):
    """``request|toggled_tag:slug``: the query's ``tag`` values with ``slug`` added, or
    removed if present. The query's, not the view's active tags: a tag that the URL sets
    (``/tags/<slug>/``) is not in the query string and must not be added to it."""
    values = filter_query(request).getlist("tag")
    slug = str(slug)
    return [v for v in values if v != slug] if slug in values else [*values, slug]


@register.filter
def unless_active(value, active):
    """``year|unless_active:active_year``: ``value``, or ``None`` (the filter removed) when
    it is the one already chosen, so the active facet's link turns it off."""
    return None if active is not None and str(value) == str(active) else value


@register.filter(name="absolute_url")
def absolute_url_filter(path):
    """``{{ request.path|absolute_url }}``: the path on ``SITE_URL``, whatever the Host."""
    return absolute_url(path)


@register.filter
def machine_time(value):
    """A ``<time datetime>`` value HTML accepts: seconds at most (``|date:'c'`` writes
    microseconds, which the HTML checker rejects), in the site's time zone; a date as is."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    return value.isoformat() if isinstance(value, datetime.date) else ""


@register.simple_tag(takes_context=True)
def epigraph(context, section):
    """The editor's epigraph for ``section`` (site settings), or nothing."""
    html = identity.current(context.get("request")).epigraphs.get(section)
    if not html:
        return ""
    # Rendered and sanitised by papers.site.markdown when the settings were saved.
    return format_html('<div class="epigraph">{}</div>', mark_safe(html))  # noqa: S308


@register.simple_tag(takes_context=True)
def section_label(context, section, default=""):
    """The heading of ``section``: the editor's label from the site settings, or ``default``."""
    return identity.current(context.get("request")).label(section, default)
