"""``manage.py synth --papers N``: fill an empty database with synthetic content.

Each installed app that ships a ``synth`` module with ``generate(n, rng)`` adds its share
(INSTALLED_APPS order, so papers come first and the other apps can attach to them); the
function returns ``{kind: count}`` for the summary. It is for benchmarks and load tests,
never for a database holding real content, so it refuses one that already has papers.
"""

import random
import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from papers import counts as facet_counts
from papers.models import Author, Paper, Tag
from papers.site.cache import bump_content_version


class Command(BaseCommand):
    help = "Fill an empty database with N synthetic papers (and reports, sessions…) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--papers", type=int, required=True, help="How many papers.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, papers, seed, **options):
        if papers < 1 or papers > 2_000_000:
            raise CommandError("--papers must be between 1 and 2,000,000.")
        if Paper.objects.exists() or Author.objects.exists() or Tag.objects.exists():
            raise CommandError(
                "The database already has papers, authors or tags; synth only fills an empty "
                "one (e.g. DATABASE_URL=sqlite:///synth.sqlite3 manage.py migrate first)."
            )
        rng = random.Random(seed)  # noqa: S311 (fake data, not security)
        for app in apps.get_app_configs():
            if not module_has_submodule(app.module, "synth"):
                continue
            started, cpu = time.perf_counter(), time.process_time()
            counts = import_module(f"{app.name}.synth").generate(papers, rng)
            summary = ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            self.stdout.write(f"{app.label}: {summary} in {elapsed:.1f} s ({cpu:.1f} s CPU)")
        # bulk_create sends no signals: count everything, and tell the page caches.
        facet_counts.rebuild()
        bump_content_version(cards=True)
        self.stdout.write(self.style.SUCCESS(f"Synthetic content for {papers:,} papers is in."))
