"""A batch raises the garbage collector's thresholds while it runs, then restores them."""

import gc

import pytest

from papers.intake.batch import BATCH_GC_THRESHOLDS, run_batch

pytestmark = pytest.mark.django_db


def test_a_batch_collects_less_often_and_restores_the_thresholds_even_when_it_fails():
    before = gc.get_threshold()
    seen = []

    def then(report, stored_files, steps):
        seen.append(gc.get_threshold())
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        run_batch([], then=then)
    assert seen == [BATCH_GC_THRESHOLDS]
    assert gc.get_threshold() == before
