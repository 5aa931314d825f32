"""The fork server the tests start job workers from (tests/forkserver.py): each process it
starts is a separate process with the caller's folder, environment, arguments and output,
and what it reads from them is its own."""

import json
import os
import signal
import subprocess

import pytest

from tests import forkserver
from tests.forkserver import ForkedProcess

# Prints what the process is and sees at its start, then exits with status 3.
REPORT = """
import json, os, sys, tempfile
print(json.dumps({
    "pid": os.getpid(), "parent": os.getppid(), "cwd": os.getcwd(), "argv": sys.argv,
    "path0": sys.path[0], "variable": os.environ.get("FORKSERVER_TEST"),
    "tmpdir": tempfile.gettempdir(),
    "preloaded": "django.db.models" in sys.modules,
    "settings": [m for m in ("config.settings", "tests.settings") if m in sys.modules],
}))
sys.exit(3)
"""


@pytest.fixture
def fork_server():
    return forkserver.shared()


def _start(fork_server, tmp_path, code, env=None):
    script = tmp_path / "script.py"
    script.write_text(code)
    env = {**os.environ, "TMPDIR": str(tmp_path), **(env or {})}
    with (tmp_path / "output.log").open("w") as output:
        process = fork_server.start([str(script), "1", "2"], cwd=tmp_path, env=env, stdout=output)
    return process, tmp_path / "output.log"


def test_a_started_process_is_the_servers_child_in_the_callers_folder_environment_and_output(
    fork_server, tmp_path
):
    process, output = _start(fork_server, tmp_path, REPORT, env={"FORKSERVER_TEST": "x"})

    assert isinstance(process, ForkedProcess)
    assert process.wait(timeout=60) == 3
    seen = json.loads(output.read_text())
    assert seen["pid"] == process.pid != os.getpid()
    assert seen["parent"] == fork_server.process.pid
    assert seen["cwd"] == str(tmp_path) == seen["path0"]
    assert seen["argv"] == [str(tmp_path / "script.py"), "1", "2"]
    assert seen["variable"] == "x"
    assert seen["tmpdir"] == str(tmp_path)
    # The libraries came with the fork; settings are the process's own to make.
    assert seen["preloaded"] is True
    assert seen["settings"] == []


def test_a_started_process_can_be_killed_and_its_wait_times_out_while_it_runs(
    fork_server, tmp_path
):
    process, _ = _start(fork_server, tmp_path, "import time\ntime.sleep(60)\n")

    assert process.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.2)
    process.kill()
    assert process.wait(timeout=10) == -signal.SIGKILL
    process.kill()  # a second kill of an ended process is harmless, as with Popen


def test_a_process_whose_interpreter_variables_differ_is_a_fresh_interpreter(fork_server, tmp_path):
    process, output = _start(fork_server, tmp_path, REPORT, env={"PYTHONHASHSEED": "123"})

    assert isinstance(process, subprocess.Popen)
    assert process.wait(timeout=60) == 3
    seen = json.loads(output.read_text())
    assert seen["parent"] == os.getpid()
    assert seen["preloaded"] is False


def test_run_returns_the_output_the_errors_and_the_exit_status_apart(fork_server, tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(4)\n")

    result = fork_server.run([str(script)], cwd=tmp_path, env=dict(os.environ), timeout=60)

    assert (result.returncode, result.stdout, result.stderr) == (4, "out\n", "err\n")
