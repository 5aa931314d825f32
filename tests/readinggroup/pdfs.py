"""Real and hostile PDF files for the slide tests, built in memory.

``pdf_bytes`` uses Pillow (as the demo does). The hostile ones are written object by
object so each is exactly what its name says: encrypted with the standard security
handler (RC4, revision 2, as in the PDF 1.7 specification, §7.6.3), or holding a
Flate-compressed image whose pixels would need hundreds of megabytes once decoded.
"""

import hashlib
import io
import struct
import time
import zlib

from PIL import Image, ImageDraw

# Pillow stamps a PDF with the current second; the same drawing is the same file, so the
# checker's verdict for it is reused within a test (readinggroup/pdf.py keeps a few).
_FIXED_DATE = time.gmtime(1_700_000_000)

_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def pdf_bytes(pages=1, size=(640, 360), color=(31, 95, 168), text="Slide"):
    """A real PDF of ``pages`` pages drawn with Pillow."""
    images = []
    for number in range(1, pages + 1):
        image = Image.new("RGB", size, color)
        ImageDraw.Draw(image).text((20, 20), f"{text} {number}", fill=(255, 255, 255))
        images.append(image)
    out = io.BytesIO()
    images[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=72.0,
        creationDate=_FIXED_DATE,
        modDate=_FIXED_DATE,
    )
    return out.getvalue()


def build_pdf(objects, trailer_extra=b""):
    """A PDF whose object ``n`` has the body ``objects[n - 1]``, with a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(dictionary, data):
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _rc4(key, data):
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password=b"", owner_password=b"organiser"):
    """A one-page PDF encrypted with RC4-40; an empty user password opens it without asking."""
    file_id = b"papershelf-tests"
    permissions = -44  # print and copy refused: what "protected" slide exports set

    def pad(password):
        return (password + _PASSWORD_PAD)[:32]

    owner_entry = _rc4(hashlib.md5(pad(owner_password)).digest()[:5], pad(user_password))  # noqa: S324
    key = hashlib.md5(  # noqa: S324 - the PDF standard security handler is MD5/RC4
        pad(user_password) + owner_entry + struct.pack("<i", permissions) + file_id
    ).digest()[:5]
    user_entry = _rc4(key, _PASSWORD_PAD)
    content = b"BT /F1 24 Tf 72 300 Td (Confidential slides) Tj ET"
    object_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()  # noqa: S324
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(b"", _rc4(object_key[:10], content)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner_entry.hex().encode(), user_entry.hex().encode(), permissions),
    ]
    trailer = b"/Encrypt 6 0 R /ID [<%s> <%s>]" % (file_id.hex().encode(), file_id.hex().encode())
    return build_pdf(objects, trailer)


def image_bomb_pdf(side=12_000):
    """One page showing a ``side`` × ``side`` RGB image: about 430 MB decoded, 0.4 MB stored."""
    compressed = deflated_repeats(b"\0" * (side * 3 * 64), side // 64)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        _stream(b"", b"q 640 0 0 360 0 0 cm /Im1 Do Q"),
        _stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side),
            compressed,
        ),
    ]
    return build_pdf(objects)


def deflated_repeats(block, count):
    """zlib data of ``block`` repeated ``count`` times (what FlateDecode inflates), from
    ``block`` compressed once. A full flush after each repeat makes it refer to nothing
    before it, so every repeat after the first is the same bytes, copied; the checksum is
    the whole data's. Compressing the hundreds of megabytes took 1.3-1.7 s of CPU per
    file (the image bomb, the inflating stream): 0.15 s now, for a file as small."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.flush()[:-4]  # the final empty block, without its two-repeat checksum
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    return first + repeat * (count - 1) + last + checksum.to_bytes(4, "big")


def text_pdf(text=b"Hello"):
    """A hand-written one-page PDF with a line of text (no Pillow involved)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(b"", b"BT /F1 24 Tf 72 300 Td (" + text + b") Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return build_pdf(objects)


def build_pdf_compressed(objects, compressed):
    """Like ``build_pdf``, as PDF 1.5 writers do: the objects numbered in ``compressed``
    (none of them streams) sit Flate-compressed in one object stream, and the
    cross-reference table is itself a compressed stream. No byte search sees them."""
    objstm, xref_number = len(objects) + 1, len(objects) + 2
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    entries = {0: (0, 0, 65535)}
    header, body = b"", b""
    for index, number in enumerate(sorted(compressed)):
        header += b"%d %d " % (number, len(body))
        body += objects[number - 1] + b"\n"
        entries[number] = (2, objstm, index)
    for number, obj in enumerate(objects, start=1):
        if number not in compressed:
            entries[number] = (1, len(out), 0)
            out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    entries[objstm] = (1, len(out), 0)
    packed = zlib.compress(header + body)
    out += b"%d 0 obj\n" % objstm + _stream(
        b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(compressed), len(header)),
        packed,
    )
    out += b"\nendobj\n"
    entries[xref_number] = (1, len(out), 0)
    rows = b"".join(struct.pack(">BIH", *entries[n]) for n in range(xref_number + 1))
    out += b"%d 0 obj\n" % xref_number + _stream(
        b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (xref_number + 1),
        zlib.compress(rows),
    )
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[xref_number][1]
    return bytes(out)


def slide_pdf(catalog=b"", page=b"", extra=(), compressed=False):
    """A one-page PDF with text, plus ``catalog`` and ``page`` entries and ``extra`` objects
    (numbered from 6). ``compressed``: the non-stream objects go into an object stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
        _stream(b"", b"BT /F1 24 Tf 72 300 Td (Slide) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    if not compressed:
        return build_pdf(objects)
    plain = {n for n, body in enumerate(objects, start=1) if b"stream" not in body}
    return build_pdf_compressed(objects, plain)


def _pages_sharing(compressed_content, pages):
    """A PDF of ``pages`` pages whose /Contents is the same Flate stream."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(b"/Filter /FlateDecode", compressed_content),
        b"<< >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 3 0 R /Resources 4 0 R >>"
    ] * pages
    return build_pdf(objects)


def shared_stream_pdf(pages=100, segments=460_000, paint=b"S"):
    """``pages`` pages that all draw one content stream of ``segments`` random tiny line
    segments (about 1 byte each once compressed): a ~475 KB file, and about a second of
    parsing for each page that is opened."""
    import itertools
    import random

    rng = random.Random(7)
    lines = [b"%d %d m %d %d l %s\n" % (*xy, paint) for xy in itertools.product((0, 1), repeat=4)]
    data = zlib.compress(b"".join(rng.choices(lines, k=segments)), 6)
    return _pages_sharing(bytes(data), pages)


def inflating_stream_pdf(pages=100, decoded=200_000_000):
    """Like ``shared_stream_pdf`` but one repeated operator: a ~200 KB file whose page
    content inflates to ``decoded`` bytes, millions of operators."""
    block = b"0 0 m 1 1 l n\n" * 100_000
    return _pages_sharing(deflated_repeats(block, decoded // len(block)), pages)
