"""Running an import: records in, one transaction, a report out.

An import is all-or-nothing unless invalid entries are to be skipped, and a dry run is a
real run rolled back at the end, so it reports exactly what a real run would do.
"""

import contextlib
import gc
import re
import threading
from dataclasses import dataclass, field

from django.db import transaction

from papers.intake.saving import OnExisting, PaperWriter
from papers.models import Status
from papers.refresh import references_announced_at_end
from papers.site import search
from papers.site.cache import changes_bumped_at_end


def line_number(source):
    """``"line 12 (key)"`` → 12, so reports follow the file; others keep their order."""
    match = re.match(r"line (\d+)", source or "")
    return int(match.group(1)) if match else 0


# While a batch runs: collect garbage after this many new objects instead of Python's 700.
# An import keeps every record, outcome and model instance alive until its report is
# written, so each collection walks more of them; at the default thresholds the collector
# was a fifth of a 5,000-entry import's CPU time. Nothing else changes (cycles are still
# collected, a little later).
BATCH_GC_THRESHOLDS = (20_000, 50, 100)
_gc_lock = threading.Lock()
_gc_batches = [0, None]  # batches running in this process, thresholds to restore


@contextlib.contextmanager
def fewer_collections():
    """Raise the collector's thresholds for the block; the first batch in restores them."""
    with _gc_lock:
        if _gc_batches[0] == 0:
            _gc_batches[1] = gc.get_threshold()
            gc.set_threshold(*BATCH_GC_THRESHOLDS)
        _gc_batches[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_batches[0] -= 1
            if _gc_batches[0] == 0:
                gc.set_threshold(*_gc_batches[1])


@dataclass
class Problem:
    """An entry that could not even be read (a BibTeX syntax error, say)."""

    where: str
    message: str


@dataclass
class ImportReport:
    outcomes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (where, message) worth telling the user
    dry_run: bool = False
    saved: bool = False

    def of(self, action):
        return [outcome for outcome in self.outcomes if outcome.action == action]

    @property
    def failures(self):
        return len(self.problems) + len(self.of("invalid"))

    def summary(self):
        words = ("created", "updated", "skipped")
        if not self.saved:
            words = ("to create", "to update", "to skip")
        counts = ", ".join(
            f"{len(self.of(action))} {word}"
            for action, word in zip(("created", "updated", "skipped"), words, strict=True)
        )
        if self.failures:
            counts += f", {self.failures} with errors"
        return counts

    def warnings(self):
        """``(where, message)`` worth telling: the report's notes, then each outcome's."""
        return list(self.notes) + [
            (outcome.record.source, warning)
            for outcome in self.outcomes
            for warning in outcome.warnings
        ]

    def lines(self):
        """The report as text lines, grouped by what happened, in file order."""
        out = []
        titles = [("created", "Created"), ("updated", "Updated"), ("skipped", "Skipped")]
        if not self.saved:
            titles = [("created", "Would create"), ("updated", "Would update"),
                      ("skipped", "Would skip")]  # fmt: skip
        for action, title in titles:
            outcomes = sorted(self.of(action), key=lambda o: line_number(o.record.source))
            out.append(f"{title} ({len(outcomes)}):")
            for outcome in outcomes:
                line = f"  {outcome.record.source}: {outcome.record.label()}"
                if action == "created" and outcome.record.summary():
                    line += f" — {outcome.record.summary()}"
                if outcome.changed and action == "updated":
                    line += f" [{', '.join(dict.fromkeys(outcome.changed))}]"
                if outcome.reason:
                    line += f" — {outcome.reason}"
                out.append(line)
        if self.failures:
            out.append(f"Errors ({self.failures}):")
            for problem in self.problems:
                out.append(f"  {problem.where}: {problem.message}")
            for outcome in self.of("invalid"):
                out.append(f"  {outcome.record.source}: {outcome.record.label()}")
                out.extend(f"      {message}" for message in outcome.errors)
        warnings = self.warnings()
        if warnings:
            out.append(f"Notes ({len(warnings)}):")
            out.extend(f"  {where}: {message}" for where, message in warnings)
        return out


class EntriesRead(list):
    """The entries a parser has read so far; each one added is told to ``on_read(count)``,
    so a job shows "1,234 entries read" while a large file is still being parsed."""

    def __init__(self, on_read=None):
        super().__init__()
        self._on_read = on_read

    def append(self, item):
        super().append(item)
        if self._on_read is not None:
            self._on_read(len(self))


def no_progress(**figures):
    """The ``progress`` of an import nobody watches."""


class Steps:
    """Counts an import's entries as they are written and tells ``progress`` about them.

    ``progress`` is a job's ``Progress`` or a command's terminal bar: it takes ``done``,
    ``total``, ``refused`` and ``message`` (and throttles its own writes).
    """

    def __init__(self, progress, total):
        self.progress = progress or no_progress
        self.total = total
        self.done = 0
        self.refused = 0
        self.progress(done=0, total=total, refused=0, message="Writing the entries")

    def step(self, refused=False):
        self.done += 1
        self.refused += bool(refused)
        self.progress(done=self.done, refused=self.refused)


def run_batch(items, *, on_existing=OnExisting.FILL, status=Status.DRAFT, dry_run=False,
              skip_invalid=False, report=None, then=None, progress=None,
              more_steps=0):  # fmt: skip
    """Write ``items`` (records or ``Problem``) in one transaction and return the report.

    Nothing is kept when ``dry_run``, or when anything failed and not ``skip_invalid``.
    ``then(report, stored_files, steps)``, when given, runs in the same transaction once
    the papers are written (a notes repository's reports and sessions use them); it appends
    the ``(storage, name)`` of every file it stores, deleted again if nothing is kept, and
    counts its ``more_steps`` entries with ``steps.step()``. ``progress`` hears of every
    entry written ("312 of 5,000, 2 refused"): the import stays one transaction, so a
    failure or a killed worker leaves nothing half-saved.
    """
    report = report or ImportReport()
    report.dry_run = dry_run
    items = list(items)
    records = [item for item in items if not isinstance(item, Problem)]
    steps = Steps(progress, len(items) + more_steps)
    writer = PaperWriter(on_existing=on_existing, status=status, bulk=True)
    stored_files = []
    keep = False
    try:
        with fewer_collections(), transaction.atomic():
            writer.prime(records)
            # Reports and sessions that wiki-link the new papers are re-rendered once, at
            # the end, instead of after each paper; search documents are written then too,
            # with the bylines and tags ``finish()`` inserts in bulk.
            with (
                references_announced_at_end(),
                search.documents_written_at_end(),
                changes_bumped_at_end(),
            ):
                for item in items:
                    if isinstance(item, Problem):
                        report.problems.append(item)
                        steps.step(refused=True)
                    else:
                        outcome = writer.write(item)
                        report.outcomes.append(outcome)
                        steps.step(refused=outcome.action == "invalid")
                steps.progress(message="Writing bylines, tags and search documents")
                report.notes += writer.finish()
            if then is not None:
                then(report, stored_files, steps)
            keep = not dry_run and (skip_invalid or not report.failures)
            if not keep:
                transaction.set_rollback(True)
    finally:
        if not keep:
            writer.discard_files()
            for storage, name in stored_files:
                storage.delete(name)
    report.saved = keep
    return report
