"""Benchmark: related papers at 1,000 / 10,000 / 100,000 synthetic papers.

    .venv/bin/python bench/related.py 1000 10000            # SQLite in a temporary folder
    .venv/bin/python bench/related.py 100000 --postgres postgres://postgres@127.0.0.1:5432/x

For each size, in a fresh database filled by ``manage.py synth``: the full rebuild
(``manage.py related``) in its own process, its wall time and peak memory (the child's
maximum resident set); the per-save update (``related.update`` of one edited paper, the
job's work) and what the save request itself adds (queuing the job); the stored list's
read (``related_to``, mean of 200); and a paper page with the section, cache missed.
With --postgres the database named in the URL is dropped and created again, unless
--filled says it already holds the synthetic library of that size (then it is migrated and
used as it is: a 100,000-paper ``synth`` takes a quarter of an hour). CPU seconds are given
besides wall-clock ones: on a shared machine the wall clock measures the neighbours too.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    """Run ``manage.py`` in a child; ``(seconds, output)``."""
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, result.stdout.strip()


def measure_in_process():
    """Per-save update, the save's own cost, the list read and a page miss (this process)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from papers import related
    from papers.models import Paper

    paper = Paper.objects.published().order_by("?").first()
    saves, queued = [], []
    for n in range(10):
        paper.abstract += f" Diffusion models for image synthesis {n}."
        started = time.perf_counter()
        paper.save()  # the request's share: the row, the search document, the queued job
        saves.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        related.queue_update([paper.pk])  # the part this feature adds to a save
        queued.append((time.perf_counter() - started) * 1000)
    updates = []
    for _ in range(5):  # the job after each of five saves: the stored model, no refit
        paper.abstract += " Denoising score matching."
        paper.save()
        started, cpu = time.perf_counter(), time.process_time()
        lists = related.update([paper.pk])
        updates.append((time.perf_counter() - started, time.process_time() - cpu))
        paper = Paper.objects.published().order_by("?").first()
    reads, read_cpu = [], []
    sample = list(Paper.objects.published().order_by("?")[:200])
    for other in sample[:50]:  # warm-up: the connection, the query's code paths
        list(related.related_to(other))
    for other in sample:
        started, cpu = time.perf_counter(), time.process_time()
        list(related.related_to(other))
        reads.append((time.perf_counter() - started) * 1000)
        read_cpu.append((time.process_time() - cpu) * 1000)
    client = Client()
    pages = []
    for other in Paper.objects.published().order_by("?")[:20]:
        cache.clear()
        started = time.perf_counter()
        response = client.get(other.get_absolute_url())
        assert response.status_code == 200, response.status_code
        pages.append((time.perf_counter() - started) * 1000)
    return {
        "save_ms_median": round(statistics.median(saves), 1),
        "queue_job_ms_median": round(statistics.median(queued), 2),
        "update_seconds_median": round(statistics.median(u[0] for u in updates), 2),
        "update_cpu_seconds_median": round(statistics.median(u[1] for u in updates), 2),
        "update_lists_rewritten": lists,
        "read_ms_mean": round(statistics.mean(reads), 3),
        "read_ms_median": round(statistics.median(reads), 3),
        "read_cpu_ms_mean": round(statistics.mean(read_cpu), 3),
        "read_ms_p95": round(sorted(reads)[int(len(reads) * 0.95)], 3),
        "page_miss_ms_median": round(statistics.median(pages), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--postgres")
    parser.add_argument("--filled", action="store_true", help="the database is already filled")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_in_process()))
        return
    for size in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix="bench-related-"))
        env = {
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
            "SITE_URL": "http://127.0.0.1:8000",
        }
        if args.postgres:
            if not args.filled:
                fresh_postgres(args.postgres)
            env["DATABASE_URL"] = args.postgres
        else:
            env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        synth_s = 0.0 if args.filled else manage(env, "synth", "--papers", str(size))[0]
        # The command reports its own peak resident memory (getrusage of its process).
        rebuild_s, output = manage(env, "related")
        child = subprocess.run(  # noqa: S603 - this script
            [sys.executable, __file__, "--child", str(size)],
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(child.stderr)
        figures = {
            "papers": size,
            "database": "postgresql" if args.postgres else "sqlite",
            "synth_seconds": round(synth_s, 1),
            "rebuild_seconds": round(rebuild_s, 1),
            "rebuild_output": output,
            "load_average": [round(load, 1) for load in os.getloadavg()],
            **json.loads(child.stdout.strip().splitlines()[-1]),
        }
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
