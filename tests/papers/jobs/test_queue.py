"""The job queue itself, run by real worker processes: results, failures, kills, limits."""

import datetime
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from papers.jobs import queue
from papers.jobs.models import Job
from papers.models import Tag
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_enqueue_writes_the_job_and_its_task_in_one_go():
    job, created = queue.enqueue("test.count", label="Count to 3", params={"steps": 3})

    assert created and job.state == Job.State.QUEUED
    assert DBTaskResult.objects.filter(pk=job.task_id).exists()


def test_enqueue_refuses_an_unknown_kind_in_the_request():
    with pytest.raises(LookupError):
        queue.enqueue("no.such.kind", label="x")
    assert not Job.objects.exists()


def test_the_same_dedupe_key_gives_back_the_job_still_queued():
    first, created = queue.enqueue("test.count", label="a", params={"steps": 1}, dedupe_key="k")
    second, created_again = queue.enqueue(
        "test.count", label="a", params={"steps": 1}, dedupe_key="k"
    )

    assert created and not created_again
    assert second.pk == first.pk
    assert Job.objects.count() == 1


def test_a_finished_job_does_not_block_a_new_one_with_its_key():
    first, _ = queue.enqueue("test.count", label="a", params={"steps": 1}, dedupe_key="k")
    run_queued_jobs()
    second, created = queue.enqueue("test.count", label="a", params={"steps": 1}, dedupe_key="k")

    assert created and second.pk != first.pk


def test_a_real_worker_runs_a_job_to_done_with_its_progress_and_result(real_worker):
    job, _ = queue.enqueue("test.count", label="Count", params={"steps": 5, "prefix": "rw"})

    job = real_worker().wait_for(job)

    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total) == (5, 5)
    assert job.result == {"created": 5}
    assert Tag.objects.filter(name__startswith="rw-").count() == 5
    assert job.payload is None and job.finished_at >= job.started_at


def test_progress_is_visible_while_the_job_runs(real_worker):
    job, _ = queue.enqueue(
        "test.count", label="Slow count", params={"steps": 40, "pause": 0.05, "prefix": "p"}
    )
    worker = real_worker()
    seen = set()

    def partway():
        job.refresh_from_db()
        if job.state == Job.State.RUNNING and job.total == 40:
            seen.add(job.done)
        return any(0 < done < 40 for done in seen)

    worker.wait_until(partway, what="a progress figure between 0 and 40")
    assert worker.wait_for(job).state == Job.State.DONE


def test_a_job_that_raises_is_failed_with_its_message_and_nothing_half_saved(real_worker):
    job, _ = queue.enqueue("test.half_then_raise", label="Breaks")

    job = real_worker().wait_for(job)

    assert job.state == Job.State.FAILED
    assert "ValueError: the input broke halfway" in job.message
    assert not Tag.objects.filter(name="half-saved").exists()


def test_a_job_refused_for_a_reason_shows_the_reason_and_its_partial_result(real_worker):
    job, _ = queue.enqueue("test.refuse", label="Refused")

    job = real_worker().wait_for(job)

    assert job.state == Job.State.FAILED
    assert job.message == "The paper this job was for has been deleted."
    assert job.result == {"refused": [1]}


def test_a_job_past_its_time_limit_is_stopped_failed_and_rolled_back(real_worker):
    job, _ = queue.enqueue("test.sleep", label="Too slow", params={"seconds": 30})

    # The worker's start-up is not the job's time (at load average 20 it took 20 s).
    job = real_worker().wait_for(job, timeout=90)

    assert job.state == Job.State.FAILED
    assert "Stopped after 2 s" in job.message
    # Stopped at its limit, not after its 30 s: measured by the job's own clock.
    assert (job.finished_at - job.started_at).total_seconds() < 25
    assert not Tag.objects.filter(name=f"slept-{job.pk}").exists()


def test_a_worker_killed_mid_job_leaves_nothing_saved_and_the_job_can_be_retried(real_worker):
    job, _ = queue.enqueue("test.hold", label="Killed")
    worker = real_worker()

    def inside_its_transaction():
        # Its figures, written after the tag and before the commit (tests/jobapp/kinds.py).
        return queue.live(Job.objects.get(pk=job.pk)).message == "holding"

    worker.wait_until(inside_its_transaction, what="the job inside its transaction")

    worker.kill()

    # Its heartbeat stops; once it is older than JOB_STALE_AFTER the job is marked failed.
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert queue.reap_stale(now=later) == 1
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "worker stopped" in job.message
    assert not Tag.objects.filter(name=f"held-{job.pk}").exists()

    assert queue.retry(job)
    job = real_worker().wait_for(job)
    assert job.state == Job.State.DONE and job.attempts == 2
    assert Tag.objects.filter(name=f"held-{job.pk}").exists()


def test_a_running_jobs_heartbeat_moves_from_one_thread_kept_between_jobs(monkeypatch):
    monkeypatch.setattr(queue, "HEARTBEAT_EVERY", 0.05)
    heart = queue._Heartbeat()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    first, _ = queue.enqueue("test.count", label="First", params={"steps": 1})
    second, _ = queue.enqueue("test.count", label="Second", params={"steps": 1})
    Job.objects.update(state=Job.State.RUNNING, heartbeat_at=long_ago)

    def wait_for_a_beat(job):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.heartbeat_at > long_ago:
                return
            time.sleep(0.02)
        raise AssertionError(f"no heartbeat for {job.label} in 30 s")

    with heart.beating(first.pk):
        wait_for_a_beat(first)
        thread = heart._thread
    Job.objects.filter(pk=first.pk).update(heartbeat_at=long_ago)
    with heart.beating(second.pk):
        wait_for_a_beat(second)
        assert heart._thread is thread
        time.sleep(0.3)  # several beats, none for the job that ended

    first.refresh_from_db()
    assert first.heartbeat_at == long_ago


def test_figures_inside_a_jobs_transaction_reach_others_through_one_connection(monkeypatch):
    job, _ = queue.enqueue("test.count", label="Figures", params={"steps": 5})
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    job.refresh_from_db()
    opened = []
    create = connections.create_connection
    monkeypatch.setattr(
        connections, "create_connection", lambda alias: opened.append(alias) or create(alias)
    )
    progress = queue.Progress(job)

    with transaction.atomic():
        for done in range(1, 6):
            progress(done=done, total=5, force=True)
        seen = queue.live(Job.objects.get(pk=job.pk))
    progress.close()

    assert (seen.done, seen.total) == (5, 5)
    # PostgreSQL: a second connection (the job's own writes are invisible until its commit),
    # one for all five figures; SQLite: a file beside the database, no connection.
    assert len(opened) == (1 if connection.vendor == "postgresql" else 0)


def test_a_job_deleted_before_its_turn_is_skipped_quietly(real_worker):
    gone, _ = queue.enqueue("test.count", label="Gone", params={"steps": 1, "prefix": "gone"})
    kept, _ = queue.enqueue("test.count", label="Kept", params={"steps": 1, "prefix": "kept"})
    gone.delete()

    worker = real_worker(batch=True)
    assert worker.wait_exit() == 0
    kept.refresh_from_db()

    assert kept.state == Job.State.DONE
    assert not Tag.objects.filter(name="gone-1").exists()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_thousand_queued_jobs_all_run(real_worker):
    for number in range(1000):
        queue.enqueue("test.count", label=f"n{number}", params={"steps": 0})

    assert real_worker(batch=True).wait_exit(timeout=300) == 0

    assert Job.objects.filter(state=Job.State.DONE).count() == 1000


def test_the_admin_warns_when_jobs_wait_and_no_worker_runs(admin_client):
    job, _ = queue.enqueue("test.count", label="Waiting", params={"steps": 1})
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))

    response = admin_client.get(reverse("admin:papers_job_changelist"))

    assert "is the worker running?" in response.text
    assert "Waiting" in response.text


def test_a_jobs_page_asks_for_its_status_every_second_unless_set_otherwise(admin_client, settings):
    from config import settings as site_settings

    job, _ = queue.enqueue("test.count", label="Followed", params={"steps": 1})
    assert site_settings.JOB_STATUS_POLL_MS == 1000

    settings.JOB_STATUS_POLL_MS = 1000
    assert 'data-poll-ms="1000"' in admin_client.get(job.get_absolute_url()).text
    settings.JOB_STATUS_POLL_MS = 200
    assert 'data-poll-ms="200"' in admin_client.get(job.get_absolute_url()).text


def test_the_admin_retries_a_failed_job(admin_client):
    job, _ = queue.enqueue("test.refuse", label="Refused")
    run_queued_jobs()

    admin_client.post(
        reverse("admin:papers_job_changelist"),
        {"action": "retry_jobs", "_selected_action": [job.pk]},
    )

    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.message == ""
    assert DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()
