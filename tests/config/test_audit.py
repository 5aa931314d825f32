"""The CI dependency audit (.ci/audit.py) fails on a vulnerability, never on the network."""

import importlib.util
import json
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "4.2.0", "vulns": [
            {"id": "PYSEC-2023-61", "fix_versions": ["4.2.1"], "description": "…"}
        ]},
        {"name": "nh3", "version": "0.3.8", "vulns": []},
    ]
}  # fmt: skip
NOT_FOUND = {
    "dependencies": [
        {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}
        for name in ("django", "nh3")
    ]
}  # fmt: skip
OSV_DOWN = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='osv.example', port=443): "
    "Max retries exceeded (Caused by NameResolutionError(…))"
)


@pytest.mark.parametrize(
    ("returncode", "report", "output", "verdict"),
    [
        (0, CLEAN, "", audit.PASS),
        (1, VULNERABLE, "", audit.VULNERABLE),
        (0, NOT_FOUND, "No known vulnerabilities found", audit.UNREACHABLE),
        (1, None, OSV_DOWN, audit.UNREACHABLE),
        (2, None, "error: invalid requirement: 'django=='", audit.BROKEN),
    ],
)
def test_verdicts(returncode, report, output, verdict):
    assert audit.judge(returncode, report, output)[0] == verdict


def test_a_vulnerability_names_the_package_and_the_fix():
    verdict, lines = audit.judge(1, VULNERABLE, "")
    assert "django 4.2.0: PYSEC-2023-61 (fixed in 4.2.1)" in lines


def fake_pip_audit(tmp_path, report, returncode):
    """A stand-in for pip-audit that writes ``report`` where --output says and exits."""
    script = tmp_path / "pip-audit"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "args = sys.argv\n"
        f"report = {json.dumps(report)!r}\n"
        "if report != 'null':\n"
        "    open(args[args.index('--output') + 1], 'w').write(report)\n"
        f"else:\n    print({OSV_DOWN!r}, file=sys.stderr)\n"
        f"sys.exit({returncode})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize(
    ("report", "returncode", "exit_code", "message"),
    [
        (VULNERABLE, 1, 1, "FAILED: upgrade"),
        (CLEAN, 0, 0, "1 packages audited, no known vulnerabilities"),
        (NOT_FOUND, 0, 0, "WARNING: dependencies NOT AUDITED"),
        (None, 1, 0, "WARNING: dependencies NOT AUDITED"),
    ],
)
def test_main_exit_codes(tmp_path, capsys, report, returncode, exit_code, message):
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==4.2.0\n")
    assert audit.main(fake_pip_audit(tmp_path, report, returncode), str(lock)) == exit_code
    assert message in capsys.readouterr().out


def test_lock_file_pins_every_package_exactly():
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(lines) > 20
    assert all("==" in line and " " not in line for line in lines), lines
    assert any(line.startswith("Django==5.2.") for line in lines)
