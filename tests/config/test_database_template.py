"""The per-worker PostgreSQL test databases of a parallel run (tests/database_template.py)."""

import json

from django.db import connection

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
