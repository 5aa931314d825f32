"""The suite's kept fixtures (``tests.demo_state.FixtureRows``): a module's shelf made by its
factories once per process and put back for each test."""

import pytest
from django.db import transaction

from papers.models import Author, Paper
from tests.demo_state import FixtureRows
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    builds = []

    def build():
        builds.append(1)
        author = AuthorFactory(name="Kept Author")
        return {"paper": PaperFactory(title="Kept", tags=["vision"], authors=[author])}

    rows = FixtureRows(build)
    rows.take()
    return rows, builds


def test_kept_rows_come_back_in_each_test_with_objects_of_its_own(kept):
    rows, builds = kept
    assert not Paper.objects.exists()  # take() left nothing behind
    for _ in range(2):  # two tests, each in its own transaction
        with transaction.atomic():
            value = rows.restore()
            paper = Paper.objects.get()
            assert value["paper"].pk == paper.pk
            assert value["paper"].title == paper.title == "Kept"  # not the last test's change
            assert list(paper.tags.names()) == ["vision"]
            assert [a.name for a in paper.ordered_authors()] == ["Kept Author"]
            assert paper.search_text  # the document the save wrote
            value["paper"].title = "Changed by a test"
            transaction.set_rollback(True)
    assert builds == [1]


def test_a_database_with_other_rows_gets_the_factories_own_rows(kept):
    rows, builds = kept
    AuthorFactory(name="Someone first")  # a fixture of the test made a row first
    value = rows.restore()
    assert builds == [1, 1]
    assert Paper.objects.get().pk == value["paper"].pk
    assert Author.objects.count() == 2
