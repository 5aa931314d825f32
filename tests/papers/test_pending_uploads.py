"""Kept uploads (papers/pending.py): only our own signed names are ever read; old ones go."""

import os
import time
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command

from papers import pending


def test_a_kept_file_comes_back_with_its_bytes_under_a_neutral_name(_media_root):
    token = pending.keep(ContentFile(b"%PDF-1.4 data", name="../../evil name.pdf"), "pdf")
    kept = pending.take(token, "pdf")
    assert kept.read() == b"%PDF-1.4 data" and kept.name == "upload.pdf"
    stored = list((_media_root / "pending").iterdir())
    assert len(stored) == 1 and "evil" not in stored[0].name


def test_a_token_for_another_extension_is_refused(_media_root):
    token = pending.keep(ContentFile(b"png bytes", name="x.png"), "png")
    with pytest.raises(ValidationError):
        pending.take(token, "pdf")


def test_discard_removes_the_file_and_ignores_a_forged_token(_media_root):
    token = pending.keep(ContentFile(b"x", name="x.pdf"), "pdf")
    pending.discard("pending/../../x.pdf:forged", "pdf")
    assert len(list((_media_root / "pending").iterdir())) == 1
    pending.discard(token, "pdf")
    assert list((_media_root / "pending").iterdir()) == []


def test_purge_deletes_only_kept_files_older_than_their_tokens(_media_root):
    old = pending.keep(ContentFile(b"old", name="a.pdf"), "pdf")
    pending.keep(ContentFile(b"new", name="b.pdf"), "pdf")
    old_path = _media_root / pending._name_of(old, "pdf")
    long_ago = time.time() - pending.MAX_AGE - 3600
    os.utime(old_path, (long_ago, long_ago))
    out = StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "1 expired pending upload(s) deleted." in out.getvalue()
    assert not old_path.exists()
    assert len(list((_media_root / "pending").iterdir())) == 1


def test_purge_with_nothing_kept_says_so(_media_root):
    out = StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "0 expired pending upload(s) deleted." in out.getvalue()
