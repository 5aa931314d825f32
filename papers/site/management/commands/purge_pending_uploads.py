"""Delete uploads kept for forms that were never submitted again (papers/pending.py)."""

import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from papers.pending import MAX_AGE, PREFIX


class Command(BaseCommand):
    help = "Delete kept uploads (pending/) whose tokens have expired."

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(seconds=MAX_AGE)
        try:
            _, files = default_storage.listdir(PREFIX.rstrip("/"))
        except FileNotFoundError:
            files = []
        removed = 0
        for name in files:
            path = PREFIX + name
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"{removed} expired pending upload(s) deleted.")
