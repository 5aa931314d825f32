"""Which Lighthouse reports are a failed trace, run again (.ci/node/trace-failure.mjs).

The reports here are the parts the function reads, in the shapes Lighthouse writes them
(its report format: ``runtimeError``, ``audits`` with ``scoreDisplayMode`` and
``errorMessage``); the messages are written for these tests.
"""

import json
import subprocess

from tests import validators

CODES = ["NO_TRACING_STARTED", "NO_NAVSTART", "NO_FMP"]
TRACE_MESSAGE = "The trace of the page load was not recorded; run again. (NO_NAVSTART)"


def trace_failure(lhr):
    """What ``traceFailure(lhr, CODES)`` answers, run by node (None for undefined)."""
    script = (
        f"import {{traceFailure}} from {json.dumps(validators.TRACE_FAILURE.as_uri())};"
        f"const code = traceFailure({json.dumps(lhr)}, {json.dumps(CODES)});"
        "process.stdout.write(JSON.stringify(code ?? null));"
    )
    done = subprocess.run(  # noqa: S603 - our own script
        [validators.node(), "--input-type=module", "-e", script],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def audit(mode="numeric", message=None):
    return {
        "scoreDisplayMode": mode,
        "score": None if mode == "error" else 1,
        "errorMessage": message,
    }


def test_a_runtime_error_of_a_trace_code_is_run_again():
    assert trace_failure({"runtimeError": {"code": "NO_FMP"}, "audits": {}}) == "NO_FMP"


def test_audits_in_error_for_a_trace_code_without_runtime_error_are_run_again():
    report = {
        "audits": {
            "first-contentful-paint": audit("error", TRACE_MESSAGE),
            "speed-index": audit("error", TRACE_MESSAGE),
            "doctype": audit(),
        }
    }
    assert trace_failure(report) == "NO_NAVSTART"


def test_a_report_whose_audits_ran_is_not_run_again():
    assert trace_failure({"audits": {"doctype": audit(), "viewport": audit("binary")}}) is None


def test_other_errors_are_findings_not_run_again():
    report = {
        "runtimeError": {"code": "ERRORED_DOCUMENT_REQUEST"},
        "audits": {
            "image-alt": audit("error", "The gatherer failed on this page. (SOME_OTHER_CODE)"),
            # A trace code in the middle of a message is not the code Lighthouse ends with.
            "doctype": audit("error", "NO_NAVSTART was mentioned but this is not a trace fault."),
        },
    }
    assert trace_failure(report) is None
