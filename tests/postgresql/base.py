"""The site's PostgreSQL backend (config/postgresql/) with a cheaper flush, for the tests.

A transactional test (``transaction=True``, a live server, a real worker: 97 of them) ends
with Django's flush of every table. On PostgreSQL that is one ``TRUNCATE`` of the 50
tables, which gives each table and index new files: 1.8-2.4 s per flush on the 2-core
machine at load 11, where ``DELETE FROM`` every table took 0.04-0.13 s (after a factory
paper each time; measured 4 December 2026). The database ends in the same state: every table empty, sequences not reset
(Django's flush resets them only when asked, and then this defers to Django's own). SQLite's
flush is ``DELETE`` too, so both databases now reset the same way.
"""

from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from config.postgresql import base


class DatabaseOperations(PostgresOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Django's foreign keys are DEFERRABLE (checked at commit, when every table is
        # empty), so the tables can be emptied in any order; execute_sql_flush() runs these
        # statements in one transaction.
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables
            ),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
