"""``manage.py export_bibtex [FILE]``: the whole database (or the published part) as BibTeX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.bibtex import papers_to_bibtex
from papers.models import Paper


class Command(BaseCommand):
    help = (
        "Write every paper as BibTeX with all the fields Papershelf stores (tags as "
        "keywords, notes as annote), so import_bibtex can read it back. Default: stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--published-only", action="store_true", help="Leave drafts out.")

    def handle(self, *args, **options):
        papers = Paper.objects.all() if not options["published_only"] else Paper.objects.published()
        text = papers_to_bibtex(papers.newest_first().for_export(), full=True)
        if options["file"] is None:
            self.stdout.write(text, ending="")
            return
        try:
            options["file"].write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {papers.count()} papers to {options['file']}.")
