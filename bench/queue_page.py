"""The members' queue page at scale (issue 19): 1,000 open suggestions, 200 members.

    DATABASE_URL=postgres://…/db_with_synth_papers .venv/bin/python bench/queue_page.py

The database must hold the synthetic library already (``manage.py synth --papers
100000``, as bench/bench.py builds it). The first run adds 200 members, 1,000 open
suggestions (one in ten of a draft paper), ~4,000 votes and ~300 volunteers, and reuses
them afterwards. Then a member's client fetches /reading-group/queue/ (page 1 and page
20): "miss" clears the cache before every request (nothing cached: the group settings
and site settings are read again), "warm" does not. Median and p90 of ``--runs``
requests each, the median CPU time of this process (the Python side, which a loaded
machine's wall clock hides), the SQL queries, the bytes, and the load average.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")

MEMBERS, SUGGESTIONS = 200, 1000


def populate(seed=1):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from papers.models import Paper, Status
    from readinggroup.members import Member, Suggestion, Volunteer, Vote

    if Suggestion.objects.open().count() >= SUGGESTIONS:
        return
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    password = make_password("bench-member-pass-1")  # one hash: 200 would take a while
    User = get_user_model()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"bench-member-{i}", email=f"m{i}@example.org", password=password)
                for i in range(MEMBERS)
            ]
        )
        members = Member.objects.bulk_create(
            [Member(user=u, name=f"Bench Member {i}") for i, u in enumerate(users)]
        )
        published = list(Paper.objects.published().order_by("?").values_list("pk", flat=True)[:900])
        Paper.objects.filter(pk__in=published[:100]).update(status=Status.DRAFT)
        papers = published + list(
            Paper.objects.published().exclude(pk__in=published).values_list("pk", flat=True)[:100]
        )
        suggestions = Suggestion.objects.bulk_create(
            [
                Suggestion(
                    paper_id=pk,
                    suggested_by=rng.choice(members),
                    reason="Worth an hour: *clear* method, honest baselines.",
                    reason_html="<p>Worth an hour: <em>clear</em> method, honest baselines.</p>",
                )
                for pk in papers[:SUGGESTIONS]
            ]
        )
        votes = {(rng.choice(suggestions).pk, m.pk) for m in members for _ in range(20)}
        Vote.objects.bulk_create([Vote(suggestion_id=s, member_id=m) for s, m in votes])
        counts = {}
        for s, _ in votes:
            counts[s] = counts.get(s, 0) + 1
        for s in suggestions:
            s.vote_count = counts.get(s.pk, 0)
        Suggestion.objects.bulk_update(suggestions, ["vote_count"], batch_size=500)
        offers = {(rng.choice(suggestions).pk, rng.choice(members).pk) for _ in range(300)}
        Volunteer.objects.bulk_create([Volunteer(suggestion_id=s, member_id=m) for s, m in offers])


def measure(runs):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from papers.models import Paper
    from readinggroup.members import Member, Suggestion

    member = Member.objects.order_by("pk").first()
    client = Client()
    client.force_login(member.user)
    print(
        f"papers: {Paper.objects.count():,}  open suggestions: "
        f"{Suggestion.objects.open().count():,}  members: {Member.objects.count():,}  "
        f"database: {connection.vendor}"
    )
    for label, url in (
        ("page 1", "/reading-group/queue/"),
        ("page 20", "/reading-group/queue/?page=20"),
    ):
        for mode in ("miss", "warm"):
            times, cpu = [], []
            for i in range(runs + 3):
                if mode == "miss":
                    cache.clear()
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                used = (time.process_time() - started_cpu) * 1000
                assert response.status_code == 200, response.status_code
                if i >= 3:  # the first requests warm the process (templates, connections)
                    times.append(elapsed)
                    cpu.append(used)
            if mode == "miss":
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            times.sort()
            print(
                f"{label:8} {mode}: median {statistics.median(times):6.1f} ms  "
                f"p90 {times[int(len(times) * 0.9) - 1]:6.1f} ms  "
                f"Python CPU {statistics.median(cpu):5.1f} ms  queries {len(queries):2}  "
                f"bytes {len(response.content):,}  load {os.getloadavg()[0]:.1f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    populate()
    measure(args.runs)


if __name__ == "__main__":
    main()
