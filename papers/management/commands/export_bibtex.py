"""``manage.py export_bibtex [FILE]``: the whole database (or the published part) as BibTeX;
``--format`` (or ``export_citations``) for BibLaTeX, RIS or CSL-JSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.citations.formats import FORMATS
from papers.models import Paper


class Command(BaseCommand):
    help = (
        "Write every paper with all the fields the format can carry (BibTeX: every field "
        "Papershelf stores, tags as keywords, notes as annote), so import_bibtex can read "
        "it back. Default: BibTeX to stdout."
    )
    default_format = "bibtex"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--published-only", action="store_true", help="Leave drafts out.")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            default=self.default_format,
            help=f"Default: {self.default_format}.",
        )

    def handle(self, *args, **options):
        papers = Paper.objects.all() if not options["published_only"] else Paper.objects.published()
        text = FORMATS[options["format"]].write(papers.newest_first().for_export(), full=True)
        if options["file"] is None:
            self.stdout.write(text, ending="")
            return
        try:
            options["file"].write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {papers.count()} papers to {options['file']}.")
