"""Template helpers: links that add or remove one filter of the current list; absolute URLs;
machine-readable times."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from papers import identity
from papers.metadata import jsonld_script
from papers.site import absolute_url

register = template.Library()
register.filter("jsonld", jsonld_script)


def _params(request):
    """The query string as ``{key: [values]}``, less ``page``: a changed filter starts again at
    page 1. A list renders some 60 such links, so it is read once per request and copied
    shallowly (``QueryDict.copy()`` deep-copies, which was most of a list's render time)."""
    base = getattr(request, "_papershelf_filter_params", None)
    if base is None:
        base = {key: values for key, values in request.GET.lists() if key != "page"}
        request._papershelf_filter_params = base
    return {key: list(values) for key, values in base.items()}


def _query(params):
    pairs = [(key, value) for key, values in params.items() for value in values if value != ""]
    return "?" + urlencode(pairs) if pairs else "?"


@register.simple_tag(takes_context=True)
def query_set(context, key, value):
    """The current query string with ``key`` set to ``value`` (or removed when equal)."""
    params = _params(context["request"])
    current = params.get(key) or [None]
    if current[-1] == str(value):
        params.pop(key)
    else:
        params[key] = [value]
    return _query(params)


@register.simple_tag(takes_context=True)
def query_toggle(context, key, value):
    """The current query string with ``value`` added to or removed from the list ``key``."""
    params = _params(context["request"])
    values = params.get(key, [])
    value = str(value)
    params[key] = [v for v in values if v != value] if value in values else [*values, value]
    return _query(params)


@register.simple_tag(takes_context=True)
def query_page(context, number):
    """The current query string on page ``number``."""
    params = {key: list(values) for key, values in context["request"].GET.lists()}
    params["page"] = [number]
    return _query(params)


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
    # Rendered and sanitised by papers.markdown when the settings were saved.
    return format_html('<div class="epigraph">{}</div>', mark_safe(html))  # noqa: S308


@register.simple_tag(takes_context=True)
def section_label(context, section, default=""):
    """The heading of ``section``: the editor's label from the site settings, or ``default``."""
    return identity.current(context.get("request")).label(section, default)
