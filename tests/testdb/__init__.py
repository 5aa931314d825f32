"""The test database's own commands (installed by tests/settings.py only)."""
