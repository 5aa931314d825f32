"""Print the load test's URL mix, one path a line (repeated lines weigh more).

Run with the bench environment (``manage.py shell < bench/urls.py`` or as a script with
DJANGO_SETTINGS_MODULE set). Generic on purpose: every public parameterless route, every
sitemap section's items (papers, reports, sessions, tags, authors, list pages), plus
the paper list's filters, tag and author pages, drawn from what the database holds.
"""

import os
import random
import sys

import django

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    django.setup()

from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402

from config.urls import sitemaps  # noqa: E402
from papers.models import Author, Paper, Tag  # noqa: E402

SAMPLE = 400  # objects drawn per kind
# Not traffic a visitor makes: the admin, the editor endpoints, probes, machine files.
EXCLUDED_PREFIXES = ("admin/", "markdownx/", "healthz", "sitemap", "robots.txt")
rng = random.Random(int(os.environ.get("SEED", "1")))  # noqa: S311 - picks test URLs


def parameterless_routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern).removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from parameterless_routes(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and not any(c in route for c in "<>()[]\\*+?{}|")
            and not route.startswith(EXCLUDED_PREFIXES)
        ):
            yield "/" + route


def sample(queryset, n=SAMPLE):
    """``n`` random rows without ORDER BY random() over the whole table."""
    pks = list(queryset.values_list("pk", flat=True)[:200_000])
    return list(queryset.filter(pk__in=rng.sample(pks, min(n, len(pks)))))


def weighted(lines, weight):
    return [line for line in lines for _ in range(weight)]


def mix():
    published = Paper.objects.published()
    total = published.count()
    years = list(published.order_by().values_list("year", flat=True).distinct())
    tags = [t.slug for t in sample(Tag.objects.all(), 100)]
    words = [w for p in sample(published, 100) for w in p.title.split() if len(w) > 4][:100]
    pages = max(1, total // 20)

    lists = list(parameterless_routes())
    detail = []
    for section in sitemaps.values():
        site_map = section() if isinstance(section, type) else section
        items = site_map.items()
        picked = sample(items) if hasattr(items, "values_list") else list(items)[:SAMPLE]
        detail += [site_map.location(item) for item in picked]
    bibtex = [p.get_absolute_url().rstrip("/") + ".bib" for p in sample(published, 100)]
    filters = (
        [f"/papers/?page={rng.randint(1, pages)}" for _ in range(100)]
        + [f"/papers/?year={rng.choice(years)}" for _ in range(60)]
        + [f"/papers/?tag={rng.choice(tags)}" for _ in range(60)]
        + [f"/papers/?tag={rng.choice(tags)}&year={rng.choice(years)}" for _ in range(40)]
        + [f"/papers/?q={rng.choice(words)}" for _ in range(40)]
        + [f"/papers/?sort=title&page={rng.randint(1, min(pages, 50))}" for _ in range(20)]
        + [f"/papers/{rng.choice(years)}/" for _ in range(20)]
        + [f"/search/?q={rng.choice(words)}" for _ in range(40)]
        + [
            f"/search/?q={rng.choice(words)}&type=papers&year={rng.choice(years)}"
            for _ in range(10)
        ]
        + [f"/api/papers?tag={rng.choice(tags)}&year_min={rng.choice(years)}" for _ in range(20)]
        + [f"/api/papers?q={rng.choice(words)}" for _ in range(10)]
    )
    tag_pages = [t.get_absolute_url() for t in sample(Tag.objects.all(), 100)]
    authors = [a.get_absolute_url() for a in sample(Author.objects.all(), 200)]
    # Roughly: a third detail pages, a third lists and filters, the rest the home page,
    # tag and author pages and BibTeX downloads.
    return (
        weighted(["/"], 60) + weighted(lists, 10) + detail + filters + tag_pages + authors + bibtex
    )


if __name__ == "__main__":
    for line in mix():
        print(line)
