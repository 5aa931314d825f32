"""Addresses that name a paper another way: an alias, an arXiv id, a DOI, another case.

``/papers/ref/<reference>/`` is where wiki-links point; ``/papers/<alias>/`` and
``/papers/GPT-3/`` land here too when no paper has that exact slug. Both redirect to the
paper's own page with a temporary redirect (an alias may later name another paper).
"""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from papers.wikilinks import resolve_reference


def redirect_to_reference(reference):
    """A redirect to the published paper ``reference`` names; ``Http404`` when none does."""
    paper = resolve_reference(reference)
    if paper is None:
        raise Http404("No published paper has this name, alias or identifier.")
    return redirect(paper.get_absolute_url())


@require_safe
def paper_reference(request, reference):
    return redirect_to_reference(reference)
