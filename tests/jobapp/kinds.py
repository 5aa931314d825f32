"""Job kinds that exercise the queue itself: counting, failing, sleeping."""

import time

from django.db import transaction

from papers.jobs.kinds import JobFailed, job_kind
from papers.models import Tag


@job_kind("test.count", verbose_name="Count")
def count(job, progress):
    """Create one tag per step, one transaction per step, reporting progress."""
    steps = job.params["steps"]
    progress(total=steps, force=True)
    for step in range(1, steps + 1):
        with transaction.atomic():
            Tag.objects.get_or_create(name=f"{job.params.get('prefix', 'step')}-{step}")
        progress(done=step, message=f"step {step}")
        time.sleep(job.params.get("pause", 0))
    return {"created": steps}


@job_kind("test.half_then_raise")
def half_then_raise(job, progress):
    """Save something inside the unit of work, then fail: nothing may stay saved."""
    with transaction.atomic():
        Tag.objects.create(name="half-saved")
        raise ValueError("the input broke halfway")


@job_kind("test.refuse")
def refuse(job, progress):
    raise JobFailed("The paper this job was for has been deleted.", result={"refused": [1]})


@job_kind("test.sleep", time_limit=2)
def sleep(job, progress):
    """Hold a transaction open for longer than the time limit (or until killed)."""
    with transaction.atomic():
        Tag.objects.create(name="slept-" + str(job.pk))
        progress(message="sleeping", force=True)
        deadline = time.monotonic() + job.params.get("seconds", 30)
        while time.monotonic() < deadline:
            time.sleep(0.05)
    return {"slept": True}


@job_kind("test.hold", time_limit=120)
def hold(job, progress):
    """Hold a transaction open: 60 s on the first attempt (to be killed), short after."""
    with transaction.atomic():
        Tag.objects.create(name="held-" + str(job.pk))
        progress(message="holding", force=True)  # a test kills the worker only now
        time.sleep(60 if job.attempts == 1 else 0.2)
    return {"held": True}
