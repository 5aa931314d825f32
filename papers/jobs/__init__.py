"""Background jobs: slow work runs in a worker process, not in a web request.

A *job* (``Job``) is what people see: its kind, who started it, its state, progress
("312 of 5,000 entries, 2 refused") and its result. Underneath, each job is run by one
task of Django's task framework (``django_tasks``, the backport of Django 6's
``django.tasks``) with the database backend, run by ``manage.py db_worker``.

- ``kinds.job_kind(name)`` registers a function as a kind of job. Apps register their
  kinds in ``AppConfig.ready()`` (papers imports nothing from blog or readinggroup).
- ``queue.enqueue(kind, label=…, params=…)`` creates the job and its task in the caller's
  transaction: a rolled-back request leaves no job behind.
- ``queue.run_job`` is the task: it claims the job, runs the kind's function with a
  ``Progress`` reporter, a heartbeat and the kind's time limit, and records the outcome.
  A job whose worker died (no heartbeat for ``JOB_STALE_AFTER`` s) is marked failed.

Modules: ``models`` (Job), ``kinds`` (the registry), ``queue`` (enqueue, run, retry,
reap), ``task_ids`` (a job's task gets the id chosen with the job), ``admin`` (the admin's
job list, progress and retry).
"""
