"""The one HTTP client intake uses, and the errors its users see.

Tests (and anyone offline) swap the network out through the ``INTAKE_HTTP_TRANSPORT``
setting: an ``httpx`` transport, or the dotted path of one or of a function making one.
"""

from django.conf import settings
from django.utils.module_loading import import_string

# httpx (and what it imports: 0.1 s of CPU) is imported when a lookup is made, not by
# every process that loads the admin (a worker, a manage.py command, a test's subprocess).
TIMEOUT = {"timeout": 15.0, "connect": 5.0}


class FetchError(Exception):
    """A lookup failed; the message is written for the person who asked."""


def _transport():
    import httpx

    transport = getattr(settings, "INTAKE_HTTP_TRANSPORT", None)
    if isinstance(transport, str):
        transport = import_string(transport)
    if callable(transport) and not isinstance(transport, httpx.BaseTransport):
        transport = transport()
    return transport


def make_client():
    """An ``httpx.Client`` with timeouts and a User-Agent naming the site (Crossref asks)."""
    contact = getattr(settings, "INTAKE_CONTACT_EMAIL", "")
    agent = f"Papershelf/0.1 (+mailto:{contact})" if contact else "Papershelf/0.1"
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(**TIMEOUT),
        headers={"User-Agent": agent},
        follow_redirects=True,
        transport=_transport(),
    )


def get(client, service, url, **params):
    """GET ``url`` and return the response, or raise ``FetchError`` in plain words."""
    import httpx

    try:
        response = client.get(url, params=params or None)
    except httpx.TimeoutException:
        raise FetchError(
            f"{service} did not answer in time; it may be busy. Try again in a minute."
        ) from None
    except httpx.TransportError as error:
        raise FetchError(
            f"Could not reach {service} ({error.__class__.__name__}): is this machine offline?"
        ) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise FetchError(
            f"{service} answered with an error (HTTP {response.status_code}); try again later."
        )
    return response
