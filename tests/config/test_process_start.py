"""What a process that sets up Django costs at its start and at its exit: a job worker, a
``manage.py`` command and a gunicorn worker each pay it, and the suite starts many."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: Django set up as ``manage.py`` does (apps and admins, no
# URLs), then the exit handlers run as the interpreter would run them at exit.
CODE = """
import atexit, gc, sys
import django
django.setup()
print(",".join(sorted(m for m in ("ninja", "pydantic") if m in sys.modules)) or "-")
frozen_before, tracked = gc.get_freeze_count(), len(gc.get_objects())
atexit._run_exitfuncs()
print(frozen_before, tracked, gc.get_freeze_count())
"""


@pytest.fixture(scope="module")
def setup_and_exit():
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    imported, counts = run.stdout.split("\n")[-3:-1]
    return imported, [int(n) for n in counts.split()]


def test_a_process_without_urls_imports_neither_ninja_nor_pydantic(setup_and_exit):
    """The API's libraries (~0.13 s of CPU) load with the URLs; a job worker or a command
    that serves no request never imports them (ninja is not an installed app, and what the
    cards share with the API's rows lives in papers.site.cache)."""
    imported, _ = setup_and_exit
    assert imported == "-"


def test_a_django_process_freezes_its_objects_at_exit_instead_of_collecting_them(
    setup_and_exit,
):
    """Python's last collections at exit walk every object left (0.3 s of CPU for a process
    that loaded the project); the exit handler papers.site registers freezes them first."""
    _, (before, tracked, after) = setup_and_exit
    assert before == 0
    # Most of what it holds (objects freed meanwhile are not counted); 0 without the handler.
    assert after > tracked // 2 > 0, (tracked, after)
