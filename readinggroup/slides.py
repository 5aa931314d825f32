"""The background job that checks uploaded slides and renders their cover.

An upload only stores the file and marks the slides pending (``Presentation.save``): the
request answers at once. This job reads the stored PDF, runs the full check in the
bounded child process (readinggroup/pdf.py: the same CPU and memory limits as before,
a longer wall clock since nobody waits on it) and then either publishes the slides with
page 1 as the cover, or refuses them: the file is deleted, the reason kept on the
session for the editor, and the job fails with the same reason. Until then the slides
are never served.
"""

from django.db import transaction

from papers.jobs.kinds import JobFailed, job_kind
from papers.site import cache
from readinggroup.models import Presentation, SlidesState, _delete_files
from readinggroup.pdf import JOB_CHECK_TIMEOUT_SECONDS, SlidesError, checked_cover
from readinggroup.slides_queue import KIND

# Queueing it and finding it (what the model needs) are in readinggroup/slides_queue.py.


def _read(presentation):
    field = presentation.slides
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise JobFailed(
            f"The slides file of session {presentation.number} is missing from the storage "
            f"({error.__class__.__name__}); upload it again."
        ) from None


def _current(presentation_id, slides_name, *, lock=False):
    """The session if it still has these slides, else None (replaced or removed since)."""
    rows = Presentation.objects.filter(pk=presentation_id, slides=slides_name)
    return (rows.select_for_update() if lock else rows).first()


def _refuse(presentation, message):
    """Forget refused slides: the file is deleted, the reason stays for the editor."""
    with transaction.atomic():
        session = _current(presentation.pk, presentation.slides.name, lock=True)
        if session is None:
            return
        Presentation.objects.filter(pk=session.pk).update(
            slides="", slides_state=SlidesState.REFUSED, slides_message=message
        )
        stale = [(session.slides.storage, session.slides.name)]
        transaction.on_commit(lambda: _delete_files(stale))
        transaction.on_commit(cache.bump_content_version)


def _publish(presentation, png):
    """Mark the slides checked and give them page 1 as the cover (unless one was uploaded)."""
    with transaction.atomic():
        session = _current(presentation.pk, presentation.slides.name, lock=True)
        if session is None:
            return False
        fields = {"slides_state": SlidesState.READY, "slides_message": ""}
        if not session.cover or session.cover_is_generated:
            old_cover, old_webp = session.cover.name or None, session.cover_webp
            session.attach_generated_cover(png)
            fields.update(
                cover=session.cover.name,
                cover_webp=session.cover_webp,
                cover_width=session.cover_width,
                cover_height=session.cover_height,
                cover_is_generated=True,
            )
            if old_cover:
                stale = [(session.cover.storage, name) for name in (old_cover, old_webp) if name]
                transaction.on_commit(lambda: _delete_files(stale))
        Presentation.objects.filter(pk=session.pk).update(**fields)
        # A queryset update sends no signal: the cached pages must learn of it here.
        transaction.on_commit(cache.bump_content_version)
    return True


@job_kind(
    KIND,
    # The check itself is bounded by JOB_CHECK_TIMEOUT_SECONDS; the rest is storage I/O.
    time_limit=JOB_CHECK_TIMEOUT_SECONDS + 60,
    verbose_name="Slides check and cover",
)
def check_slides(job, progress):
    presentation_id, slides_name = job.params["presentation"], job.params["slides"]
    presentation = Presentation.objects.filter(pk=presentation_id).first()
    if presentation is None:
        raise JobFailed("The session was deleted before its slides were checked: nothing to check.")
    if presentation.slides.name != slides_name:
        progress(message="Replaced by newer slides before the check: nothing to do.")
        return {"skipped": "the slides were replaced or removed before the check"}
    progress(total=2, message="Checking the PDF", force=True)
    data = _read(presentation)
    try:
        png = checked_cover(data, timeout=JOB_CHECK_TIMEOUT_SECONDS)
    except SlidesError as error:
        message = error.messages[0]
        _refuse(presentation, message)
        raise JobFailed(f"Slides of session {presentation.number} refused: {message}") from None
    progress(done=1, message="Rendering the cover")
    if not _publish(presentation, png):
        return {"skipped": "the slides were replaced or removed during the check"}
    progress(done=2)
    return {"session": presentation.number, "slides": "checked", "cover": "rendered"}
