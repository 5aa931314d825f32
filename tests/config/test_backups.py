"""Backups restore to the same data: pg_dump/pg_restore, and dumpdata/loaddata with natural keys."""

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

from tests.factories import FigureFactory, PaperFactory, paper_with_everything

pytestmark = pytest.mark.django_db(transaction=True)


def tables():
    """Every table Django manages, including many-to-many tables, by model label."""
    return {
        model._meta.label: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def counts(cursor):
    found = {}
    for label, table in tables().items():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from Django
        found[label] = cursor.fetchone()[0]
    return found


@pytest.fixture
def library(editor_user, django_user_model):
    """A bit of everything: papers with authors, tags, links, a figure, users, a group."""
    for i in range(3):
        paper = paper_with_everything(tags=(f"topic-{i}", "shared"))
    FigureFactory(paper=paper)
    PaperFactory(title="Ünïcödé draft — 机器学习", status="draft", notes="$$x^2$$")
    paper.related.add(PaperFactory())
    group = Group.objects.create(name="Editors")
    group.permissions.set(Permission.objects.filter(codename__endswith="_paper"))
    editor_user.groups.add(group)
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-123")
    with connection.cursor() as cursor:
        before = counts(cursor)
    assert before["papers.Paper"] == 5 and before["papers.Figure"] == 1
    return before


def test_dumpdata_loaddata_with_natural_keys_round_trip(library, tmp_path):
    dump = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        f"--output={dump}",
        verbosity=0,
    )
    call_command("flush", "--no-input", verbosity=0)
    with connection.cursor() as cursor:
        assert counts(cursor)["papers.Paper"] == 0
    call_command("loaddata", str(dump), verbosity=0)
    with connection.cursor() as cursor:
        assert counts(cursor) == library
    # Permissions travel by name, not by id (ids may differ after flush and migrate).
    editor = apps.get_model("auth", "User").objects.get(username="writer")
    assert editor.has_perm("papers.change_paper") and editor.has_perm("papers.delete_paper")


@pytest.fixture
def restored_database():
    """An empty database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore need PostgreSQL (set DATABASE_URL)")
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: apt-get install postgresql-client")
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _connect("postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _connect(dbname):
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


def _pg_env():
    s = connection.settings_dict
    env = dict(os.environ, PGHOST=s["HOST"] or "127.0.0.1", PGPORT=str(s["PORT"] or 5432))
    env["PGUSER"] = s["USER"]
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def test_pg_dump_pg_restore_round_trip(library, restored_database, tmp_path):
    dump = Path(tmp_path) / "papershelf.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(  # noqa: S603
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source],  # noqa: S607
        check=True, env=_pg_env(), capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_database}", str(dump)],  # noqa: S607
        check=True, env=_pg_env(), capture_output=True, timeout=120,
    )  # fmt: skip
    with _connect(restored_database) as restored, restored.cursor() as cursor:
        assert counts(cursor) == library
        # Sequences come back too: the next paper gets a fresh id, not a clash.
        cursor.execute(
            "SELECT MAX(id), nextval(pg_get_serial_sequence('papers_paper', 'id')) FROM papers_paper"
        )
        highest, following = cursor.fetchone()
        assert following > highest
