"""Count the site-wide facet counts again from the papers (papers/counts.py).

Saves keep them current; run this after writing papers, tags or bylines without signals
(raw SQL, ``loaddata`` of a partial fixture, a ``bulk_create`` outside the import code).
"""

from django.core.management.base import BaseCommand

from papers import counts
from papers.site.cache import bump_content_version


class Command(BaseCommand):
    help = "Rebuild the site-wide counts per year, tag, venue and author from the papers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only compare; exit 1 if they differ."
        )

    def handle(self, *args, check=False, **options):
        if check:
            expected, found = dict(counts.recount()), counts.stored()
            wrong = {key for key in expected.keys() | found.keys()
                     if expected.get(key) != found.get(key)}  # fmt: skip
            if wrong:
                self.stderr.write(f"{len(wrong)} counts differ from the papers.")
                raise SystemExit(1)
            self.stdout.write(f"All {len(expected):,} counts match the papers.")
            return
        rows = counts.rebuild()
        bump_content_version()
        self.stdout.write(self.style.SUCCESS(f"{rows:,} counts rebuilt from the papers."))
