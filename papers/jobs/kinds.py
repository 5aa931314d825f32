"""The registry of job kinds: name → the function that does the work."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class JobFailed(Exception):
    """The work cannot be done (bad input, a deleted object): the message is for people.

    ``result`` is kept on the job, e.g. the entries refused before the failure.
    """

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result or {}


@dataclass(frozen=True)
class Kind:
    name: str
    function: Callable[..., Any]
    # Seconds before the job is stopped and marked failed (enforced in the worker).
    time_limit: int
    # Shown in the admin's list of jobs.
    verbose_name: str
    # Keep ``Job.payload`` once the job is done (a preview whose upload a later job imports).
    keep_payload: bool = False


_KINDS: dict[str, Kind] = {}


def job_kind(name, *, time_limit=600, verbose_name="", keep_payload=False):
    """Register ``function(job, progress) -> dict`` as the job kind ``name``.

    The function reads its input from ``job.params`` (and ``job.payload``), reports with
    ``progress(done=…, total=…, refused=…, message=…)`` and returns the result shown on the
    job's page (JSON-serialisable). It must leave nothing half-saved when it raises: one
    transaction per unit of work, or idempotent steps (a retry runs it again from the top).
    """

    def register(function):
        if name in _KINDS and _KINDS[name].function is not function:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        _KINDS[name] = Kind(name, function, time_limit, verbose_name or name, keep_payload)
        return function

    return register


def get_kind(name) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown job kind {name!r}.") from None


def kind_names():
    return sorted(_KINDS)
