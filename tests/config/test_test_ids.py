"""Every collected test has an id of its own: pytest-xdist (``make test``) hands out tests
by id, and of two tests sharing one only the first runs (tests/conftest.py)."""

import pytest
from _pytest.nodeid import NodeId

from tests.conftest import _give_schemathesis_items_their_own_ids, _refuse_duplicate_ids


class _Item:
    """What the two checks read of a collected item: its name, original name and id."""

    def __init__(self, name, originalname, nodeid):
        self.name, self.originalname = name, originalname
        self._id = NodeId.parse(nodeid)
        self.parent = type("Parent", (), {"id": NodeId.parse(nodeid.rsplit("::", 1)[0])})()

    @property
    def nodeid(self):
        return str(self._id)


def _schemathesis_items():
    """Two operations as schemathesis 4 names them under pytest 9: both ids the same."""
    module = "tests/config/test_api_schema.py"
    return [
        _Item(f"test_api[GET /api/{path}]", "test_api", f"{module}::test_api")
        for path in ("papers/{slug}", "tags")
    ]


def test_each_api_operation_gets_its_name_as_its_id():
    items = _schemathesis_items()
    _give_schemathesis_items_their_own_ids(items)
    assert [item.nodeid for item in items] == [
        "tests/config/test_api_schema.py::test_api[GET /api/papers/{slug}]",
        "tests/config/test_api_schema.py::test_api[GET /api/tags]",
    ]
    _refuse_duplicate_ids(items)  # no longer two tests under one id


def test_an_ordinary_parametrized_id_is_left_as_pytest_made_it():
    item = _Item("test_x[a-1]", "test_x", "tests/test_m.py::test_x[a-1]")
    _give_schemathesis_items_their_own_ids([item])
    assert item.nodeid == "tests/test_m.py::test_x[a-1]"


def test_two_tests_under_one_id_stop_the_run():
    with pytest.raises(pytest.UsageError, match="test_api_schema.py::test_api"):
        _refuse_duplicate_ids(_schemathesis_items())
