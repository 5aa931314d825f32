"""Template tags of the reports."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def report_label(context, report):
    """``report.public_label`` with this request's site settings (read once per request)."""
    return report.public_label(context.get("request"))
