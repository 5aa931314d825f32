"""A test-only app whose ready() registers job kinds for the queue's own tests.

Installed by tests/settings.py, so a real worker process started by a test (which loads
the same settings) knows these kinds too.
"""
