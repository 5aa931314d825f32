"""Papershelf benchmark: server time, queries and bytes per page, then throughput.

    .venv/bin/python bench/bench.py [--sizes 1000,10000,100000] [--dbs sqlite,postgres]

For every database and size it builds a fresh database (``migrate`` + ``synth``), then a
child process measures each page in PAGES in-process with Django's test client: after a
warm-up, the median and p90 time of a warm request (caches full), the time of a cold one
(caches just invalidated, as after a save), the SQL queries of each, the response bytes,
the time of a conditional repeat visit (304), of a visitor sending a session cookie
that holds no session, and of the first visitor after an edit that changes no count.
Last, at the largest size on PostgreSQL, gunicorn (2 workers) serves the paper list, a
paper page and static files of the same bytes, and ``wrk`` measures requests/s over
loopback.

Results go to bench/results/<date>/ (results.json, report.md); report.md is printed.
Every step has a time limit, and the servers it starts are stopped in ``finally``.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Helpers sharing a server name their own databases: BENCH_PG_PREFIX=cold29_ps_bench_.
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "ps_bench_")
SEED = 1
STEP_TIMEOUT = 15 * 60  # one migrate, synth or measurement

# The pages measured: (name, URL name, how to build the URL from the sample objects).
# Add a page with one line; a URL name that does not resolve on this branch is reported
# as absent rather than failing the run.
PAGES = [
    ("home", "home", lambda s: ""),
    ("paper list", "papers:paper_list", lambda s: ""),
    ("list, page 2", "papers:paper_list", lambda s: "?page=2"),
    ("list ?tag= (popular)", "papers:paper_list", lambda s: f"?tag={s['tag']}"),
    ("list ?year=", "papers:paper_list", lambda s: f"?year={s['year']}"),
    ("list ?tag=&year=", "papers:paper_list", lambda s: f"?tag={s['tag']}&year={s['year']}"),
    ("list ?sort=title", "papers:paper_list", lambda s: "?sort=title"),
    ("search (list ?q=)", "papers:paper_list", lambda s: "?q=diffusion"),
    ("year page", "papers:paper_year", lambda s: [s["year"]]),
    ("author page", "papers:author_detail", lambda s: [s["author"]]),
    ("list ?author=", "papers:paper_list", lambda s: f"?author={s['author']}"),
    ("list ?venue=", "papers:paper_list", lambda s: f"?venue={s['venue']}"),
    ("venue page", "papers:venue_detail", lambda s: [s["venue"]]),
    ("tag page", "tag_detail", lambda s: [s["tag"]]),
    ("paper detail", "papers:paper_detail", lambda s: [s["paper"]]),
    ("paper .bib", "papers:paper_bibtex", lambda s: [s["paper"]]),
    ("sitemap.xml (index)", "sitemap", lambda s: ""),
    ("sitemap papers, p. 1", "sitemap_section", lambda s: ["papers"]),
    ("tag index", "tag_index", lambda s: ""),
    ("search page", "search", lambda s: "?q=diffusion"),
    ("search, papers of a year", "search", lambda s: f"?q=diffusion&type=papers&year={s['year']}"),
    ("tag Atom feed", "tag_feed", lambda s: [s["tag"]]),
    ("API list", "api:list_papers", lambda s: ""),
    ("API list ?tag=&year_min=", "api:list_papers", lambda s: f"?tag={s['tag']}&year_min=2020"),
    ("reports", "blog:report_list", lambda s: ""),
    ("report", "blog:report_detail", lambda s: [s["report"]]),
    ("reports Atom feed", "blog:feed", lambda s: ""),
    ("reading group", "readinggroup:presentation_list", lambda s: ""),
    ("session", "readinggroup:presentation_detail", lambda s: [s["session"]]),
    ("calendar.ics", "readinggroup:calendar", lambda s: ""),
    ("sitemap tags", "sitemap_section", lambda s: ["tags"]),
    ("sitemap authors, p. 1", "sitemap_section", lambda s: ["authors"]),
    ("topics", "papers:topics", lambda s: ""),
    ("API tags", "api:list_tags", lambda s: ""),
    ("API reports", "api:list_reports", lambda s: ""),
    ("API sessions", "api:list_sessions", lambda s: ""),
    ("reading group Atom feed", "readinggroup:feed", lambda s: ""),
]

# Pages served by gunicorn for the throughput test, each beside a static copy.
WRK_PAGES = ["paper list", "paper detail"]


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the child: measuring


def measure(args):
    """Runs inside a child process whose environment points at one database."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from blog.models import Report
    from papers.models import Author, Paper, Tag, Venue
    from papers.site.cache import bump_content_version
    from readinggroup.models import Presentation

    published = Paper.objects.published()
    sample = {
        # The most used tag: the largest tag page, the worst case for its facets.
        "tag": Tag.objects.annotate(n=Count("papers_taggedpaper_items"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)
        .first(),
        # A recent full year: one of the largest year pages.
        "year": 2024,
        # The most prolific author.
        "author": Author.objects.annotate(n=Count("authorships"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)
        .first(),
        # The venue of most published papers: the largest venue page.
        "venue": Venue.objects.annotate(n=Count("papers"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)
        .first(),
        # A typical paper: the 10th newest.
        "paper": published.order_by("-pk").values_list("slug", flat=True)[9],
        # The newest report and the latest past session: the ones visitors open most.
        "report": Report.objects.published().values_list("slug", flat=True).first(),
        "session": Presentation.objects.published().past().values_list("number", flat=True)[0],
    }
    client = Client()
    edited_paper = Paper.objects.get(slug=sample["paper"])

    cpu = {}

    def get(url, **headers):
        client.cookies.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        # This process's CPU time (on SQLite: the whole request, the database included):
        # on a loaded machine the wall clock mostly measures waiting for a core.
        cpu["last"] = (time.process_time() - started_cpu) * 1000
        return response, (time.perf_counter() - started) * 1000

    def timed_queries(url):
        with CaptureQueriesContext(connection) as queries:
            response, _ = get(url)
        return response, len(queries)

    rows = []
    from django.test import RequestFactory

    from papers.site import cache as page_cache

    def forget_page(url):
        address = page_cache._page_address(RequestFactory().get(url))
        cache.delete(f"papershelf:page:{page_cache.release()}:{address}")
        page_cache._local.clear()

    for name, url_name, build in PAGES:
        if args.pages and not any(part in name for part in args.pages.split(",")):
            continue
        built = build(sample)
        try:
            if isinstance(built, list):
                url = reverse(url_name, args=built)
            else:
                url = reverse(url_name) + built
        except NoReverseMatch:
            rows.append({"page": name, "absent": True})
            continue
        for _ in range(args.warmup):
            response, _ = get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        warm = sorted(get(url)[1] for _ in range(args.reps))
        _, warm_queries = timed_queries(url)
        # A visitor sending a session cookie that holds no session (made up, or expired):
        # served the cached page after one session lookup, not a rendered one.
        junk = []
        for i in range(args.reps):
            client.cookies.clear()
            client.cookies[settings.SESSION_COOKIE_NAME] = f"{i:032d}"
            started = time.perf_counter()
            client.get(url)
            junk.append((time.perf_counter() - started) * 1000)
        # A page not in the page cache, its counts cached: a list page nobody asked for
        # since the last save. The stored page is dropped before each request (a junk query
        # parameter would not do: the page cache's key ignores unknown parameters).
        miss, miss_cpu = [], []
        for _ in range(min(args.reps, 10)):
            forget_page(url)
            miss.append(get(url)[1])
            miss_cpu.append(cpu["last"])
        miss.sort()
        cold, cold_cpu = [], []
        for _ in range(args.cold_reps):
            bump_content_version()
            cold.append(get(url)[1])
            cold_cpu.append(cpu["last"])
        # After an editor's save of one paper that changes no count (its title re-saved):
        # pages are rebuilt, the site-wide counts are kept (papers/site/cache.py, watch_counts).
        edited, edited_cpu = [], []
        for _ in range(args.cold_reps):
            edited_paper.save()
            edited.append(get(url)[1])
            edited_cpu.append(cpu["last"])
        bump_content_version()
        response, cold_queries = timed_queries(url)
        row = {
            "page": name,
            "url": url,
            "bytes": len(response.content),
            "warm_median": statistics.median(warm),
            "warm_p90": warm[int(0.9 * (len(warm) - 1))],
            "warm_queries": warm_queries,
            "junk_cookie_median": statistics.median(junk),
            "miss_median": statistics.median(miss),
            "cold_median": statistics.median(cold),
            "cold_cpu_median": statistics.median(cold_cpu),
            "miss_cpu_median": statistics.median(miss_cpu),
            "cold_max": max(cold),
            "cold_queries": cold_queries,
            "edit_median": statistics.median(edited),
            "edit_cpu_median": statistics.median(edited_cpu),
        }
        etag = response.get("ETag")
        if etag:
            repeats = sorted(get(url, if_none_match=etag)[1] for _ in range(args.reps))
            status = get(url, if_none_match=etag)[0].status_code
            row["conditional"] = {"status": status, "median": statistics.median(repeats)}
        rows.append(row)
        log(
            f"  {name:24} warm {row['warm_median']:7.2f} ms  miss {row['miss_median']:7.2f} ms"
            f"  cold {row['cold_median']:8.2f} ms"
            f"  q {warm_queries}/{cold_queries}  {row['bytes']:,} B"
        )
    cache.clear()
    info = {
        "vendor": connection.vendor,
        "server_version": (
            f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
            if connection.vendor == "postgresql"
            else __import__("sqlite3").sqlite_version
        ),
        "cache": type(cache).__name__,
        "sample": sample,
        "pages": rows,
        "static_bodies": {},
    }
    # The bodies the throughput test copies into static files, byte for byte.
    for row in rows:
        if row["page"] in WRK_PAGES and not row.get("absent"):
            info["static_bodies"][row["page"]] = row["url"]
    Path(args.out).write_text(json.dumps(info, indent=1))


# ---------------------------------------------------------------- the parent: orchestrating


def run(command, env, timeout=STEP_TIMEOUT, capture=False):
    """Run a command to completion within ``timeout`` seconds, or fail the benchmark."""
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({result.returncode})")
    return result.stdout


def base_env(cache_url, static_root):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1:8000",  # required with DEBUG=0; addresses only
        STATIC_ROOT=str(static_root),
        CONN_MAX_AGE="600",
        PYTHONPATH=str(ROOT),
        # Plain HTTP over loopback, as behind a TLS-terminating proxy: no redirect to https.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
    )
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def database_url(vendor, size):
    if vendor == "sqlite":
        return f"sqlite:///{RESULTS / 'db' / f'bench-{size}.sqlite3'}"
    return f"{PG_SERVER}/{PG_PREFIX}{size}"


def paper_count(env):
    code = "from papers.models import Paper; print(Paper.objects.count())"
    out = run([PYTHON, "-c", f"import django; django.setup(); {code}"], env, 120, capture=True)
    return int(out.strip().splitlines()[-1])


def prepare(vendor, size, env, reuse):
    """A database with exactly ``size`` synthetic papers; returns the synth seconds or None."""
    if vendor == "sqlite":
        path = RESULTS / "db" / f"bench-{size}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not reuse:
            path.unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"{PG_PREFIX}{size}"]
            ).fetchone()
            if exists and not reuse:
                conn.execute(f'DROP DATABASE "{PG_PREFIX}{size}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{PG_PREFIX}{size}"')
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    if reuse and paper_count(env) == size:
        log(f"{vendor} {size:,}: reusing the existing database")
        return None, None
    if reuse and paper_count(env):
        raise SystemExit(f"{vendor} {size:,}: the existing database has other content")
    started = time.perf_counter()
    # Maintenance commands, not requests: no per-statement limit (README, DB_STATEMENT_TIMEOUT).
    env = dict(env, DB_STATEMENT_TIMEOUT="0")
    out = run(
        [PYTHON, "manage.py", "synth", "--papers", str(size), "--seed", str(SEED)],
        env,
        capture=True,
    )
    seconds = time.perf_counter() - started
    log(out.strip().replace("\n", " | "))
    cpu = sum(float(n) for n in re.findall(r"\(([\d.]+) s CPU\)", out))
    # synth bulk-inserts (no signals): the search documents are built afterwards, as a
    # site that loaded its rows that way would (README, "Search").
    started = time.perf_counter()
    run([PYTHON, "manage.py", "search_index"], env, capture=True)
    log(f"{vendor} {size:,}: search_index took {time.perf_counter() - started:.0f} s")
    # Fresh statistics, as autovacuum would have gathered on a live site.
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        import sqlite3

        with sqlite3.connect(RESULTS / "db" / f"bench-{size}.sqlite3") as conn:
            conn.execute("ANALYZE")
    return seconds, cpu


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on port {port} within {timeout} s")


def wrk(url, seconds, connections):
    """Requests/s and latency of ``url`` for ``seconds`` (wrk stops by itself)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rps": rps,
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def throughput(env, measured, static_root, args):
    """gunicorn with 2 workers; each page beside a static file of the same bytes."""
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk): no throughput test")
        return None
    import urllib.request

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results = []
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        for page in WRK_PAGES:
            url = base + measured["static_bodies"][page]
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
                body = response.read()
            name = f"bench-{page.replace(' ', '-')}.html"
            (static_root / name).write_bytes(body)
            results.append({"page": page, "url": url, "bytes": len(body), "file": name})
        # WhiteNoise lists the static files when it starts: restart the workers (HUP).
        os.killpg(server.pid, signal.SIGHUP)
        time.sleep(3)
        wait_for(port)
        for row in results:
            static_url = f"{base}/static/{row['file']}"
            with urllib.request.urlopen(static_url, timeout=30) as response:  # noqa: S310
                assert len(response.read()) == row["bytes"], "static copy differs in size"
            log(f"  wrk {row['page']} ({args.wrk_seconds} s each, page then static)")
            row["page_wrk"] = wrk(row["url"], args.wrk_seconds, args.wrk_connections)
            row["static_wrk"] = wrk(static_url, args.wrk_seconds, args.wrk_connections)
            row["ratio"] = row["page_wrk"]["rps"] / row["static_wrk"]["rps"]
            log(
                f"    page {row['page_wrk']['rps']:.0f} req/s, static "
                f"{row['static_wrk']['rps']:.0f} req/s: {row['ratio']:.0%}"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return results


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000,100000"))
    parser.add_argument("--dbs", default=os.environ.get("BENCH_DBS", "sqlite,postgresql"))
    parser.add_argument("--reps", type=int, default=30, help="timed warm requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cold-reps", type=int, default=5)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=4)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that already has N papers"
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/5"),
        help="CACHE_URL for the site ('' for the local-memory cache)",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose name contains one of these, comma-separated",
    )
    parser.add_argument("--measure-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_out:
        args.out = args.measure_out
        return measure(args)

    sizes = [int(size) for size in args.sizes.split(",") if size]
    names = {"sqlite": "sqlite", "postgres": "postgresql", "postgresql": "postgresql"}
    vendors = [names[vendor.strip()] for vendor in args.dbs.split(",") if vendor.strip()]
    started = datetime.now(UTC)
    out_dir = RESULTS / started.strftime("%Y%m%d-%H%M%S")
    static_root = out_dir / "static"
    out_dir.mkdir(parents=True)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": loadavg(),
        "cache_url": args.cache_url or "locmem",
        "args": {k: v for k, v in vars(args).items() if k not in ("measure_out",)},
        "runs": [],
    }
    env0 = base_env(args.cache_url, static_root)
    log("collectstatic")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env0)
    for vendor in vendors:
        for size in sizes:
            env = dict(env0, DATABASE_URL=database_url(vendor, size))
            log(f"{vendor} {size:,}: preparing")
            synth_seconds, synth_cpu = prepare(vendor, size, env, args.reuse)
            if synth_seconds is not None:
                log(f"{vendor} {size:,}: synth took {synth_seconds:.0f} s")
            out = out_dir / f"{vendor}-{size}.json"
            command = [PYTHON, str(Path(__file__).resolve()), f"--measure-out={out}"]
            command += [f"--reps={args.reps}", f"--warmup={args.warmup}"]
            command += [f"--cold-reps={args.cold_reps}", f"--cache-url={args.cache_url}"]
            command += [f"--pages={args.pages}"]
            log(f"{vendor} {size:,}: measuring")
            run(command, env)
            measured = json.loads(out.read_text())
            entry = {
                "vendor": vendor,
                "size": size,
                "synth_seconds": synth_seconds,
                "synth_cpu": synth_cpu,
                **measured,
            }
            if not args.no_wrk and vendor == "postgresql" and size == max(sizes):
                log(f"{vendor} {size:,}: throughput")
                entry["throughput"] = throughput(env, measured, static_root, args)
            report["runs"].append(entry)
    report["load_after"] = loadavg()
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (out_dir / "results.json").write_text(json.dumps(report, indent=1))
    text = render(report)
    (out_dir / "report.md").write_text(text)
    shutil.rmtree(static_root, ignore_errors=True)
    print(text)
    log(f"written to {out_dir.relative_to(ROOT)}")


# ---------------------------------------------------------------- the report


def _ms(value):
    if value is None:
        return "—"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def render(report):
    m = report["machine"]
    lines = [
        f"Run of {report['started']} to {report['finished']} on {m['host']}: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory']}, Python {m['python']}, kernel {m['kernel']}.",
        f"Load average before {' '.join(report['load_before'])}, after "
        f"{' '.join(report['load_after'])}. Cache: {report['cache_url']}. "
        f"{report['args']['reps']} warm requests per page after {report['args']['warmup']} "
        f"warm-up, {report['args']['cold_reps']} cold ones (content version bumped before each).",
        "",
    ]
    for run_ in report["runs"]:
        synth = (
            f", synth {run_['synth_seconds']:.0f} s ({run_['synth_cpu']:.0f} s CPU)"
            if run_["synth_seconds"] is not None
            else ""
        )
        lines += [
            f"### {run_['vendor']} {run_['server_version']}, {run_['size']:,} papers{synth}",
            "",
            "| page | warm median ms | warm p90 ms | queries | junk-cookie ms | page-miss ms "
            "| miss CPU ms | cold median ms | cold CPU ms | cold queries | after an edit ms "
            "| after an edit CPU ms | 304 ms | bytes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in run_["pages"]:
            if row.get("absent"):
                lines.append(f"| {row['page']} | not on this branch | | | | | | | | | | | | |")
                continue
            cond = row.get("conditional")
            cond_text = _ms(cond["median"]) if cond and cond["status"] == 304 else "no 304"
            lines.append(
                f"| {row['page']} | {_ms(row['warm_median'])} | {_ms(row['warm_p90'])} "
                f"| {row['warm_queries']} | {_ms(row['junk_cookie_median'])} "
                f"| {_ms(row['miss_median'])} | {_ms(row.get('miss_cpu_median'))} "
                f"| {_ms(row['cold_median'])} | {_ms(row.get('cold_cpu_median'))} "
                f"| {row['cold_queries']} | {_ms(row['edit_median'])} "
                f"| {_ms(row.get('edit_cpu_median'))} | {cond_text} | {row['bytes']:,} |"
            )
        lines.append("")
    by_vendor = {}
    for run_ in report["runs"]:
        by_vendor.setdefault(run_["vendor"], []).append(run_)
    for vendor, runs in by_vendor.items():
        if len(runs) < 2:
            continue
        small, large = runs[0], runs[-1]
        lines += [
            f"### Growth on {vendor}, {small['size']:,} → {large['size']:,} papers",
            "",
            "| page | warm × | page-miss × | cold × | queries (cold) |",
            "|---|---:|---:|---:|---|",
        ]
        for a, b in zip(small["pages"], large["pages"], strict=True):
            if a.get("absent") or b.get("absent"):
                continue
            lines.append(
                f"| {a['page']} | {b['warm_median'] / a['warm_median']:.2f} "
                f"| {b['miss_median'] / a['miss_median']:.2f} "
                f"| {b['cold_median'] / a['cold_median']:.2f} "
                f"| {a['cold_queries']} → {b['cold_queries']} |"
            )
        lines.append("")
    for run_ in report["runs"]:
        if not run_.get("throughput"):
            continue
        lines += [
            f"### Throughput, {run_['vendor']} {run_['size']:,} papers, gunicorn 2 workers, "
            f"wrk -t2 -c{report['args']['wrk_connections']} -d{report['args']['wrk_seconds']}s",
            "",
            "| page | bytes | page req/s | page p50 ms | static req/s | static p50 ms "
            "| page / static |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in run_["throughput"]:
            p, s = row["page_wrk"], row["static_wrk"]
            lines.append(
                f"| {row['page']} | {row['bytes']:,} | {p['rps']:.0f} | {p['p50_ms']:.2f} "
                f"| {s['rps']:.0f} | {s['p50_ms']:.2f} | {row['ratio']:.0%} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
