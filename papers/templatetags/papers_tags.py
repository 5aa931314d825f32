"""Template helpers for links that add or remove one filter of the current list."""

from django import template
from django.utils.http import urlencode

register = template.Library()


def _params(request):
    params = request.GET.copy()
    params.pop("page", None)  # a changed filter starts again at page 1
    return params


def _query(params):
    pairs = [(key, value) for key in params for value in params.getlist(key) if value != ""]
    return "?" + urlencode(pairs) if pairs else "?"


@register.simple_tag(takes_context=True)
def query_set(context, key, value):
    """The current query string with ``key`` set to ``value`` (or removed when equal)."""
    params = _params(context["request"])
    if params.get(key) == str(value):
        params.pop(key)
    else:
        params[key] = value
    return _query(params)


@register.simple_tag(takes_context=True)
def query_toggle(context, key, value):
    """The current query string with ``value`` added to or removed from the list ``key``."""
    params = _params(context["request"])
    values = params.getlist(key)
    value = str(value)
    params.setlist(key, [v for v in values if v != value] if value in values else [*values, value])
    return _query(params)


@register.simple_tag(takes_context=True)
def query_page(context, number):
    """The current query string on page ``number``."""
    params = context["request"].GET.copy()
    params["page"] = number
    return _query(params)
