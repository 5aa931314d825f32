"""``manage.py restore DIR``: load an ``export`` into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from papers.intake.backup import BackupError, restore_site


class Command(BaseCommand):
    help = (
        "Restore an export made by manage.py export into an empty database (after migrate): "
        "rows, then media files. All or nothing; the counts are checked against the export."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        try:
            counts = restore_site(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Restored from {options['directory']}."))
