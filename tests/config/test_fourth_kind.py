"""docs/ARCHITECTURE.md's walkthrough, "Adding a fourth kind of content", followed: its
code is tests/podcasts' code, and with that app installed (and nothing else changed in
config/ or papers/), what the walkthrough promises works (tests/podcasts/checks.py, run by
a pytest of its own: the suite's settings do not install the app)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
APP = ROOT / "tests" / "podcasts"


def walkthrough_files():
    """``{file name: code}`` of the walkthrough's blocks, each opening with ``# podcasts/x.py``."""
    section = DOC.read_text().split("## Adding a fourth kind of content", 1)[1]
    blocks = re.findall(r"```python\n# podcasts/(\S+)\n(.*?)```", section, re.S)
    return dict(blocks)


def test_the_walkthroughs_code_is_the_code_of_the_app_that_follows_it():
    files = walkthrough_files()
    assert sorted(files) == ["apps.py", "models.py"]
    for name, code in files.items():
        # The scratch app lives in tests/: its dotted paths start with "tests.".
        assert (APP / name).read_text().replace("tests.podcasts", "podcasts") == code, name


def test_an_app_installed_as_the_walkthrough_says_is_listed_everywhere_it_promises(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        # Its own run: not a worker of this one (pytest-django would name its database after it).
        if not name.startswith(("PYTEST_", "DJANGO_SETTINGS_MODULE"))
    }
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "--ds=tests.podcasts.settings",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            # Plugins the checks never use: importing them is ~2 s of the run's CPU.
            "-p",
            "no:playwright",
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:schemathesis",
            "-o",
            "python_files=checks.py",
            "-q",
            "--basetemp",
            str(tmp_path / "run"),
            str(APP / "checks.py"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b9 passed\b", result.stdout), result.stdout[-2000:]
