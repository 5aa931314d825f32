"""The test settings' temporary folders (media, static files, the SQLite database) belong
to the process that made them and leave /tmp when it exits (tests/settings.py); each
test's media folder is its own (tests/conftest.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports the test settings only (not the whole site), prints the folders they made.
_PRINT_FOLDERS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
from django.conf import settings
print(json.dumps([settings.MEDIA_ROOT, settings.STATIC_ROOT,
                  os.path.dirname(settings.DATABASES["default"]["TEST"].get("NAME") or "")]))
"""


def test_a_process_on_the_test_settings_removes_its_temporary_folders_at_exit():
    env = {k: v for k, v in os.environ.items() if k != "PAPERSHELF_TEST_MEDIA_ROOT"}
    env["DATABASE_URL"] = "sqlite:///unused.sqlite3"
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", _PRINT_FOLDERS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    folders = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(folders) == 3 and all(folders), folders
    assert [folder for folder in folders if os.path.exists(folder)] == []


def test_each_tests_media_folder_is_new_and_empty_and_not_made_by_tmp_path(request, settings):
    """tests/conftest.py ``_media_root``: a folder of the test's own, made by one
    ``mkdtemp`` (pytest's ``tmp_path`` costs every test ~1 ms of CPU, ~3 ms of wall)."""
    assert "tmp_path" not in request.fixturenames
    assert settings.MEDIA_ROOT.is_dir()
    assert list(settings.MEDIA_ROOT.iterdir()) == []
