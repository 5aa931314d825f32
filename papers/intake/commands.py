"""What the intake management commands share: options and the printed report."""

from django.core.management.base import CommandError

from papers.intake.saving import OnExisting
from papers.models import Status


def add_import_arguments(parser, existing_default):
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Check everything and print the report, but save nothing.",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Import the valid entries even if others have errors (default: all or nothing).",
    )
    parser.add_argument(
        "--existing",
        choices=OnExisting.values,
        default=existing_default,
        help="What to do with papers already in the database: "
        + "; ".join(f"{c.value}: {c.label.lower()}" for c in OnExisting)
        + f" (default: {existing_default}).",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="Create new papers as published (default: drafts, to review first).",
    )


def batch_options(options):
    return {
        "on_existing": options["existing"],
        "status": Status.PUBLISHED if options["publish"] else Status.DRAFT,
        "dry_run": options["dry_run"],
        "skip_invalid": options["skip_invalid"],
    }


def write_report(command, report, heading):
    """Print ``report``; raise ``CommandError`` (exit status 1) when it saved nothing."""
    command.stdout.write(heading)
    for line in report.lines():
        command.stdout.write(line)
    if report.dry_run:
        outcome = "Dry run: nothing was saved."
        if report.failures:
            outcome += " A real run would save nothing either, unless --skip-invalid."
        command.stdout.write(f"{report.summary()}. {outcome}")
    elif report.saved:
        command.stdout.write(command.style.SUCCESS(f"{report.summary()}."))
    else:
        raise CommandError(
            f"Nothing was saved: {report.failures} entries have errors (listed above). "
            "Fix them, or run again with --skip-invalid to import the others."
        )
