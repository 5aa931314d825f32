"""Facet benchmark: the paper list filtered by author and venue, at 100,000 papers.

    .venv/bin/python bench/facets.py [--papers 100000] [--database postgres://…/ps_facets]
                                     [--reuse] [--reps 15]

Builds (or, with ``--reuse``, keeps) a PostgreSQL database of synthetic papers (migrate +
``synth``), then measures in-process with Django's test client, DEBUG off, each list below:

- *miss*: the page is not in the page cache but its counts are (a URL nobody asked for
  since the last save): the target is ≤ 25 ms for the author + venue list;
- *cold*: every cache invalidated just before (as right after a save): the counts and
  facets are computed too;
- the SQL queries of a cold request.

Prints one line per page and a Markdown table for docs/PERFORMANCE.md. The database name
is its own (not the main benchmark's ``ps_bench_*``), so runs do not disturb each other.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import PYTHON, base_env, log, run  # noqa: E402 (bench/bench.py, beside this file)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/ps_curate_facets"


def prepare(database_url, papers, reuse, env):
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    count = run(
        [PYTHON, "-c", "import django; django.setup(); from papers.models import Paper; "
         "print(Paper.objects.count())"],
        env,
        capture=True,
    )  # fmt: skip
    if int(count.strip().splitlines()[-1]) == papers:
        log(f"reusing {name} ({papers:,} papers)")
        return
    started = time.perf_counter()
    out = run(
        [PYTHON, "manage.py", "synth", "--papers", str(papers), "--seed", "1"],
        dict(env, DB_STATEMENT_TIMEOUT="0"),
        capture=True,
    )
    log(out.strip().replace("\n", " | "))
    log(f"synth took {time.perf_counter() - started:.0f} s")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def measure(reps):
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from papers.cache import bump_content_version
    from papers.filters import SORTS
    from papers.models import Author, Paper

    published = Paper.objects.published()
    author = (
        Author.objects.annotate(n=Count("authorships")).order_by("-n", "pk").only("slug").first()
    )
    venue = (
        published.filter(authorships__author=author, published_in__isnull=False)
        .values_list("published_in__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()[0]
    )
    big_venue = (
        published.values_list("published_in__slug")
        .exclude(published_in=None)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()[0]
    )
    lst = reverse("papers:paper_list")
    pages = [
        ("list ?author=&venue=", f"{lst}?author={author.slug}&venue={venue}"),
        ("list ?author=", f"{lst}?author={author.slug}"),
        ("list ?venue= (largest)", f"{lst}?venue={big_venue}"),
        ("list ?year_min=&year_max=", f"{lst}?year_min=2020&year_max=2021"),
        ("list (unfiltered)", lst),
        ("venue page (largest)", reverse("papers:venue_detail", args=[big_venue])),
        ("author page", author.get_absolute_url()),
    ]
    client = Client()

    def get(url):
        client.cookies.clear()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response, elapsed

    rows = []
    for name, url in pages:
        for _ in range(3):
            get(url)
        joiner = "&" if "?" in url else "?"
        # Not in the page cache, counts cached: another page or order of the same list
        # (the counts are keyed by the filters only; an unknown parameter would be dropped
        # from the page-cache key and hit the cached page).
        variants = [f"{url}{joiner}sort={s}&page={p}" for p in (2, 3, 4) for s in SORTS]
        miss = sorted(get(variant)[1] for variant in variants[:reps])
        cold, cold_all = [], []
        for _ in range(max(3, reps // 3)):
            bump_content_version()
            cold_all.append(get(url)[1])
            # The summary of all published papers, shared by every list, rebuilt first:
            # what is left is this list's own counting.
            bump_content_version()
            get(lst)
            cold.append(get(url)[1])
        bump_content_version()
        get(lst)
        with CaptureQueriesContext(connection) as queries:
            response, _ = get(url)
        count = re.search(rb'class="count">([\d,]+) paper', response.content)
        count = count.group(1).decode() if count else "?"
        row = (
            name,
            statistics.median(miss),
            max(miss),
            statistics.median(cold),
            statistics.median(cold_all),
            len(queries),
        )
        rows.append(row)
        log(
            f"  {name:28} miss {row[1]:7.2f} ms (max {row[2]:7.2f})  cold {row[3]:8.2f} ms"
            f"  (+summary {row[4]:8.2f} ms)  q {row[5]}  ({count} papers)"
        )
    print("\n| page | miss median | miss max | cold median | cold + summary | cold queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, miss, miss_max, cold, cold_all, queries in rows:
        print(
            f"| {name} | {miss:.1f} ms | {miss_max:.1f} ms | {cold:.1f} ms | {cold_all:.1f} ms "
            f"| {queries} |"
        )
    merge_timing()


def merge_timing(papers=5000):
    """Merge the most prolific authors into one until ``papers`` bylines change; rolled back."""
    from django.db import transaction
    from django.db.models import Count

    from papers.merging import merge_authors
    from papers.models import Author

    ranked = list(Author.objects.annotate(n=Count("authorships")).order_by("-n", "pk")[:20])
    sources, total = [], 0
    for author in ranked[1:]:
        sources.append(author)
        total += author.n
        if total >= papers:
            break

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            changed = merge_authors(ranked[0], sources)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    log(f"merge of {len(sources)} authors into one: {changed:,} papers in {elapsed:.2f} s")
    print(f"\nMerging {len(sources)} authors ({changed:,} papers) into one: {elapsed:.2f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_FACETS_DB", DEFAULT_DATABASE))
    parser.add_argument("--reuse", action="store_true", help="keep a database of N papers")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args(argv)
    static_root = ROOT / "bench" / "results" / "facets-static"
    env = dict(base_env("", static_root), DATABASE_URL=args.database)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    prepare(args.database, args.papers, args.reuse, env)
    os.environ.update(env)
    measure(args.reps)


if __name__ == "__main__":
    main()
