"""Reading a notes file before it is parsed: its size, encoding and format, and the
suffixes that make an upload a notes file.

Apart from the importer (``importer.py``) so that the modules every process loads (the
upload form, the repository reader that blog registers a handler with) can tell and check
a notes file without importing the parsers (markdown-it, orgparse, YAML: 0.3-0.4 s of CPU).
"""

import re
from pathlib import Path

NOTES_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".org"}

MAX_NOTES_BYTES = 5 * 1024 * 1024
# Parsing is linear but not free (about 0.1 ms a line): a longer file is refused up
# front with a clear message rather than tying up a request or a worker.
MAX_NOTES_LINES = 50_000


class NotesInputError(ValueError):
    """The document as a whole cannot be read."""


def read_notes_bytes(data, max_bytes=MAX_NOTES_BYTES):
    """Decode a notes file, or raise ``NotesInputError`` saying what is wrong."""
    if len(data) > max_bytes:
        raise NotesInputError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes // 2**20} MB."
        )
    if not data.strip():
        raise NotesInputError("The file is empty: there is nothing to import.")
    if b"\x00" in data:
        raise NotesInputError("This is a binary file, not a Markdown or org-mode text.")
    lines = data.count(b"\n") + 1
    if lines > MAX_NOTES_LINES:
        raise NotesInputError(
            f"The file has {lines:,} lines; the limit is {MAX_NOTES_LINES:,}. Split it and "
            "import the parts."
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise NotesInputError(
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at line {line})."
        ) from None


def detect_format(path, text):
    """``"org"`` or ``"markdown"``, from the file name, else from the content."""
    suffix = Path(str(path or "")).suffix.lower()
    if suffix == ".org":
        return "org"
    if suffix in (".md", ".markdown", ".mdown", ".mkd"):
        return "markdown"
    org_signs = re.search(r"^(?:\*+ |#\+\w+:)", text, re.M) and "[[" in text
    return "org" if org_signs else "markdown"
