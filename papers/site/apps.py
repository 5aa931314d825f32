import atexit
import gc

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """An app so that Django finds the site-wide commands (management/commands/)."""

    name = "papers.site"
    label = "site"
    verbose_name = "Site"

    def ready(self):
        # At exit, Python's last garbage collections walk every object the process still
        # holds: for one that loaded the project, 0.3 s of CPU (a command, a gunicorn or job
        # worker stopped, each `manage.py` a test starts; docs/PERFORMANCE.md). Frozen, they
        # are skipped; refcounted objects are still freed, cyclic garbage goes with the
        # process's memory. Nothing changes while the process runs.
        atexit.register(gc.freeze)
