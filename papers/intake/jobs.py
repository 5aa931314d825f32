"""The intake's background jobs: preview and import an uploaded file, look identifiers up.

The admin's requests only check an upload cheaply (its name and size) and queue a job;
the worker reads, parses and writes. A preview keeps its upload in ``Job.payload`` (the
database, so it does not matter which app server or worker handles what comes next, or
whether Redis is up); "Import" queues the import of those same bytes with the preview's
options, without a second upload.
"""

import dataclasses
import datetime
import hashlib
import zlib

from django.db import transaction
from django.db.models import Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from papers.intake.batch import line_number
from papers.intake.files import FileImportError, import_file, kind_of
from papers.intake.lookup import Lookup, look_up
from papers.intake.records import FigureRecord, LinkRecord, PaperRecord
from papers.jobs.kinds import JobFailed, job_kind
from papers.jobs.models import Job
from papers.jobs.queue import enqueue

PREVIEW, IMPORT, LOOKUP = "intake.preview_file", "intake.import_file", "intake.lookup"
# How long a preview's upload waits for "Import" (it was 30 min in the cache).
PREVIEW_KEPT = datetime.timedelta(hours=24)


# --- starting jobs (in the request: cheap) -------------------------------------------------
def start_preview(user, name, data, *, existing, strict, repository_pdfs=False):
    """Queue the preview of an upload; ``(job, created)``. Two submissions share one job
    (with the same options: another option is another preview)."""
    digest = hashlib.sha256(data).hexdigest()
    # Text (.bib, notes) shrinks four- to fivefold, and so does the time the request takes
    # to hand it to the database (psycopg quotes bytea as text); a .zip is compressed.
    packed = kind_of(name) != "repository"
    _forget_old_uploads()
    return enqueue(
        PREVIEW,
        label=f"Preview of {name}",
        params={
            "existing": existing,
            "strict": bool(strict),
            "repository_pdfs": bool(repository_pdfs),
            "sha256": digest,
            "user": user.pk,
            "zlib": packed,
        },
        payload=zlib.compress(data, 1) if packed else data,
        payload_name=name,
        user=user,
        dedupe_key=(
            f"{PREVIEW}:{user.pk}:{digest}:{existing}:{int(bool(strict))}:"
            f"{int(bool(repository_pdfs))}"
        ),
    )


class PreviewGone(Exception):
    """The preview cannot be imported (any more); the message says why."""


def start_import(user, preview):
    """Queue the import of ``preview``'s upload with its options; ``(job, created)``.

    The upload moves from the preview to the import job inside the database (it never
    passes through this process); a second "Import" of the same preview, at once or
    later, gets the same job.
    """
    params = preview.params
    if preview.kind != PREVIEW or preview.state != Job.State.DONE:
        raise PreviewGone("That is not a finished preview.")
    if params.get("import_job"):
        job = Job.objects.filter(pk=params["import_job"]).first()
        if job is not None:
            return job, False
    if not preview.result.get("importable"):
        raise PreviewGone("The preview found nothing to import.")
    with transaction.atomic():
        job, created = enqueue(
            IMPORT,
            label=f"Import of {preview.payload_name}",
            params={**params, "preview": preview.pk},
            payload_name=preview.payload_name,
            user=user,
            dedupe_key=(
                f"{IMPORT}:{user.pk}:{params['sha256']}:{params['existing']}:"
                f"{int(params['strict'])}:{int(params.get('repository_pdfs', False))}"
            ),
        )
        if not created:
            return job, False
        moved = Job.objects.filter(pk=job.pk).update(
            payload=Subquery(
                Job.objects.filter(pk=preview.pk, payload__isnull=False).values("payload")[:1]
            )
        )
        if not moved or not Job.objects.filter(pk=job.pk, payload__isnull=False).exists():
            transaction.set_rollback(True)
            raise PreviewGone("That preview has expired. Upload the file again.")
        Job.objects.filter(pk=preview.pk).update(
            payload=None, params={**params, "import_job": job.pk}
        )
    return job, True


def start_lookup(user, identifiers):
    """Queue the lookup of up to 25 identifiers; ``(job, created)``."""
    digest = hashlib.sha256("\n".join(identifiers).encode()).hexdigest()
    shown = ", ".join(identifiers[:3])
    if len(identifiers) > 3:
        shown += f" and {len(identifiers) - 3} more"
    return enqueue(
        LOOKUP,
        label=f"Look up {shown}",
        params={"identifiers": identifiers, "user": user.pk},
        user=user,
        dedupe_key=f"{LOOKUP}:{user.pk}:{digest}",
    )


def _forget_old_uploads():
    """Uploads of previews nobody imported, and of failed imports, are kept a day."""
    Job.objects.filter(
        kind__in=[PREVIEW, IMPORT],
        state__in=[Job.State.DONE, Job.State.FAILED],
        finished_at__lt=timezone.now() - PREVIEW_KEPT,
        payload__isnull=False,
    ).update(payload=None)


# --- the jobs (in the worker) ----------------------------------------------------------------
def _editor(job):
    """The user who started the job: their permissions decide what a .zip may add."""
    if job.params.get("user") and (job.created_by is None or not job.created_by.is_active):
        raise JobFailed("The account that started this job no longer exists or is disabled.")
    return job.created_by


def _run_import(job, progress, dry_run):
    if job.payload is None:
        raise JobFailed("The uploaded file is no longer kept. Upload it again.")
    user = _editor(job)
    progress(message=f"Reading {job.payload_name}", force=True)
    try:
        data = bytes(job.payload)
        report = import_file(
            job.payload_name,
            zlib.decompress(data) if job.params.get("zlib") else data,
            user=user,
            on_existing=job.params["existing"],
            skip_invalid=not job.params["strict"],
            # (A job queued before this option existed has no such parameter: the default.)
            repository_pdfs=job.params.get("repository_pdfs", False),
            dry_run=dry_run,
            progress=progress,
        )
    except FileImportError as error:
        raise JobFailed(str(error)) from None
    progress(message=report.summary().capitalize() + ".", force=True)
    return report_result(report, strict=job.params["strict"])


@job_kind(PREVIEW, time_limit=30 * 60, verbose_name="Import preview", keep_payload=True)
def preview_file(job, progress):
    """A dry run of the import: what would be created, updated, skipped, and why."""
    return _run_import(job, progress, dry_run=True)


@job_kind(IMPORT, time_limit=30 * 60, verbose_name="Import")
def import_file_job(job, progress):
    """The import itself: one transaction, so a failure or a kill saves nothing."""
    return _run_import(job, progress, dry_run=False)


@job_kind(LOOKUP, time_limit=25 * 15 + 60, verbose_name="Lookup by identifier")
def lookup(job, progress):
    """Fetch metadata from arXiv and Crossref; the editor reviews it before saving."""
    _editor(job)
    lookups = look_up(job.params["identifiers"], progress=progress)
    refused = sum(bool(item.error) for item in lookups)
    progress(done=len(lookups), refused=refused, force=True)
    return {"lookups": [lookup_to_json(item) for item in lookups]}


# --- results ---------------------------------------------------------------------------------
def _admin_url(obj):
    if obj is None or obj.pk is None:
        return ""
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def report_result(report, strict=False):
    """An ``ImportReport`` as the JSON a job keeps: per entry, what and why, with its line."""
    entries = []
    for outcome in sorted(report.outcomes, key=lambda o: line_number(o.record.source)):
        record = outcome.record
        entries.append(
            {
                "action": outcome.action,
                "where": record.source,
                "label": record.label(),
                "summary": record.summary() if hasattr(record, "summary") else "",
                "reason": outcome.reason,
                "changed": list(dict.fromkeys(outcome.changed)),
                "errors": list(outcome.errors),
                "url": _admin_url(outcome.paper) if report.saved else "",
            }
        )
    counts = {action: len(report.of(action)) for action in ("created", "updated", "skipped")}
    counts["failures"] = report.failures
    return {
        "saved": report.saved,
        "summary": report.summary(),
        "counts": counts,
        "importable": bool(counts["created"] + counts["updated"])
        and not (report.failures and strict),
        "entries": entries,
        "problems": [{"where": p.where, "message": p.message} for p in report.problems],
        "notes": [{"where": where, "message": message} for where, message in report.warnings()],
    }


def lookup_to_json(item):
    return {
        "raw": item.raw,
        "kind": item.kind,
        "key": item.key,
        "error": item.error,
        "record": dataclasses.asdict(item.record) if item.record is not None else None,
    }


def lookup_from_json(data):
    record = None
    if data["record"] is not None:
        fields = dict(data["record"])
        fields["links"] = [LinkRecord(**link) for link in fields.get("links", [])]
        fields["figures"] = [FigureRecord(**figure) for figure in fields.get("figures", [])]
        record = PaperRecord(**fields)
    return Lookup(data["raw"], data["kind"], data["key"], record, data["error"])
