"""Start, run, retry and reap background jobs."""

import collections
import contextlib
import datetime
import json
import logging
import os
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from papers.jobs import task_ids
from papers.jobs.kinds import JobFailed, get_kind
from papers.jobs.models import Job

logger = logging.getLogger(__name__)

# A queued job nobody has started after this long means no worker is running.
WORKER_SILENT_AFTER = datetime.timedelta(seconds=30)
HEARTBEAT_EVERY = 5
# Seconds between two writes of a running job's figures (each is a write to the database
# or, inside the job's transaction, to a file). A setting so that a test's worker process
# can write every figure (tests/settings.py): a test watching a job partway through must
# not depend on the job lasting longer than this.
PROGRESS_EVERY = getattr(settings, "JOB_PROGRESS_EVERY", 0.5)


def enqueue(kind, *, label, params=None, payload=None, payload_name="", user=None, dedupe_key=""):
    """Create a job and its task; return ``(job, created)``.

    Both rows are written in the caller's transaction (the queue is the database), so a
    request that fails leaves no job behind. With a ``dedupe_key``, a job with the same key
    that is still queued or running is returned instead of a second one (``created`` False).

    Two statements for a new job (the job, its task) where there were five: its task's id
    is chosen first and written with the job (no UPDATE after), and a job already queued
    with the key is found by the INSERT doing nothing (``insert_unless_active``), not by a
    savepoint rolled back after an IntegrityError. A job found that way costs one SELECT.
    """
    return _write(
        _new_job(
            kind,
            label=label,
            params=params,
            payload=payload,
            payload_name=payload_name,
            user=user,
            dedupe_key=dedupe_key,
        )
    )


def _new_job(kind, *, label, params=None, payload=None, payload_name="", user=None, dedupe_key=""):
    get_kind(kind)  # an unknown kind fails here, in the request, not later in the worker
    return Job(
        kind=kind,
        label=label[:200],
        params=params or {},
        payload=payload,
        payload_name=payload_name[:255],
        created_by=user if user is not None and user.is_authenticated else None,
        dedupe_key=dedupe_key[:200],
        task_id=str(uuid.uuid4()),
    )


def _write(job, *, lock_found=False):
    """Write ``job`` and its task, or find the active job with its key (``lock_found``:
    locked until the commit, on PostgreSQL; SQLite's writers take turns anyway)."""
    # No savepoint inside the caller's transaction: a job without its task never commits
    # (an error in the second INSERT fails the caller's transaction); in autocommit the
    # two rows are one transaction.
    with transaction.atomic(savepoint=False):
        if not job.dedupe_key:
            job.save(force_insert=True)
        while job.dedupe_key and not Job.objects.insert_unless_active(job):
            found = Job.objects.active().filter(dedupe_key=job.dedupe_key)
            existing = (found.select_for_update() if lock_found else found).first()
            if existing is not None:
                return existing, False
            # It finished between the INSERT and the SELECT: try once more.
        _submit(job)
    return job, True


def _submit(job):
    with task_ids.chosen(job.task_id):
        result = run_job.enqueue(job.pk)
    if str(result.id) != job.task_id:  # a task backend that chose its own id
        job.task_id = str(result.id)
        Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def retry(job):
    """Queue a failed job again (from the top); return False if it is not failed."""
    with transaction.atomic():
        new_task_id = str(uuid.uuid4())
        reset = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
            state=Job.State.QUEUED,
            task_id=new_task_id,
            done=0,
            total=None,
            refused=0,
            message="",
            result={},
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
        )
        if reset:
            job.refresh_from_db()
            _submit(job)
    return bool(reset)


def reap_stale(now=None):
    """Mark failed the running jobs whose worker stopped (killed, machine restarted)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
    stale = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff)
    if connection.vendor == "sqlite":
        # A job inside its transaction cannot write its row on SQLite: its heartbeat is
        # the time of its progress file.
        alive = [job_id for job_id in stale.values_list("pk", flat=True)
                 if _progress_file_time(job_id) >= cutoff.timestamp()]  # fmt: skip
        stale = stale.exclude(pk__in=alive)
    return stale.update(
        state=Job.State.FAILED,
        finished_at=now,
        message=(
            "The worker stopped while running this job (it was killed or its machine "
            "restarted). What the job had not finished was not saved; retry it."
        ),
    )


def worker_seems_down(now=None):
    """True when a job has waited long for a worker and no job is running."""
    now = now or timezone.now()
    waiting = Job.objects.filter(
        state=Job.State.QUEUED, created_at__lt=now - WORKER_SILENT_AFTER
    ).exists()
    return waiting and not Job.objects.filter(state=Job.State.RUNNING).exists()


class JobTimeout(BaseException):
    """Raised inside the job when it runs past its kind's time limit.

    A BaseException, so the job's own ``except Exception`` cannot swallow it.
    """


class Progress:
    """What a job function calls to report progress; writes are throttled."""

    def __init__(self, job):
        self.job = job
        self._written = 0.0
        self._side = None  # PostgreSQL: the connection figures take inside the transaction

    def __call__(self, *, done=None, total=None, refused=None, message=None, force=False):
        job = self.job
        if done is not None:
            job.done = done
        if total is not None:
            job.total = total
        if refused is not None:
            job.refused = refused
        if message is not None:
            job.message = message[:2000]
        if force or time.monotonic() - self._written >= PROGRESS_EVERY:
            self.write()

    def write(self):
        fields = {
            "done": self.job.done,
            "total": self.job.total,
            "refused": self.job.refused,
            "message": self.job.message,
            "heartbeat_at": timezone.now(),
        }
        if connection.in_atomic_block:
            # Inside the job's unit of work its own connection's writes are invisible to
            # others until the commit: PostgreSQL gets a second connection; SQLite (one
            # writer, locked by this transaction) a small file beside its database.
            if connection.vendor == "postgresql":
                self._write_beside(fields)
            else:
                _write_progress_file(self.job.pk, fields)
        else:
            Job.objects.filter(pk=self.job.pk).update(**fields)
        self._written = time.monotonic()

    def _write_beside(self, fields):
        # One connection for the whole job, not one per figure: opening one is a new server
        # process, and a preview of 1,500 entries writing every figure took 62 s that way
        # (PostgreSQL at load 14).
        if self._side is None:
            self._side = connections.create_connection("default")
        try:
            with self._side.cursor() as cursor:
                self._side.set_autocommit(True)
                columns = ", ".join(f"{Job._meta.get_field(name).column} = %s" for name in fields)
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET {columns} WHERE id = %s",  # noqa: S608 - names are ours
                    [*fields.values(), self.job.pk],
                )
        except BaseException:
            self.close()  # broken (or interrupted by the time limit): the next figure reopens
            raise

    def close(self):
        """Close the connection figures took beside the job's transaction, if any."""
        side, self._side = self._side, None
        if side is not None:
            with contextlib.suppress(Exception):
                side.close()


def _progress_file(job_id):
    """Where a job on SQLite writes its progress while its transaction holds the database.

    SQLite means one machine, so the web process reads the same folder: beside the
    database file (or in the temporary folder for an in-memory database).
    """
    name = str(connections["default"].settings_dict["NAME"])
    folder = Path(name).parent if os.path.isabs(name) else Path(tempfile.gettempdir())
    return folder / ".job-progress" / f"{Path(name).name}-{job_id}.json"


def _write_progress_file(job_id, fields):
    path = _progress_file(job_id)
    try:
        path.parent.mkdir(exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(
            json.dumps({**fields, "heartbeat_at": fields["heartbeat_at"].isoformat()})
        )
        os.replace(partial, path)  # readers see the old figures or the new, never half
    except OSError:
        logger.debug("progress of job %s not written", job_id, exc_info=True)


def live(job):
    """``job`` with the progress its worker reported inside its transaction (SQLite).

    On PostgreSQL the row is live already; pages and the status endpoint call this.
    """
    if job.state != Job.State.RUNNING or connection.vendor != "sqlite":
        return job
    try:
        figures = json.loads(_progress_file(job.pk).read_text())
    except (OSError, ValueError):
        return job
    for name in ("done", "total", "refused", "message"):
        setattr(job, name, figures[name])
    return job


def _progress_file_time(job_id):
    try:
        return _progress_file(job_id).stat().st_mtime
    except OSError:
        return 0.0


def _touch_progress_file(job_id):
    path = _progress_file(job_id)
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        path.touch()


def _forget_progress_file(job_id):
    if connection.vendor == "sqlite":
        with contextlib.suppress(OSError):
            _progress_file(job_id).unlink()


class _Heartbeat:
    """Writes ``heartbeat_at`` of the jobs this process runs, every HEARTBEAT_EVERY s.

    One thread per process, started with its first job and parked between jobs, rather
    than a thread started and joined for every job (a worker running a thousand small
    jobs: 4 % less CPU). A running job's heartbeat is never older than HEARTBEAT_EVERY
    (plus the write), as with a thread per job.
    """

    def __init__(self):
        self._jobs = collections.Counter()  # job id -> how many runs of it here now
        self._changed = threading.Condition()
        self._thread = None

    @contextlib.contextmanager
    def beating(self, job_id):
        with self._changed:
            self._jobs[job_id] += 1
            if self._thread is None or not self._thread.is_alive():  # first job, or forked
                self._thread = threading.Thread(target=self._run, name="job-heartbeat", daemon=True)
                self._thread.start()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._jobs[job_id] -= 1
                if not self._jobs[job_id]:
                    del self._jobs[job_id]

    def _run(self):
        while True:
            with self._changed:
                idle = not self._jobs
            if idle:
                connections.close_all()  # no connection held between jobs
                with self._changed:
                    self._changed.wait_for(lambda: self._jobs)
            time.sleep(HEARTBEAT_EVERY)
            with self._changed:
                job_ids = list(self._jobs)
            for job_id in job_ids:
                _beat(job_id)


def _beat(job_id):
    if connection.vendor == "sqlite":
        _touch_progress_file(job_id)  # the row may be locked by the job
    try:
        Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(heartbeat_at=timezone.now())
    except Exception:  # a locked SQLite file or a blip: the next beat retries
        logger.debug("heartbeat of job %s not written", job_id, exc_info=True)


_heartbeat = _Heartbeat().beating


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise JobTimeout in the job after ``seconds`` (only in a worker's main thread)."""
    if threading.current_thread() is not threading.main_thread() or not seconds:
        yield
        return

    def expire(signum, frame):
        raise JobTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _finish(job, state, *, message=None, result=None):
    _forget_progress_file(job.pk)
    try:
        _record_outcome(job, state, message=message, result=result)
    except Exception:
        # A time limit can interrupt a query and leave the connection unusable: record the
        # outcome on a fresh one rather than leave the job "running" until it is reaped.
        connection.close()
        _record_outcome(job, state, message=message, result=result)


def _record_outcome(job, state, *, message=None, result=None):
    job.state = state
    job.finished_at = timezone.now()
    if message is not None:
        job.message = message[:2000]
    if result is not None:
        job.result = result
    Job.objects.filter(pk=job.pk).update(
        state=job.state,
        finished_at=job.finished_at,
        message=job.message,
        result=job.result,
        done=job.done,
        total=job.total,
        refused=job.refused,
        # The upload is read; keep it only while the job may be retried (or, for a kind
        # that keeps it, until the job that uses it next takes it).
        **({"payload": None} if state == Job.State.DONE and not _keeps_payload(job) else {}),
    )


def _keeps_payload(job):
    try:
        return get_kind(job.kind).keep_payload
    except LookupError:
        return False


_last_reap = 0.0


def _reap_now_and_then():
    """Reap stale jobs at most every 10 s per worker (not once per job of a long queue)."""
    global _last_reap
    if time.monotonic() - _last_reap >= 10:
        reap_stale()
        _last_reap = time.monotonic()


@task()
def run_job(job_id):
    """The task the worker runs for every job (whatever its kind)."""
    if not connection.in_atomic_block:
        # A worker's connection may be old; a job run inside a caller's transaction
        # (``run_queued_jobs`` in a test) keeps it, or the transaction would be lost.
        close_old_connections()
    _reap_now_and_then()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:  # deleted, already run, or taken by a retry
        logger.info("job %s is not queued any more: nothing to do", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        kind = get_kind(job.kind)
    except LookupError as exc:
        _finish(job, Job.State.FAILED, message=str(exc))
        return
    progress = Progress(job)
    try:
        with contextlib.closing(progress), _heartbeat(job.pk), _time_limit(kind.time_limit):
            result = kind.function(job, progress)
    except JobFailed as exc:
        _finish(job, Job.State.FAILED, message=str(exc), result=exc.result)
    except JobTimeout:
        _finish(
            job,
            Job.State.FAILED,
            message=(
                f"Stopped after {kind.time_limit} s, this kind's time limit. What it had not "
                "finished was not saved."
            ),
        )
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.State.FAILED, message=f"Failed: {type(exc).__name__}: {exc}")
    else:
        _finish(job, Job.State.DONE, result=result if result is not None else {})


def enqueue_coalesced(kind, *, label, params, dedupe_key, merge=None):
    """Queue a job, or let the one with ``dedupe_key`` still waiting take this change too.

    Updating the waiting job's row also locks it until the caller's transaction commits:
    a worker cannot start it on the rows as they were before this change. A job already
    running read those rows: a second one is queued to read the new ones.

    A transaction that queued or joined the job already (a test's, an import's many saves)
    joins it again with one UPDATE, not an INSERT that does nothing, a SELECT and the
    UPDATE: the params it wrote are still the row's (``_joined_in_transaction``).
    """
    job = _joined_in_transaction(dedupe_key)
    if job is not None:
        joined = merge(job.params, params) if merge else params
        if Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(params=joined):
            job.params = joined
            return job
    # The job found is locked as it is read: a transaction joining it after another's
    # change merges into that change, not into what both read before it (a change lost).
    new = _new_job(kind, label=label, params=params, dedupe_key=dedupe_key)
    job, created = _write(new, lock_found=True)
    if not created:
        joined = merge(job.params, params) if merge else params
        if not Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(params=joined):
            _remember_in_transaction(dedupe_key, None)  # running: nothing to join
            job, _ = enqueue(kind, label=label, params=params)
            return job
        job.params = joined
    _remember_in_transaction(dedupe_key, job)
    return job


def _joined_in_transaction(dedupe_key):
    """The job with ``dedupe_key`` this transaction queued or joined, if it may join it
    again with one UPDATE; else None.

    Its params are what the transaction last wrote: the row is invisible to others
    (queued here) or locked by the UPDATE that joined it, until the commit. Django gives
    ``connection.run_on_commit`` a new list at a commit, a rollback and a savepoint's
    rollback (which may undo the write): while the list remembered with the job is the
    connection's, the job is as written (the slug lock's mark, papers/intake/slugs.py).
    A job run inside the transaction since (``run_queued_jobs`` in a test) is not queued:
    the UPDATE finds no row and the change is queued as any other.
    """
    connection = connections[router.db_for_write(Job)]
    known = getattr(connection, "_papershelf_jobs_joined", None)
    if known is None or known[0] is not connection.run_on_commit:
        return None
    return known[1].get(dedupe_key)


def _remember_in_transaction(dedupe_key, job):
    connection = connections[router.db_for_write(Job)]
    if not connection.in_atomic_block:  # autocommit: the job may start at once
        return
    known = getattr(connection, "_papershelf_jobs_joined", None)
    if known is None or known[0] is not connection.run_on_commit:
        known = connection._papershelf_jobs_joined = (connection.run_on_commit, {})
    if job is None:
        known[1].pop(dedupe_key, None)
    else:
        known[1][dedupe_key] = job
