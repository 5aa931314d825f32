"""The one way a page writes JSON-LD: ``{{ data|jsonld }}`` (papers/site/templatetags)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# As Django's json_script does: no "</script>" or "<!--" can end or confuse the element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def jsonld_script(data):
    """The ``<script type="application/ld+json">`` of ``data``: the one way a page writes
    JSON-LD (``{{ data|jsonld }}``), so a title such as ``</script><script>…`` stays text."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
