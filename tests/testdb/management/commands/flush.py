"""Django's ``flush``, for the test settings: the flush after a transactional test keeps
the content types and permissions when they are the ones ``post_migrate`` made.

A transactional test (``transaction=True``, a live server, a real worker: ~106 of them)
ends with ``flush``: every table emptied, then ``post_migrate`` makes the content types
and permissions again (the only rows it makes: tests/config/test_flush_after_tests.py
checks that). Deleting those ~300 rows (each checked against the tables that refer to
them), asking ~100 queries whether each exists and inserting them again cost ~60 ms of
PostgreSQL's CPU and ~85 ms of the test's per flush, five times what emptying the tables
a test fills costs. So when both tables hold exactly the rows, ids included, that
``post_migrate`` left at this process's last flush of that database, they are left as
they are and ``post_migrate``, which would find every row there and make none, is not
sent; every other table is emptied as Django's flush empties it. Anything else — a test
that added, removed or changed a permission or a content type, the first flush of a
process, ``manage.py flush`` with its defaults, the flushes that reset sequences, cascade
or send no ``post_migrate`` — is Django's own flush. The one difference: those rows keep
their ids instead of taking new ones, which nothing could know beforehand.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import connections

KEPT_MODELS = (ContentType, Permission)

# {(alias, database name): the rows of KEPT_MODELS as post_migrate left them at this
# process's last flush after a test of that database}
_made_by_post_migrate = {}


def _rows(alias):
    return [
        list(model._base_manager.using(alias).order_by("pk").values_list()) for model in KEPT_MODELS
    ]


class Command(flush.Command):
    def handle(self, **options):
        alias = options["database"]
        connection = connections[alias]
        key = alias, connection.settings_dict["NAME"]
        as_after_a_test = not (
            options["interactive"]
            or options.get("reset_sequences", True)
            or options.get("allow_cascade", False)
            or options.get("inhibit_post_migrate", False)
        )
        made = _made_by_post_migrate.get(key)
        if as_after_a_test and made is not None and made == _rows(alias):
            kept = {model._meta.db_table for model in KEPT_MODELS}
            tables = [
                table
                for table in connection.introspection.django_table_names(
                    only_existing=True, include_views=False
                )
                if table not in kept
            ]
            connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
            return
        super().handle(**options)
        if as_after_a_test:
            _made_by_post_migrate[key] = _rows(alias)
