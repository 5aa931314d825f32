"""``manage.py add_paper ID…``: add papers by arXiv id/URL or DOI, with fetched metadata."""

from django.core.management.base import BaseCommand, CommandError

from papers.intake.batch import Problem, run_batch
from papers.intake.commands import (
    add_import_arguments,
    batch_options,
    terminal_progress,
    write_report,
)
from papers.intake.lookup import look_up
from papers.intake.saving import OnExisting


class Command(BaseCommand):
    help = (
        "Add papers by arXiv id or URL (2103.00020, arxiv.org/abs/…, hep-th/9901001) or DOI "
        "(10.…/…, https://doi.org/…). Metadata comes from arXiv and Crossref; new papers "
        "are drafts. A paper already in the database is left alone unless --existing says."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiers", nargs="+", metavar="ID")
        add_import_arguments(parser, existing_default=OnExisting.SKIP)

    def handle(self, *args, **options):
        identifiers = [raw.strip() for raw in options["identifiers"] if raw.strip()]
        if not identifiers:
            raise CommandError("Give at least one arXiv id or DOI.")
        items = []
        with terminal_progress(self.stderr) as progress:
            for lookup in look_up(identifiers, progress=progress):
                if lookup.error:
                    items.append(Problem(lookup.raw, lookup.error))
                else:
                    lookup.record.source = f"{lookup.raw} ({lookup.record.source})"
                    items.append(lookup.record)
            report = run_batch(items, progress=progress, **batch_options(options))
        write_report(self, report, f"{len(identifiers)} identifier(s):")
        for outcome in report.of("skipped"):
            if outcome.reason.startswith("already in the database"):
                self.stdout.write(
                    "To refresh existing papers from arXiv/Crossref, run again with "
                    "--existing=overwrite (or --existing=fill to only fill empty fields)."
                )
                break
