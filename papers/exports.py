"""Citation exports of many papers as a job: what takes seconds runs in a worker.

Writing 5,000 papers as BibTeX took 7–20 s on the development machine (CSL-JSON and RIS
7–9 s): far past a request's budget. ``export_response`` answers a small export in the
request and queues a ``papers.export`` job for a larger one; the job writes the file into
its ``payload`` (compressed) and its page offers the download (``JobAdmin.file_view``).
"""

import hashlib
import zlib

from django.contrib import messages
from django.shortcuts import redirect

from papers.citations.formats import FORMATS, download
from papers.jobs.kinds import JobFailed, job_kind
from papers.jobs.queue import enqueue
from papers.models import Paper

EXPORT = "papers.export"
# Up to this many papers are written in the request (about 1 s at worst on this machine).
IN_REQUEST = 500
# Papers read (with their bylines, tags, links and figures) per batch in the job.
BATCH = 500


def _ordered(papers):
    return Paper.objects.filter(pk__in=papers.values("pk")).newest_first()


def export_response(request, papers, format, start=True):
    """``papers`` in ``format``: the file now, or past ``IN_REQUEST`` a new job's page
    (None instead when not ``start``: a GET shows a form whose POST starts it)."""
    # One query of ids alone tells a small export from a large one: queueing a large one
    # reads no paper's text (reading the first 501 whole rows, abstracts and notes
    # included, was most of that request's time).
    pks = list(_ordered(papers).values_list("pk", flat=True))
    if len(pks) <= IN_REQUEST:
        rows = Paper.objects.filter(pk__in=pks).for_export().in_bulk()
        return download([rows[pk] for pk in pks if pk in rows], format, full=True)
    if not start:
        return None
    job, created = start_export(request.user, pks, format)
    if not created:
        messages.info(request, "This export is already being prepared: here is its job.")
    return redirect(job.get_absolute_url())


def start_export(user, pks, format):
    """Queue the export of the papers ``pks`` (in that order); ``(job, created)``."""
    fmt = FORMATS[format]
    # The same papers in the same format, asked twice (a double click): one job.
    digest = hashlib.sha256(f"{format}:{pks}".encode()).hexdigest()[:32]
    return enqueue(
        EXPORT,
        label=f"Export {len(pks):,} papers as {fmt.label}",
        params={"format": format, "papers": pks},
        user=user,
        dedupe_key=f"{EXPORT}:{user.pk}:{digest}",
    )


def _in_batches(pks, progress):
    """The papers ``pks`` in that order, read a batch at a time; progress as they go."""
    done = 0
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        rows = Paper.objects.filter(pk__in=chunk).for_export().in_bulk()
        for pk in chunk:
            paper = rows.get(pk)
            if paper is not None:  # deleted since the export was asked for: left out
                yield paper
            done += 1
        progress(done=done)


@job_kind(EXPORT, time_limit=15 * 60, verbose_name="Export", keep_payload=True)
def export_papers(job, progress):
    fmt = FORMATS.get(job.params.get("format"))
    if fmt is None:
        raise JobFailed(f"Unknown export format {job.params.get('format')!r}.")
    pks = job.params["papers"]
    progress(total=len(pks), message=f"Writing {fmt.label}", force=True)
    text = fmt.write(_in_batches(pks, progress), full=True)
    data = text.encode()
    # The file waits in the job's row until it is downloaded (or the job deleted).
    job.__class__.objects.filter(pk=job.pk).update(payload=zlib.compress(data, 1))
    written = Paper.objects.filter(pk__in=pks).count()
    progress(done=len(pks), message=f"{written:,} papers written", force=True)
    return {
        "format": fmt.name,
        "papers": written,
        "left_out": len(pks) - written,
        "bytes": len(data),
        # What the job's page offers for download (JobAdmin.file_view): its payload.
        "filename": f"papers{fmt.suffix}",
        "content_type": f"{fmt.content_type}; charset=utf-8",
    }
