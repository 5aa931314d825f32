"""The per-worker test databases of a parallel run (tests/database_template.py)."""

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import database_template


def test_the_workers_are_told_their_copies_before_the_template_is_dropped(monkeypatch, tmp_path):
    # The drop waits for a checkpoint on the server: the workers must not wait for it too.
    # Django's creation steps are recorded here; the real ones run in every parallel run.
    status, steps = tmp_path / "status.json", []
    creation = connection.creation
    monkeypatch.setattr(creation, "create_test_db", lambda **kw: steps.append("create"))
    monkeypatch.setattr(
        creation, "clone_test_db", lambda suffix, **kw: steps.append(f"copy {suffix}")
    )
    monkeypatch.setattr(
        creation, "get_test_db_clone_settings", lambda suffix: {"NAME": f"test_x_{suffix}"}
    )
    monkeypatch.setattr(
        creation, "destroy_test_db", lambda **kw: steps.append(("drop", status.exists()))
    )
    database_template._make_copies(status, ["gw0", "gw1"])
    assert steps == ["create", "copy gw0", "copy gw1", ("drop", True)]
    assert json.loads(status.read_text()) == {"databases": ["test_x_gw0", "test_x_gw1"]}


def test_on_sqlite_one_file_is_migrated_and_closed_before_the_workers_are_told(tmp_path):
    # Closed first: the last connection's close moves the WAL file's pages into the file the
    # workers copy. Django's creation step is recorded here; the real one runs in every
    # parallel SQLite run.
    status, steps = tmp_path / "status.json", []
    fake = SimpleNamespace(settings_dict={"TEST": {"NAME": "the worker's own"}})
    fake.creation = SimpleNamespace(
        create_test_db=lambda **kw: steps.append(("migrate", fake.settings_dict["TEST"]["NAME"]))
    )
    fake.close = lambda: steps.append(("close", status.exists()))
    database_template._make_file(status, fake)
    file = str(tmp_path / "migrated.sqlite3")
    assert steps == [("migrate", file), ("close", False)]
    assert json.loads(status.read_text()) == {"file": file}


def test_on_sqlite_a_pytest_a_test_starts_copies_the_file_too_not_a_workers_database(
    monkeypatch, tmp_path
):
    # tests/config/test_fourth_kind.py's pytest (no PYTEST_XDIST_WORKER): on SQLite it starts
    # from the run's migrated file; on PostgreSQL the copies are the workers' own.
    migrated, own = tmp_path / "migrated.sqlite3", tmp_path / "its own" / "test.sqlite3"
    migrated.write_bytes(b"the migrated database")
    own.parent.mkdir()
    status = tmp_path / "status.json"
    monkeypatch.setenv(database_template.ENV, str(status))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    status.write_text(json.dumps({"file": str(migrated)}))
    assert database_template.copy_for_this_worker(str(own))
    assert own.read_bytes() == b"the migrated database"
    status.write_text(json.dumps({"databases": ["test_x_gw0"]}))
    assert not database_template.copy_for_this_worker("test_x_gw0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert database_template.copy_for_this_worker("test_x_gw0")


@pytest.mark.django_db
def test_this_processes_test_database_has_every_migration_of_the_code_applied():
    # Made here or copied from the run's migrated database: either way, from these migrations.
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
