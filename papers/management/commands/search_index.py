"""``manage.py search_index``: rebuild the stored search documents of every row.

Saving keeps them current; run this after loading data with ``bulk_create`` or raw SQL,
or once after the migration that added them, so older rows become searchable.
"""

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the search documents of papers, reports and sessions."

    def handle(self, *args, **options):
        # Every model that keeps a search document says so with update_search_index();
        # found through the app registry, so papers imports nothing from the other apps.
        for model in apps.get_models():
            if not hasattr(model, "update_search_index"):
                continue
            count = 0
            for obj in model._default_manager.order_by("pk").iterator(chunk_size=200):
                obj.update_search_index()
                count += 1
            self.stdout.write(f"{model._meta.verbose_name_plural}: {count} indexed.")
