"""Property tests (hypothesis): whatever a user types or uploads, parsers fail only as documented.

Examples are bounded so the suite stays fast; a failure prints the smallest input found.
"""

import contextlib
import io
import os
import re
import struct
import zlib
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from papers.identifiers import normalize_arxiv_id, normalize_doi, parse_arxiv_id
from papers.site.images import reencode_image
from papers.site.markdown import render_markdown, sanitize_html
from tests.factories import png_bytes

# The suite replays the same 150 examples each run (derandomize: CI never flakes on a
# new random find). To hunt for bugs, run e.g. HYPOTHESIS_EXAMPLES=3000: random inputs.
_EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "0"))
FAST = settings(
    max_examples=_EXAMPLES or 150,
    derandomize=not _EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- the Markdown renderer ------------------------------------------------------------

# Pieces that exercise every extension and every sanitiser rule, mixed with free text.
MARKDOWN_PIECES = [
    "# ", "## ", "\n", "\n\n", "*", "**", "_", "`", "```", "```python\n", "~~~", "~~",
    "> ", "- ", "1. ", "| a | b |\n|--:|:-:|\n", "|", "[", "]", "(", ")", "![", "](",
    "[^1]", "[^1]: ", "$", "$$", "\\(", "\\[", "\\frac{a}{b}", "\\sqrt{", "^", "_{", "}",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:", "<a href='",
    "<math>", "<mi>", "</math>", "<svg onload=x>", "<style>", "&amp;", "&#x3c;", "&",
    "<", ">", '"', "'", "\\", "\t", "    ", "\x00", "\u202e", "机器学习", "<!--", "-->",
    "<details><summary>", "</details>", "<table>", "<td style='color:red'>", "---",
]  # fmt: skip
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=12)), max_size=40
).map("".join)


# Database allowed: a generated "[[…]]" is a wiki-link, which looks its paper up.
@pytest.mark.django_db
@FAST
@given(markdown_text)
@example("| a | b |\n|--:|:-:|\n| <b>1</b> | $x$ |")
@example("$$\\begin{matrix} a \\end{matrix}$$ and <math><mi>x</mi></math>")
def test_renderer_never_raises_and_its_output_is_already_clean(text):
    html = render_markdown(text)
    assert isinstance(html, str)
    # Sanitising again changes nothing but the one attribute the renderer adds after the
    # sanitiser (tabindex="0" on code and display math, for keyboards): the rest of what it
    # emits is inside the allowlist.
    assert sanitize_html(html) == html.replace(' tabindex="0"', "")
    for tag, attributes in _tags(html):
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "form"}
        for name, value in attributes:
            assert not name.startswith("on") and name != "style", (tag, name)
            if name in {"href", "src"}:
                assert _scheme(value) in {None, "http", "https", "mailto"}, value


def _scheme(url):
    """The URL scheme as a browser reads it (leading controls and blanks, tabs and
    newlines anywhere are ignored), or ``None`` for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", re.sub(r"^[\x00-\x20]+", "", url or ""))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def _tags(html):
    """(tag, attributes) of every start tag, as a browser's parser would see them."""
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Parser().feed(html)
    return found


# --- identifiers ----------------------------------------------------------------------

identifier_text = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"(arxiv:|https?://arxiv\.org/(abs|pdf)/)?\d{4}\.\d{4,6}(v\d{1,3})?", fullmatch=True),
    st.from_regex(r"(doi:|https?://(dx\.)?doi\.org/)?10\.\d{1,10}/\S{0,20}", fullmatch=True),
)  # fmt: skip


@FAST
@given(identifier_text)
def test_identifier_parsers_raise_only_validation_error(value):
    parsed = parse_arxiv_id(value)
    assert parsed is None or (isinstance(parsed[0], str) and 1 <= parsed[2] <= 12)
    for normalize in (normalize_arxiv_id, normalize_doi):
        try:
            result = normalize(value)
        except ValidationError:
            continue
        assert isinstance(result, str) and result == result.strip()
        assert normalize(result) == result  # normalising twice gives the same id


# --- uploaded images --------------------------------------------------------------------


def _jpeg_bytes():
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 200, 30)).save(out, "JPEG")
    return out.getvalue()


def _png_with_huge_header():
    """A PNG whose header claims 100000 × 100000 pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + ihdr


SEEDS = [png_bytes(), _jpeg_bytes(), _png_with_huge_header(), b"GIF89a", b"<svg/>"]


@st.composite
def damaged_images(draw):
    """A real PNG or JPEG with bytes flipped, cut short or spliced: what uploads break into."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        data += draw(st.binary(max_size=64))
    return bytes(data)


@FAST
@given(st.one_of(damaged_images(), st.binary(max_size=256)))
def test_reencode_image_returns_an_image_or_raises_validation_error(data):
    upload = SimpleUploadedFile("upload.png", data, content_type="image/png")
    try:
        clean = reencode_image(upload)
    except ValidationError as error:
        assert error.messages and all(isinstance(m, str) for m in error.messages)
        return
    with Image.open(io.BytesIO(clean.read())) as image:
        assert image.format in {"PNG", "JPEG"}
        image.verify()


# --- parsers added by other issues ----------------------------------------------------
# Every parser of user files belongs here: a function, a strategy for its input, and the
# one error type its docstring promises. Add BibTeX, notes and PDF parsers as they land:
#     USER_FILE_PARSERS.append((parse_bibtex, bibtex_text, BibtexError))
USER_FILE_PARSERS = [
    (lambda data: reencode_image(SimpleUploadedFile("f", data)), damaged_images(), ValidationError),
]


@pytest.mark.parametrize(
    ("parse", "inputs", "error"),
    USER_FILE_PARSERS,
    ids=[getattr(p, "__name__", "parser") for p, _, _ in USER_FILE_PARSERS],
)
def test_user_file_parsers_raise_only_their_documented_error(parse, inputs, error):
    @FAST
    @given(inputs)
    def check(value):
        with contextlib.suppress(error):
            parse(value)

    check()
