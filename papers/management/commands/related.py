"""``manage.py related``: recompute every paper's related papers (``--evaluate``: measure).

Saves keep the stored lists current through a background job; run this after loading
data with ``bulk_create``, raw SQL or ``loaddata`` (which send no signals).
"""

import json

from django.core.management.base import BaseCommand

from papers import related


class Command(BaseCommand):
    help = "Recompute the stored related papers of every published paper."

    def add_arguments(self, parser):
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Print precision@5 and recall@10 against the baselines instead.",
        )

    def handle(self, *args, evaluate=False, **options):
        if evaluate:
            from papers.discovery_eval import evaluate as run

            self.stdout.write(json.dumps(run(), indent=2))
            return
        figures = related.rebuild()
        self.stdout.write(
            f"Related papers of {figures['papers']:,} papers stored in "
            f"{figures['total_seconds']} s (vectors {figures['load_seconds']} s)."
        )
