"""``{% fixed %}…{% endfixed %}``: a template's fixed HTML, rendered once per process.

Every page's frame (``templates/base.html``) writes the same links: nine or ten ``{% url %}``
without arguments and six ``{% static %}``. Each is a ``reverse()`` (~30–60 µs: the
resolver's candidates, a regex check, quoting) or a manifest lookup (~25–45 µs), and
gives the same string on every request. A ``{% fixed %}`` block renders its content once
per what that content can depend on (``_key``) and writes the kept string afterwards:
0.2–0.65 ms less CPU per page rendered (docs/PERFORMANCE.md, helper basetpl78).

Only text, comments, ``{% url %}`` of a quoted name without arguments and
``{% static %}`` of a quoted path are accepted inside (checked when the template is
compiled), so nothing a request varies (the user, a CSRF token, a nonce, the query) can
be kept by mistake. What those two tags read besides their quoted argument, and so the
key:

- ``{% url %}``: the active language (the resolver's reverse table is per language:
  ``i18n_patterns``, translated routes), the URL conf (``request.urlconf`` or
  ``ROOT_URLCONF``: ``get_urlconf``), the script prefix (``SCRIPT_NAME``), the current
  app (a namespace with several instances) and whether the context autoescapes;
- ``{% static %}``: the staticfiles storage (a new one after a setting change, e.g.
  ``STATIC_URL``) and its manifest (``hashed_files``: a new dict after ``collectstatic``'s
  post-processing, or in a new storage reading ``staticfiles.json``), and autoescaping.

A URL conf's contents and a manifest's file are read once per process by Django itself,
so a deploy restarts the processes that keep these strings.
"""

from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.core.files.storage import storages
from django.template import Node, TemplateSyntaxError
from django.template.base import TextNode
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

# Past this many variants of one block (tests changing settings), start again: a site
# has a handful (current apps × languages).
MAX_VARIANTS = 64


def _is_quoted(expression):
    return not expression.is_var and not expression.filters


def _check(node):
    """Whether ``node`` gives the same output for every request with the same ``_key``."""
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, URLNode):
        return not node.args and not node.kwargs and not node.asvar and _is_quoted(node.view_name)
    if isinstance(node, StaticNode):
        return node.varname is None and _is_quoted(node.path)
    return False


def _current_app(request):
    # As ``URLNode.render`` chooses it.
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def _key(context):
    """What the block's output depends on besides its own text; with the storage and
    manifest objects themselves, kept alive with the output so that their ids in the key
    are not reused by later objects."""
    storage = storages[STATICFILES_STORAGE_ALIAS]
    manifest = getattr(storage, "hashed_files", None)
    key = (
        get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        _current_app(getattr(context, "request", None)),
        context.autoescape,
        id(storage),
        id(manifest),
    )
    return key, (storage, manifest)


class FixedNode(Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}  # key -> (storage, manifest, html)

    def render(self, context):
        key, kept_alive = _key(context)
        entry = self.rendered.get(key)
        if entry is None:
            if len(self.rendered) >= MAX_VARIANTS:
                self.rendered.clear()
            entry = self.rendered[key] = (*kept_alive, self.nodelist.render(context))
        return entry[-1]


def do_fixed(parser, token):
    """``{% fixed %}<a href="{% url 'about' %}">About</a>{% endfixed %}``: see the module."""
    if len(token.split_contents()) != 1:
        raise TemplateSyntaxError("{% fixed %} takes no arguments.")
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _check(node):
            raise TemplateSyntaxError(
                f"{{% fixed %}} holds only text, {{% url %}} of a quoted name without "
                f"arguments and {{% static %}} of a quoted path, not {node!r}."
            )
    return FixedNode(nodelist)
