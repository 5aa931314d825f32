"""The id of a job's task, chosen before either row is written.

A job's row holds its task's id (``Job.task_id``) and the task's arguments hold the job's
id: writing the job, then the task, then the job again (an UPDATE) took three statements.
The task's id is chosen with the job instead and handed to django_tasks_db, which asks
``TASKS``' ``id_function`` (config/settings.py) for the id of every task it writes.

No model is imported here: the task backend, and so this function, is loaded while the
job queue's module is (``@task()`` checks its backend).
"""

import contextlib
import contextvars
import uuid

_chosen = contextvars.ContextVar("chosen_task_id", default=None)


def task_id():
    """The id of the task being written: the one chosen for it (``chosen``), else new."""
    return _chosen.get() or uuid.uuid4()


@contextlib.contextmanager
def chosen(value):
    """The task written inside the block gets the id ``value`` (a UUID's text)."""
    token = _chosen.set(uuid.UUID(value))
    try:
        yield
    finally:
        _chosen.reset(token)
