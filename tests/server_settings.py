"""Production settings plus one test-only URL, for servers that tests start in a subprocess."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.server_urls"
