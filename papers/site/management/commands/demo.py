"""``manage.py demo``: load the demo content of every app (idempotent)."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from papers.refresh import references_announced_at_end
from papers.site import search
from papers.site.cache import changes_bumped_at_end


class Command(BaseCommand):
    help = "Load demo papers, reports and sessions. Running it again changes nothing."

    def handle(self, *args, **options):
        # Each app that has demo content ships a ``demo`` module with ``load(stdout)``;
        # INSTALLED_APPS order puts papers first, which the others build on.
        # One content-version bump at the end, not one per demo row (841 of them, 18% of
        # the command's time); as an import does (papers/intake/batch.py), the search
        # documents written once each at the end, with the bylines and tags, and the
        # related-papers and wiki-link jobs queued once, not once per save (230 job
        # writes, 15% of a run's CPU).
        with (
            transaction.atomic(),
            changes_bumped_at_end(),
            references_announced_at_end(),
            search.documents_written_at_end(),
        ):
            for app in apps.get_app_configs():
                if module_has_submodule(app.module, "demo"):
                    import_module(f"{app.name}.demo").load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
