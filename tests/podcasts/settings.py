"""The suite's settings with the fourth kind installed: the two lines every Django app
needs, its name in INSTALLED_APPS and its URLs included (root_urls.py)."""

import os

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.podcasts"]  # noqa: F405
ROOT_URLCONF = "tests.podcasts.root_urls"

if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    # Never the test database of the pytest that started this one (same DATABASE_URL).
    _name = DATABASES["default"]["NAME"]  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{_name}_fourth_kind_{os.getpid()}"}  # noqa: F405
