"""``manage.py search_index``: rebuild the stored search documents of every row.

Saving keeps them current; run this after loading data with ``bulk_create`` or raw SQL,
or once after the migration that added them, so older rows become searchable.
"""

import time

from django.apps import apps
from django.core.management.base import BaseCommand

from papers import search


class Command(BaseCommand):
    help = "Rebuild the search documents of papers, reports and sessions."

    def handle(self, *args, **options):
        # Every model that keeps a search document says so with search_parts(); found
        # through the app registry, so papers imports nothing from the other apps.
        for model in apps.get_models():
            if not hasattr(model, "search_parts"):
                continue
            started = time.monotonic()
            count = search.rebuild_documents(model)
            seconds = time.monotonic() - started
            name = model._meta.verbose_name_plural
            self.stdout.write(f"{name}: {count} indexed in {seconds:.1f} s.")
