"""The slides checker's verdicts kept for a test process (tests/conftest.py
``_slides_checker_verdicts``): a file checked again under the same limits starts no second
checker, and whatever a test changes about the check runs it afresh."""

import resource
import uuid

import pytest

from readinggroup import pdf
from tests.readinggroup.pdfs import encrypted_pdf, pdf_bytes


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fresh_deck():
    """A deck no other test of this process has checked."""
    return pdf_bytes(1, text=uuid.uuid4().hex)


def _forget_the_sites_verdicts():
    """What ``_empty_cache`` does before each test."""
    with pdf._verdicts_lock:
        pdf._verdicts.clear()


def _check(data):
    """The checker's cover for ``data``, or the refusal's code; and the CPU of the children
    this process waited for meanwhile (the checker, when one ran)."""
    before = _children_cpu()
    try:
        verdict = pdf.checked_cover(data)
    except pdf.SlidesError as error:
        verdict = error.code
    return verdict, _children_cpu() - before


def test_a_deck_checked_again_in_a_later_test_starts_no_second_checker():
    data = _fresh_deck()
    cover, spent = _check(data)
    assert cover.startswith(b"\x89PNG") and spent > 0
    _forget_the_sites_verdicts()
    assert _check(data) == (cover, 0)


def test_a_refusal_for_what_the_file_holds_is_kept_with_its_reason():
    data = encrypted_pdf(owner_password=uuid.uuid4().hex.encode())
    first, _ = _check(data)
    assert first == "encrypted"
    _forget_the_sites_verdicts()
    assert _check(data) == ("encrypted", 0)


def test_other_limits_another_timeout_or_a_replaced_process_run_the_checker_again(
    monkeypatch,
):
    data = _fresh_deck()
    cover, _ = _check(data)

    monkeypatch.setattr(pdf, "CHECK_CPU_SECONDS", pdf.CHECK_CPU_SECONDS + 1)
    _forget_the_sites_verdicts()
    again, spent = _check(data)
    assert again == cover and spent > 0

    _forget_the_sites_verdicts()
    before = _children_cpu()
    assert pdf.checked_cover(data, timeout=pdf.JOB_CHECK_TIMEOUT_SECONDS + 1) == cover
    assert _children_cpu() > before

    started, real_run = [], pdf.subprocess.run

    def run(*args, **kwargs):
        started.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(pdf.subprocess, "run", run)
    _forget_the_sites_verdicts()
    assert pdf.checked_cover(data) == cover
    assert len(started) == 1


def test_running_out_of_time_is_not_kept(monkeypatch, _slides_checker_verdicts):
    monkeypatch.setattr(pdf, "CHECK_TIMEOUT_SECONDS", 0.01)
    data = _fresh_deck()
    with pytest.raises(pdf.SlidesError) as caught:
        pdf.checked_cover(data)
    assert caught.value.code == "too_complex"
    assert not any(key[1] == 0.01 for key in _slides_checker_verdicts)
