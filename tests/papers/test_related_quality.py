"""The related papers beat the shared-tag baseline on labels made from facts (links
and shared reports held out from the method)."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from papers.discovery_eval import evaluate, labelled_library, positives
from papers.related import load_library
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def _beats(summary, baseline):
    method = summary["method"]
    return (
        method["precision@5"] > summary[baseline]["precision@5"]
        and method["recall@10"] > summary[baseline]["recall@10"]
    )


def test_method_beats_shared_tags_and_random_on_the_demo(demo_loaded):
    summary = evaluate()
    print("demo", summary)  # the figures of docs/DISCOVERY.md (pytest -s)
    assert summary["queries"] >= 30
    assert _beats(summary, "shared tags")
    assert _beats(summary, "random")


def test_method_beats_shared_tags_and_random_on_a_synthetic_labelled_library():
    labelled_library(180, random.Random(1))
    summary = evaluate()
    print("synthetic", summary)  # the figures of docs/DISCOVERY.md (pytest -s)
    assert summary["queries"] >= 90
    assert _beats(summary, "shared tags")
    assert _beats(summary, "random")


def test_positives_come_from_previous_work_in_both_directions():
    a, b, c = PaperFactory(), PaperFactory(), PaperFactory()
    a.related.add(b)
    library = load_library()
    labels = positives(library)
    row = library.row
    assert labels[row[a.pk]] == {row[b.pk]}
    assert labels[row[b.pk]] == {row[a.pk]}
    assert row[c.pk] not in labels


def test_evaluate_command_on_a_synthetic_library_leaves_the_database_as_it_was():
    out = StringIO()
    call_command("related", "--evaluate", "--synthetic", "60", stdout=out)
    assert '"shared tags"' in out.getvalue()
    from papers.models import Paper

    assert not Paper.objects.exists()
