"""``manage.py search_index``: rebuild the stored search documents of every row.

Saving keeps them current; run this after loading data with ``bulk_create`` or raw SQL,
or once after the migration that added them, so older rows become searchable.
"""

import time

from django.core.management.base import BaseCommand

from papers.content.kinds import kinds
from papers.site import search


class Command(BaseCommand):
    help = "Rebuild the search documents of papers, reports and sessions."

    def handle(self, *args, **options):
        # Every content kind keeps a search document; the kinds are registered by their
        # apps (papers/content/kinds.py), so papers imports nothing from the other apps.
        for model in (kind.model for kind in kinds()):
            started = time.monotonic()
            count = search.rebuild_documents(model)
            seconds = time.monotonic() - started
            name = model._meta.verbose_name_plural
            self.stdout.write(f"{name}: {count} indexed in {seconds:.1f} s.")
