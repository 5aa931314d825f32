"""Every collected test has an id of its own: pytest-xdist (``make test``) hands out tests
by id, and of two tests sharing one only the first runs (tests/conftest.py)."""

import pytest
from _pytest.nodeid import NodeId

from tests.conftest import _refuse_duplicate_ids


class _Item:
    """What the check reads of a collected item: its id."""

    def __init__(self, nodeid):
        self._id = NodeId.parse(nodeid)

    @property
    def nodeid(self):
        return str(self._id)


def test_two_tests_under_one_id_stop_the_run():
    module = "tests/config/test_api_schema.py"
    items = [_Item(f"{module}::test_api"), _Item(f"{module}::test_api")]
    with pytest.raises(pytest.UsageError, match="test_api_schema.py::test_api"):
        _refuse_duplicate_ids(items)


def test_tests_with_their_own_ids_run():
    _refuse_duplicate_ids(
        [_Item("tests/test_m.py::test_x[a-1]"), _Item("tests/test_m.py::test_x[a-2]")]
    )
