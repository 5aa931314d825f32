"""Facet benchmark: the paper list filtered by author and venue, at 100,000 papers.

    .venv/bin/python bench/facets.py [--papers 100000] [--database postgres://…/ps_facets]
                                     [--reuse] [--reps 15] [--profile] [--merge-only]

Builds (or, with ``--reuse``, keeps) a PostgreSQL database of synthetic papers (migrate +
``synth``), then measures in-process with Django's test client, DEBUG off, each list below:

- *miss*: the page is not in the page cache but its counts are (a URL nobody asked for
  since the last save): the target is ≤ 25 ms for the author + venue list;
- *cold*: every cache invalidated just before (as right after a save): the counts and
  facets are computed too;
- the SQL queries of a cold request;
- with ``--profile``, a cProfile of the author + venue list's misses (own time);
- last, merging the most prolific authors into one until 5,000 bylines change (target
  ≤ 5 s), rolled back, then the search-document job that a merge queues.

Each miss is split into the web process's CPU time and the wall time of its SQL: on a
machine shared with other work the wall time mostly measures waiting for a core, so the
load average is printed beside every line.

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
    held = int(count.strip().splitlines()[-1])
    if held == papers:
        log(f"reusing {name} ({papers:,} papers)")
        return
    if held:
        # synth adds rows: on top of another size the counts would be neither.
        log(f"{name} holds {held:,} papers, not {papers:,}: building it again")
        return prepare(database_url, papers, False, env)
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


def measure(reps, profile=False, nice=0):
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from papers.models import Author, Paper
    from papers.site.cache import bump_content_version

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
    timer = SqlTimer()
    if nice:
        prioritise(connection, nice)

    def get(url, split=None):
        """The response and its wall time in ms; ``split`` collects (cpu, sql) ms too."""
        client.cookies.clear()
        timer.seconds = 0.0
        cpu = time.process_time()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if split is not None:
            split.append(((time.process_time() - cpu) * 1000, timer.seconds * 1000))
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response, elapsed

    rows = []
    for name, url in pages:
        for _ in range(3):
            get(url)
        variants = variants_of(url)
        split = []
        miss = sorted(get(variant, split)[1] for variant in variants[:reps])
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
            statistics.median(cpu for cpu, _ in split),
            statistics.median(sql for _, sql in split),
            count,
        )
        rows.append(row)
        log(
            f"  {name:28} miss {row[1]:7.2f} ms (max {row[2]:7.2f}; CPU {row[6]:6.2f}, SQL"
            f" {row[7]:6.2f})  cold {row[3]:8.2f} ms  (+summary {row[4]:8.2f} ms)  q {row[5]}"
            f"  ({count} papers)  load {load()}"
        )
    print(
        "\n| page | miss median | miss max | miss CPU (web process) | miss SQL | cold median "
        "| cold + summary | cold queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, miss, miss_max, cold, cold_all, queries, cpu, sql, count in rows:
        print(
            f"| {name} ({count}) | {miss:.1f} ms | {miss_max:.1f} ms | {cpu:.1f} ms | {sql:.1f} ms "
            f"| {cold:.1f} ms | {cold_all:.1f} ms | {queries} |"
        )
    if profile:
        profile_misses(get, lst, pages[0][1], reps)
    merge_timing()


def variants_of(url):
    """Other pages and orders of one list: not in the page cache, their counts cached (the
    counts are keyed by the filters only; an unknown parameter would be dropped from the
    page-cache key and hit the cached page)."""
    from papers.filters import SORTS

    joiner = "&" if "?" in url else "?"
    return [f"{url}{joiner}sort={s}&page={p}" for p in (2, 3, 4) for s in SORTS]


def profile_misses(get, lst, url, reps):
    """Where a miss spends its time: cProfile over misses of one list, by own time."""
    import cProfile
    import io
    import pstats

    from papers.site.cache import bump_content_version

    # A new content version, its summary and this list's counts rebuilt: every other page
    # or order of the list is a miss again.
    bump_content_version()
    get(lst)
    get(url)
    urls = variants_of(url)[:reps]
    profiler = cProfile.Profile()
    profiler.enable()
    for variant in urls:
        get(variant)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    print(f"\nProfile of {len(urls)} misses of {url} (own time, cProfile slows it):")
    print(out.getvalue().split("\n", 4)[-1].rstrip())


def prioritise(connection, nice):
    """Run this process and the PostgreSQL backend serving it ``nice`` steps ahead of the
    machine's other work (needs root; both return to normal when the run ends)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for pid in (os.getpid(), backend):
        os.setpriority(os.PRIO_PROCESS, pid, -nice)
    log(f"this process and PostgreSQL backend {backend} at niceness {-nice}")


class SqlTimer:
    """A connection execute wrapper adding up the wall time spent in SQL statements."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def merge_timing(papers=5000):
    """Merge the most prolific authors into one until ``papers`` bylines change; rolled back.

    The papers involved get their search documents first (synth writes none; a live site
    has them, and the merge appends the remaining name to each), so the merge pays what it
    would on a real library.
    """
    from django.db import connection, transaction
    from django.db.models import Count

    from papers.merging import merge_authors
    from papers.models import Author, Authorship, Paper
    from papers.site import search

    ranked = list(Author.objects.annotate(n=Count("authorships")).order_by("-n", "pk")[:20])
    sources, total = [], 0
    for author in ranked[1:]:
        sources.append(author)
        total += author.n
        if total >= papers:
            break
    involved = list(
        Authorship.objects.filter(author__in=[ranked[0], *sources]).values_list(
            "paper_id", flat=True
        )
    )
    missing = Paper.objects.filter(pk__in=involved, search_text="").values_list("pk", flat=True)
    missing = list(missing)
    if missing:
        started = time.perf_counter()
        search.rebuild_documents(Paper, pks=sorted(missing))
        log(
            f"search documents of {len(missing):,} papers built in "
            f"{time.perf_counter() - started:.1f} s"
        )

    class Rollback(Exception):
        pass

    timer = SqlTimer()
    cpu = time.process_time()
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.execute_wrapper(timer):
            changed = merge_authors(ranked[0], sources)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            sql = timer.seconds
            # What the queued job does afterwards, in the worker: the remaining author's
            # papers get their search documents rewritten.
            job_started = time.perf_counter()
            pks = Paper.objects.filter(authors=ranked[0]).values_list("pk", flat=True)
            rewritten = search.rebuild_documents(Paper, pks=sorted(pks))
            job = time.perf_counter() - job_started
            raise Rollback
    except Rollback:
        pass
    line = (
        f"Merging {len(sources)} authors ({changed:,} papers) into one: {elapsed:.2f} s"
        f" (SQL {sql:.2f} s, web process CPU {cpu:.2f} s; load {load()}); then the"
        f" job rewrites {rewritten:,} search documents in {job:.1f} s"
    )
    log(line)
    print(f"\n{line}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_FACETS_DB", DEFAULT_DATABASE))
    parser.add_argument("--reuse", action="store_true", help="keep a database of N papers")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="cProfile the first list's misses")
    parser.add_argument("--merge-only", action="store_true", help="time the author merge only")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="lower the niceness of this process and its PostgreSQL backend by N (root): on "
        "a shared machine, an approximation of having the cores to itself",
    )
    args = parser.parse_args(argv)
    static_root = ROOT / "bench" / "results" / "facets-static"
    env = dict(base_env("", static_root), DATABASE_URL=args.database)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    prepare(args.database, args.papers, args.reuse, env)
    os.environ.update(env)
    log(f"{os.cpu_count()} cores, load average {load()}")
    if args.merge_only:
        import django

        django.setup()
        merge_timing()
    else:
        measure(args.reps, args.profile, args.nice)


if __name__ == "__main__":
    main()
