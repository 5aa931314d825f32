"""Uploads kept across a form error, so an editor never has to choose the file again.

A browser cannot put a file back into a file input, so when a form with a good upload has
an error elsewhere, the file is stored under ``pending/`` in the default storage (a random
name, never the user's) and the form carries a signed token naming it in a hidden field.
The next submission without a new file takes the file back from the token.

The token is the only thing the client sends, and it is signed (``TimestampSigner`` with
its own salt) and expires: a forged or edited token, one older than ``MAX_AGE`` or one
naming anything but a pending file of this kind is refused with a form error — a client
can never make the server read a path it chose. Files left behind by forms abandoned
after an error expire with their tokens; ``purge_pending_uploads`` removes them.
"""

import re
import uuid

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage

PREFIX = "pending/"
MAX_AGE = 24 * 60 * 60  # seconds a kept upload waits for the corrected form
_NAME = re.compile(r"^pending/[0-9a-f]{32}\.(?P<extension>[a-z0-9]{1,5})$")
_SALT = "papershelf.pending-upload"


def keep(uploaded, extension):
    """Store ``uploaded`` under ``pending/`` and return the signed token that names it."""
    uploaded.seek(0)
    name = default_storage.save(f"{PREFIX}{uuid.uuid4().hex}.{extension}", uploaded)
    return signing.TimestampSigner(salt=_SALT).sign(name)


def _name_of(token, extension):
    try:
        name = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "The file kept from your last try has expired; choose it again.", code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "The file kept from your last try cannot be found; choose it again.", code="invalid"
        ) from None
    match = _NAME.match(name)
    if not match or match.group("extension") != extension:  # signed by us for another kind
        raise ValidationError("The file kept from your last try cannot be used.", code="invalid")
    return name


def take(token, extension):
    """The kept file named by ``token`` (open, ready to assign to a FileField).

    Raises ``ValidationError`` for a forged, expired or foreign token and for a file that
    is gone; never reads anything but ``pending/<random>.<extension>``.
    """
    name = _name_of(token, extension)
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise ValidationError(
            "The file kept from your last try is gone; choose it again.", code="missing"
        ) from None
    # A plain name: the model's upload_to gives the stored file its own random name.
    return File(handle, name=f"upload.{extension}")


def discard(token, extension):
    """Delete the kept file of a valid ``token`` (after the form saved it for good)."""
    try:
        name = _name_of(token, extension)
    except ValidationError:
        return
    default_storage.delete(name)
