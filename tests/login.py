"""A test client logged in for one statement (the session row), not ``force_login``'s 18.

``Client.force_login`` saves an empty session (the ``client.session`` it checks first),
then ``django.contrib.auth.login`` cycles the key of a new one (a read, an existence check,
the row, a delete), sends ``user_logged_in`` (django-axes reads the user's attempts twice
and writes an access-log row; ``last_login`` is updated) and the session is saved again:
18 statements, 6 of them savepoints, for each of the suite's ~600 logged-in clients.
A fixture that only needs "this client is this user" writes the session ``login()``
leaves: the same three keys, the same cookie. Tests of logging in itself (the form,
axes, the session's key cycling) log in through the login page or ``force_login``.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.http import HttpRequest
from django.utils.crypto import get_random_string


def log_in(client, user):
    """``client.force_login(user)`` for a client with no session yet, in one INSERT."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    if settings.SESSION_COOKIE_NAME in client.cookies or not hasattr(
        store, "create_model_instance"
    ):
        client.force_login(user)  # its session's data is kept (login() cycles the key)
        return
    backend = client._get_backend()
    user.backend = backend
    store.update(
        {
            SESSION_KEY: user._meta.pk.value_to_string(user),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    # A key as the store makes one (32 characters of its alphabet), without the read that
    # checks it is unused: a collision is as likely as two random 166-bit numbers meeting.
    store._session_key = get_random_string(32, VALID_KEY_CHARS)
    # force_insert: one INSERT, no savepoint (a model without parents saves outside one).
    store.create_model_instance(store._get_session(no_load=True)).save(force_insert=True)
    request = HttpRequest()
    request.session = store
    client._set_login_cookies(request)
