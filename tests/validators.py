"""Third-party checkers the suite runs: where `make validators` puts them, and when to skip.

They come from the npm registry into .ci/node (the Nu Html Checker's vnu.jar, run with
Java, and axe-core's axe.min.js, injected into Chromium). Without them the tests that use
them are skipped with the command that installs them, except in CI: .ci/run sets
REQUIRE_VALIDATORS=1 (REQUIRE_BROWSER=1 counts too), and there a missing checker fails.
"""

import os
import shutil
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parents[1] / ".ci" / "node" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# One short JVM per check: the C2 compiler never pays for itself there. Stopping at C1
# (tier 1) halves the checker's CPU (73 pages: 5.1 -> 2.2 s; one page: 2.7 -> 1.4 s) with
# the same messages; C1's larger frames overflow vnu's schema recursion at the default
# 1 MB stack, hence -Xss. The serial collector: no GC threads to start for a 1-3 s run.
VNU_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-Xss8m", "-XX:+UseSerialGC"]
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"


def required():
    return "1" in (os.environ.get("REQUIRE_VALIDATORS"), os.environ.get("REQUIRE_BROWSER"))


def need(*missing_reasons):
    """Skip (or, when the checkers are required, fail) for the first reason that is not None."""
    for reason in missing_reasons:
        if reason:
            message = f"{reason}; install with `make validators`"
            if required():
                pytest.fail(f"REQUIRE_VALIDATORS=1 but {message}")
            pytest.skip(message)


def java():
    """The java executable, after skipping/failing the test if Java or vnu.jar is missing."""
    path = shutil.which("java")
    need(
        None if path else "java is not installed (apt-get install default-jre-headless)",
        None if VNU_JAR.exists() else f"{VNU_JAR} is missing",
    )
    return path


def vnu():
    """The command that runs the Nu Html Checker, up to its options and files."""
    return [java(), *VNU_JVM_FLAGS, "-jar", str(VNU_JAR)]


def axe_script():
    """Path of axe.min.js, after skipping/failing the test if it is missing."""
    need(None if AXE_JS.exists() else f"{AXE_JS} is missing")
    return AXE_JS


LIGHTHOUSE = NODE_MODULES / "lighthouse" / "core" / "index.js"
# Lighthouse's Node API on several pages in one Chromium (tests/config/test_lighthouse.py).
LIGHTHOUSE_PAGES = NODE_MODULES.parent / "lighthouse-pages.mjs"


# Which trace-recording code spoiled a Lighthouse run, if any (run again by the script).
TRACE_FAILURE = NODE_MODULES.parent / "trace-failure.mjs"


def node():
    """The node executable, after skipping/failing the test if node is missing."""
    path = shutil.which("node")
    need(None if path else "node is not installed (apt-get install npm)")
    return path


def lighthouse():
    """``[node, .ci/node/lighthouse-pages.mjs]``, after skipping/failing the test if node or
    Lighthouse is missing."""
    node = shutil.which("node")
    need(
        None if node else "node is not installed (apt-get install npm)",
        None if LIGHTHOUSE.exists() else f"{LIGHTHOUSE} is missing",
    )
    return [node, str(LIGHTHOUSE_PAGES)]
