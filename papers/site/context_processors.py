"""Template context every page gets: the site's identity (papers/identity.py)."""

from django.utils.functional import SimpleLazyObject

from papers import identity


def site(request):
    """``{{ site.name }}``, ``{{ site.tagline }}``…: read only by templates that use it."""
    return {"site": SimpleLazyObject(lambda: identity.current(request))}
