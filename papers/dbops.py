"""Migration operations that only run on PostgreSQL.

GIN indexes, pg_trgm and tsvector indexes exist only there; on SQLite (development,
tests) the operation still updates the migration state, so ``makemigrations --check``
sees the models and migrations agree, but touches no table.
"""

from django.db.migrations.operations.base import Operation


class PostgresOnly(Operation):
    """Wrap ``operation`` so that its database work happens on PostgreSQL only."""

    reduces_to_sql = False

    def __init__(self, operation):
        self.operation = operation
        self.reversible = operation.reversible

    def deconstruct(self):
        return ("papers.dbops.PostgresOnly", [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.operation.migration_name_fragment
