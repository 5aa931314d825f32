"""Queueing the slides check, and finding it: what ``Presentation`` needs of the job.

Kept apart from the job itself (``readinggroup/slides.py``, which reads and writes
sessions) so that ``readinggroup.models`` imports this and nothing imports back: no
import cycle (docs/ARCHITECTURE.md).
"""

from papers.jobs import queue
from papers.jobs.models import Job

KIND = "readinggroup.slides"


def _key(presentation):
    # Stored names are random and never reused: the key names one upload's check.
    return f"{KIND}:{presentation.slides.name}"


def queue_slides_check(presentation, user=None):
    """Queue the check of ``presentation``'s current slides (in the caller's transaction)."""
    job, _ = queue.enqueue(
        KIND,
        label=f"Check the slides of session {presentation.number} and render the cover",
        params={"presentation": presentation.pk, "slides": presentation.slides.name},
        user=user,
        # One upload, one check: a second save of the same file shares the job.
        dedupe_key=_key(presentation),
    )
    presentation.__dict__["slides_job"] = job
    return job


def job_for(presentation):
    """The latest slides check of ``presentation`` (its result, or why it refused them)."""
    if presentation.pk is None:
        return None
    return Job.objects.filter(kind=KIND, params__presentation=presentation.pk).first()
