"""What queuing a job costs and guarantees: the job and its task in the caller's
transaction, one active job per dedupe key when two transactions queue it at once, and a
transaction joining the job it queued with one UPDATE."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from papers.jobs import queue
from papers.jobs.models import Job
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db

KIND = "test.count"  # never run here: only queued


def _merge(old, new):
    return {"papers": sorted({*old["papers"], *new["papers"]})}


def _join(*papers):
    return queue.enqueue_coalesced(
        KIND, label="Join", params={"papers": list(papers)}, dedupe_key="k", merge=_merge
    )


def _sql(queries):
    return [q["sql"] for q in queries.captured_queries]


class Rollback(Exception):
    pass


# --- statements ------------------------------------------------------------------------------


@pytest.mark.parametrize("dedupe_key", ["", "k"])
def test_a_new_job_takes_two_inserts_and_its_task_has_the_id_the_job_holds(dedupe_key):
    with CaptureQueriesContext(connection) as queries:
        job, created = queue.enqueue(KIND, label="New", params={"steps": 1}, dedupe_key=dedupe_key)
    sql = _sql(queries)
    assert created and len(sql) == 2
    assert sql[0].startswith('INSERT INTO "papers_job"')
    assert sql[1].startswith('INSERT INTO "django_tasks_database_dbtaskresult"')
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert Job.objects.get(pk=job.pk).task_id == job.task_id


def test_a_key_still_active_costs_an_insert_that_does_nothing_and_a_select():
    first, _ = queue.enqueue(KIND, label="First", params={"steps": 1}, dedupe_key="k")
    with CaptureQueriesContext(connection) as queries:
        second, created = queue.enqueue(KIND, label="Second", params={"steps": 2}, dedupe_key="k")
    sql = _sql(queries)
    assert not created and second.pk == first.pk and second.params == {"steps": 1}
    assert len(sql) == 2 and "ON CONFLICT DO NOTHING" in sql[0] and sql[1].startswith("SELECT")
    assert Job.objects.count() == DBTaskResult.objects.count() == 1


def test_a_job_written_unless_active_holds_what_create_writes(admin_user):
    fields = {
        "kind": KIND,
        "label": "Import",
        "params": {"names": ["é", "b"], "n": 2},
        "payload": b"\x00\xffbytes",
        "payload_name": "upload.bib",
        "created_by": admin_user,
        "task_id": "6d4b3c3e-8d4e-4d8c-9a57-0c8f1c6f8a11",
    }
    created = Job.objects.create(**fields, dedupe_key="")
    written = Job(**fields, dedupe_key="k")
    assert Job.objects.insert_unless_active(written)

    def row(pk):
        values = Job.objects.values().get(pk=pk)
        values["payload"] = bytes(values["payload"])
        return {name: value for name, value in values.items() if name not in {"id", "dedupe_key"}}

    assert abs(row(written.pk).pop("created_at") - row(created.pk).pop("created_at")).seconds < 5
    assert {**row(written.pk), "created_at": 0} == {**row(created.pk), "created_at": 0}
    assert not Job.objects.insert_unless_active(Job(**fields, dedupe_key="k"))


def test_retry_writes_the_new_task_id_with_the_reset_not_after_it():
    job, _ = queue.enqueue("test.refuse", label="Refused")
    run_queued_jobs()
    old_task = job.task_id
    with CaptureQueriesContext(connection) as queries:
        assert queue.retry(job)
    assert not [sql for sql in _sql(queries) if sql.startswith('UPDATE "papers_job" SET "task_id"')]
    assert job.task_id != old_task
    assert DBTaskResult.objects.get(pk=job.task_id).args_kwargs["args"] == [job.pk]
    assert Job.objects.get(pk=job.pk).task_id == job.task_id


# --- a transaction joining the job it queued -------------------------------------------------


def test_a_transaction_joins_the_job_it_queued_with_one_update():
    first = _join(1)
    with CaptureQueriesContext(connection) as queries:
        again = _join(2)
    assert again.pk == first.pk
    assert len(_sql(queries)) == 1 and _sql(queries)[0].startswith('UPDATE "papers_job"')
    assert Job.objects.get(pk=first.pk).params == {"papers": [1, 2]}


def test_a_change_rolled_back_with_its_savepoint_is_not_in_the_job_joined_after_it():
    job = _join(1)
    with pytest.raises(Rollback), transaction.atomic():
        _join(2)
        raise Rollback
    _join(3)
    assert Job.objects.get(pk=job.pk).params == {"papers": [1, 3]}


def test_a_job_run_inside_the_transaction_is_not_joined_a_new_one_is_queued():
    ran = _join(1)
    Job.objects.filter(pk=ran.pk).update(params={"steps": 0})  # what test.count runs
    run_queued_jobs()
    queued = _join(2)
    assert queued.pk != ran.pk
    assert Job.objects.get(pk=queued.pk).params == {"papers": [2]}
    assert Job.objects.get(pk=ran.pk).state == Job.State.DONE


def test_a_change_while_the_job_joined_runs_queues_another_then_joins_nothing_stale():
    job = _join(1)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)  # a worker took it
    second = _join(2)
    with CaptureQueriesContext(connection) as queries:
        third = _join(3)
    assert second.pk != job.pk and third.pk not in {job.pk, second.pk}
    # Not the UPDATE of the running job first: straight to the job with the key.
    assert "ON CONFLICT DO NOTHING" in _sql(queries)[0]
    assert Job.objects.get(pk=job.pk).params == {"papers": [1]}


# --- two transactions at once ----------------------------------------------------------------


def _in_another_transaction(call):
    """Start ``call()`` in a thread with its own connection and transaction."""
    outcome = {}

    def target():
        try:
            with transaction.atomic():
                outcome["value"] = call()
        except Exception as error:  # noqa: BLE001 - the test shows it
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def _finished(thread, outcome):
    thread.join(60)
    assert not thread.is_alive(), "the second transaction did not finish"
    assert "error" not in outcome, outcome.get("error")
    return outcome["value"]


def _queue_k(label):
    return queue.enqueue(KIND, label=label, params={"steps": 1}, dedupe_key="k")


@pytest.mark.django_db(transaction=True)
def test_a_second_transaction_queuing_the_same_key_waits_and_gets_the_first_ones_job():
    with transaction.atomic():
        first, created = _queue_k("First")
        thread, outcome = _in_another_transaction(lambda: _queue_k("Second"))
        thread.join(1)
        # PostgreSQL: its INSERT waits for this key's row; SQLite: its BEGIN, for the lock.
        assert thread.is_alive()
    second, created_again = _finished(thread, outcome)
    assert created and not created_again and second.pk == first.pk
    assert Job.objects.count() == DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_transaction_queues_its_own_job_when_the_first_rolls_back():
    with pytest.raises(Rollback), transaction.atomic():
        _queue_k("Rolled back")
        thread, outcome = _in_another_transaction(lambda: _queue_k("Second"))
        thread.join(1)
        assert thread.is_alive()
        raise Rollback
    second, created = _finished(thread, outcome)
    assert created
    assert list(Job.objects.values_list("label", flat=True)) == ["Second"]
    assert str(DBTaskResult.objects.get().pk) == second.task_id


@pytest.mark.django_db(transaction=True)
def test_two_transactions_joining_a_waiting_job_at_once_both_changes_stay():
    job = _join(1)  # committed: a job another request queued, still waiting
    first_read, second_read = threading.Event(), threading.Event()

    def merge_slowly(old, new):
        first_read.set()
        second_read.wait(2)  # were the row not locked, the second would read it now
        return _merge(old, new)

    def merge_at_once(old, new):
        second_read.set()
        return _merge(old, new)

    def join(paper, merge):
        return lambda: queue.enqueue_coalesced(
            KIND, label="Join", params={"papers": [paper]}, dedupe_key="k", merge=merge
        )

    first = _in_another_transaction(join(2, merge_slowly))
    assert first_read.wait(30)
    second = _in_another_transaction(join(3, merge_at_once))
    assert _finished(*first).pk == _finished(*second).pk == job.pk
    assert Job.objects.get().params == {"papers": [1, 2, 3]}


@pytest.mark.django_db(transaction=True)
def test_a_task_that_cannot_be_written_leaves_no_job(monkeypatch):
    class Broken:
        def enqueue(self, job_id):
            raise RuntimeError("the task table refused")

    monkeypatch.setattr(queue, "run_job", Broken())
    for dedupe_key in ("", "k"):
        with pytest.raises(RuntimeError):  # outside any transaction (autocommit)
            queue.enqueue(KIND, label="No task", dedupe_key=dedupe_key)
        with pytest.raises(RuntimeError), transaction.atomic():
            queue.enqueue(KIND, label="No task", dedupe_key=dedupe_key)
    assert not Job.objects.exists()
