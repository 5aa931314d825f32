"""Every kind of public page, with content behind it: what the whole-site checks walk.

The CSP walk, the HTML checker and the accessibility audit visit the same pages: every
public route the crawl reaches (a few objects of each, since one session has slides and
the next has none), plus the states only a query string shows (a search with hits, a
filtered list, a bad search, a missing page), which the crawl cannot reach.
"""

from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import FigureFactory, paper_with_everything
from tests.urlwalk import all_routes, crawl_all, parameterless_paths

# Pages per public route: objects differ, so a few of each are visited.
PER_ROUTE = 6

# Page states behind a query string (or an error), with the status each must answer.
QUERY_PAGES = {
    "/search/?q=learning": 200,
    "/search/?q=learning&type=papers": 200,
    "/search/?type=nope": 400,
    "/search/?q=%22": 200,
    "/papers/?tag=vision&sort=title": 200,
    "/papers/?year=1": 400,
    "/papers/?page=2": 200,
    "/reports/?q=model": 200,
    "/no-such-page/": 404,
}


def add_walk_content():
    """On top of the demo content (the ``demo_loaded`` fixture: the per-process snapshot of
    ``manage.py demo`` put back, not a run), a paper whose notes hold a table, display math
    and code, with a figure; and the Editors group."""
    paper = paper_with_everything(
        notes="| left | right |\n|:--|--:|\n| a | b |\n\n$$e^{i\\pi} + 1 = 0$$\n\n"
        "```python\n# a comment\nimport math\nx = 1.5  # the value\n```"
    )
    FigureFactory(paper=paper)
    Group.objects.create(name="Editors")
    return paper


def public_pages(per_route=PER_ROUTE):
    """Up to ``per_route`` URLs of every public route a visitor can reach (lists, details)."""
    return sorted(url for urls in public_pages_by_route(per_route).values() for url in urls)


def public_pages_by_route(per_route=PER_ROUTE):
    """``{route: [url, …]}``: :func:`public_pages` by route, each in the crawl's order."""
    return {
        route: list(responses) for route, responses in public_responses_by_route(per_route).items()
    }


def public_responses_by_route(per_route=PER_ROUTE):
    """``{route: {url: response, …}}``: the crawl's own responses (an anonymous visitor's)
    of :func:`public_pages`, for a check of the HTML that needs no second request."""
    routes = [r for r in all_routes() if not r.in_admin]
    found = crawl_all(Client(), parameterless_paths(routes), per_route=per_route)
    by_route = {
        route: {
            url: response
            for url, response in hits
            if response.status_code == 200 and "html" in response.get("Content-Type", "")
        }
        for route, hits in found.items()
    }
    return {route: responses for route, responses in by_route.items() if responses}
