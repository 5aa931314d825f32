"""``manage.py related``: recompute every paper's related papers (``--evaluate``: measure).

Saves keep the stored lists current through a background job; run this after loading
data with ``bulk_create``, raw SQL or ``loaddata`` (which send no signals).
"""

import json
import random
import resource

from django.core.management.base import BaseCommand
from django.db import transaction

from papers import related


class Command(BaseCommand):
    help = "Recompute the stored related papers of every published paper."

    def add_arguments(self, parser):
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Print precision@5 and recall@10 against the baselines instead.",
        )
        parser.add_argument(
            "--synthetic",
            type=int,
            default=0,
            metavar="N",
            help="With --evaluate: on N labelled synthetic papers, in a transaction rolled "
            "back afterwards (the database is left as it was).",
        )

    def handle(self, *args, evaluate=False, synthetic=0, **options):
        if evaluate:
            self._evaluate(synthetic)
            return
        figures = related.rebuild()
        # CPU seconds besides the wall clock: on a shared machine the wall clock measures
        # the neighbours' load as much as this work.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.stdout.write(
            f"Related papers of {figures['papers']:,} papers stored in "
            f"{figures['total_seconds']} s (vectors {figures['load_seconds']} s, "
            f"{figures['load_cpu_seconds']} s of CPU), "
            f"{usage.ru_utime + usage.ru_stime:.0f} s of CPU, "
            f"peak memory {usage.ru_maxrss / 1024:.0f} MB."
        )

    def _evaluate(self, synthetic):
        from papers.discovery_eval import evaluate, labelled_library

        if not synthetic:
            self.stdout.write(json.dumps(evaluate(), indent=2))
            return
        with transaction.atomic():
            labelled_library(synthetic, random.Random(1))  # noqa: S311 - test data
            self.stdout.write(json.dumps(evaluate(), indent=2))
            transaction.set_rollback(True)
