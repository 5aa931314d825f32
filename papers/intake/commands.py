"""What the intake management commands share: options, progress and the printed report."""

import contextlib
import sys

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from papers.intake.saving import OnExisting
from papers.models import Status


def add_import_arguments(parser, existing_default, lenient=False):
    """The shared options; ``lenient`` commands import the valid entries by default."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Check everything and print the report, but save nothing.",
    )
    if lenient:
        parser.add_argument(
            "--strict",
            action="store_true",
            help="All or nothing: save nothing if any entry has an error.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="The default (kept so that existing scripts keep working).",
        )
    else:
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


def batch_options(options, lenient=False):
    return {
        "on_existing": options["existing"],
        "status": Status.PUBLISHED if options["publish"] else Status.DRAFT,
        "dry_run": options["dry_run"],
        "skip_invalid": not options.get("strict") if lenient else options["skip_invalid"],
    }


def write_report(command, report, heading, lenient=False):
    """Print ``report``; raise ``CommandError`` (exit status 1) when it saved nothing."""
    command.stdout.write(heading)
    for line in report.lines():
        command.stdout.write(line)
    usable = [outcome for outcome in report.outcomes if outcome.action != "invalid"]
    if report.dry_run:
        outcome = "Dry run: nothing was saved."
        if report.failures and not usable:
            outcome += " A real run would import nothing either: every entry has an error."
        elif report.failures:
            outcome += (
                " A real run would import the valid entries, or nothing with --strict."
                if lenient
                else " A real run would save nothing either, unless --skip-invalid."
            )
        command.stdout.write(f"{report.summary()}. {outcome}")
    elif report.saved and report.failures and not usable:
        raise CommandError(
            f"Nothing could be imported: all {report.failures} entries have errors (listed above)."
        )
    elif report.saved:
        command.stdout.write(command.style.SUCCESS(f"{report.summary()}."))
    elif lenient:
        raise CommandError(
            f"Nothing was saved (--strict): {report.failures} entries have errors (listed "
            "above). Fix them, or run again without --strict to import the others."
        )
    else:
        raise CommandError(
            f"Nothing was saved: {report.failures} entries have errors (listed above). "
            "Fix them, or run again with --skip-invalid to import the others."
        )


class TerminalProgress:
    """A job's ``Progress`` for a terminal: the same call, drawn as a bar on stderr."""

    def __init__(self, bar):
        self.bar = bar
        self.task = bar.add_task("", total=None, refused="")

    def __call__(self, *, done=None, total=None, refused=None, message=None, force=False):
        fields = {}
        if done is not None:
            fields["completed"] = done
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["description"] = message
        if refused:
            fields["refused"] = f"{refused:,} refused"
        self.bar.update(self.task, **fields)  # rich redraws a few times a second, not per call


@contextlib.contextmanager
def terminal_progress(stream=None):
    """A progress bar on ``stream`` (a command's stderr) when it is a terminal; otherwise
    (a pipe, a log file, cron) nothing is drawn."""
    stream = getattr(stream, "_out", stream) or sys.stderr  # a command's OutputWrapper
    if not stream.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[refused]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        yield TerminalProgress(bar)
