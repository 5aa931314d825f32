"""``manage.py export DIR``: the whole site as JSON, BibTeX and media files."""

from django.core.management.base import BaseCommand, CommandError

from papers.intake.backup import BackupError, export_site


class Command(BaseCommand):
    help = (
        "Export every model of the project's apps (JSON with natural foreign keys), a BibTeX "
        "file of all papers and the media files into DIR (new or empty). restore reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        try:
            manifest = export_site(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        for label, count in manifest["counts"].items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  media files: {len(manifest['media'])}")
        for name in manifest["missing_media"]:
            self.stderr.write(f"  missing media file (not exported): {name}")
        self.stdout.write(self.style.SUCCESS(f"Exported to {options['directory']}."))
