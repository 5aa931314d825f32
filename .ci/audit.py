#!/usr/bin/env python3
"""Audit requirements.lock with pip-audit: fail on a known vulnerability, never on the network.

pip-audit asks a vulnerability service about each pinned package. From a network that
reaches only package registries that can fail in two quiet ways, both seen on our
machines: the PyPI service answers 404 for every per-version JSON document (pip-audit
then *skips* each package and still prints "No known vulnerabilities found"), and the
OSV service's host does not resolve. So a run only counts as a pass when packages were
really audited; a run that audited nothing is reported loudly as NOT AUDITED and does not
fail the build, while any vulnerability found fails it.

Usage: python3 .ci/audit.py PIP_AUDIT_EXECUTABLE requirements.lock
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("pypi", "osv")  # pip-audit's own; tried in order until one answers
NETWORK_ERROR = re.compile(
    r"ConnectionError|NameResolutionError|Max retries exceeded|Temporary failure in name "
    r"resolution|Name or service not known|timed out|ReadTimeout|ConnectTimeout|ServiceError|"
    r"HTTPError|SSLError|Network is unreachable|Connection refused",
)
PASS, VULNERABLE, UNREACHABLE, BROKEN = "pass", "vulnerable", "unreachable", "broken"


def judge(returncode, report, output):
    """(verdict, lines to print) for one pip-audit run; ``report`` is its JSON or None."""
    if report is None:
        if NETWORK_ERROR.search(output):
            last = output.strip().splitlines()[-1] if output.strip() else ""
            return UNREACHABLE, [f"the vulnerability service could not be reached: {last[:300]}"]
        return BROKEN, ["pip-audit failed without a report:", output[-3000:]]
    dependencies = report.get("dependencies", [])
    found = [
        f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {_fixes(vuln)})"
        for dep in dependencies
        for vuln in dep.get("vulns", [])
    ]
    if found:
        return VULNERABLE, ["known vulnerabilities:", *found]
    audited = [dep for dep in dependencies if "vulns" in dep]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    if dependencies and not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no answer"
        return UNREACHABLE, [
            f"the service audited none of {len(dependencies)} packages ({reason}, …)"
        ]
    lines = [f"{len(audited)} packages audited, no known vulnerabilities"]
    lines += [f"not audited: {dep['name']}: {dep['skip_reason']}" for dep in skipped]
    if returncode not in (0, 1):
        return BROKEN, [f"pip-audit exited {returncode}", output[-3000:]]
    return PASS, lines


def _fixes(vuln):
    return ", ".join(vuln.get("fix_versions") or ["?"])


def run(pip_audit, lock, service):
    """Run pip-audit once against ``lock``; return (returncode, report or None, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        result = subprocess.run(  # noqa: S603 - our own tool and arguments
            [pip_audit, "--requirement", lock, "--no-deps", "--disable-pip",
             "--vulnerability-service", service, "--progress-spinner", "off",
             "--format", "json", "--output", str(out)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return result.returncode, report, result.stdout + result.stderr


def main(pip_audit, lock):
    for service in SERVICES:
        verdict, lines = judge(*run(pip_audit, lock, service))
        print(f"pip-audit ({service} service): {verdict}")
        for line in lines:
            print(f"  {line}")
        if verdict in (PASS, VULNERABLE, BROKEN):
            break
    if verdict == VULNERABLE:
        print("FAILED: upgrade the packages above (pyproject.toml ranges), then `make lock`.")
        return 1
    if verdict == BROKEN:
        print("FAILED: pip-audit could not run; see above.")
        return 2
    if verdict == UNREACHABLE:
        print(
            "WARNING: dependencies NOT AUDITED: no vulnerability service could be reached "
            "from this network. Not failing the build for a network error; run "
            "`make audit` where PyPI's JSON API or OSV is reachable."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
