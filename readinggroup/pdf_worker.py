"""Checks an uploaded PDF and renders its first page, in a process of its own.

Run as ``python -I pdf_worker.py CPU_SECONDS MEMORY_BYTES`` with the PDF on stdin; it
writes one JSON object to stdout: ``{"cover": "<page 1 as a base64 PNG>"}`` or
``{"refused": {"message", "params", "code"}}``.

Why a process: a crafted file can make PDF parsing take minutes (100 pages sharing one
heavy content stream) or gigabytes. Here the kernel bounds it (RLIMIT_CPU, RLIMIT_AS) and
the web process bounds the wall-clock time and kills it; a web worker never hangs, never
dies, and never holds a lock on PDFium (which is not thread-safe: one document at a time
per process, and this process has one).

It imports nothing from Django or the project: its start-up is the ~0.2 s it takes to
import PDFium, pypdf and Pillow. (A fork server with those preloaded would save that,
but multiprocessing's children re-import the parent's ``__main__``: fragile and slower.)

Active content is found with a real parser, pypdf, which decodes hex-escaped names
(``/J#61vaScript``), reads object streams and compressed cross-reference tables, so it sees
what a viewer sees; PDFium's own counts of document JavaScript, attachments and XFA are a
second opinion, and the two must agree on the page count.
"""

import base64
import io
import json
import re
import resource
import sys

MAX_PAGES = 500
# PDF's own limit for a page side is 14,400 points (200 inches).
MAX_PAGE_SIDE = 14_400
# Pixels of one embedded image: a 50-megapixel photo passes, a 60,000² bomb does not.
MAX_IMAGE_PIXELS = 50_000_000
# Drawing operations on page 1, the page the server renders; slides have a few hundred.
MAX_PAGE_OBJECTS = 50_000
COVER_MAX_SIDE = 1200

# What a slide deck never needs and a hostile PDF uses to act on the reader's machine.
# Keys of a dictionary, anywhere in the file:
FORBIDDEN_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "actions that run on their own (/AA)",
    "/EmbeddedFiles": "embedded files",
    "/EF": "embedded files",
    "/XFA": "an XFA form",
    "/RichMediaContent": "rich media (/RichMedia)",
}
# The type of an action (``/S``):
FORBIDDEN_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program or opens a file (/Launch)",
    "/ImportData": "an action that imports data (/ImportData)",
    "/SubmitForm": "an action that sends form data (/SubmitForm)",
    "/GoToE": "an action that opens an embedded file (/GoToE)",
    "/Rendition": "a media action (/Rendition)",
    "/RichMediaExecute": "rich media (/RichMedia)",
}
# What a link (a /URI action) may open; javascript:, file: and the like are refused.
SAFE_LINK_SCHEMES = {"http", "https", "mailto"}
# The subtype of an annotation, or the type of an object:
FORBIDDEN_SUBTYPES = {
    "/FileAttachment": "embedded files (a file attachment)",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "rich media (/RichMedia)",
    "/Screen": "multimedia (a /Screen annotation)",
    "/Movie": "multimedia (a /Movie annotation)",
    "/Sound": "multimedia (a /Sound annotation)",
    "/3D": "a 3D model",
}


class Refused(Exception):
    def __init__(self, message, code, **params):
        super().__init__(message % params if params else message)
        self.message, self.code, self.params = message, code, params


DAMAGED = "This PDF is damaged and cannot be read. Export it again and upload the new file."


def _active_content(what):
    return Refused(
        "This PDF contains %(what)s, which slides may not carry. Export or print the slides "
        "to a new PDF without it and upload that.",
        "active_content",
        what=what,
    )


def _open(data):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Refused(
                "This PDF is password-protected. Upload a copy without a password.", "encrypted"
            ) from None
        raise Refused(DAMAGED, "unreadable") from None
    if pdfium_c.FPDF_GetSecurityHandlerRevision(document) != -1:
        raise Refused(
            "This PDF is encrypted. Upload a copy saved without encryption or restrictions.",
            "encrypted",
        )
    return document


def _check_pages(document):
    """Page count and sizes, read from the page tree: no page's content is parsed."""
    import pypdfium2.raw as pdfium_c

    count = len(document)
    if count == 0:
        raise Refused("This PDF has no pages.", "no_pages")
    if count > MAX_PAGES:
        raise Refused(
            "This PDF has %(n)d pages; slides may have at most %(max)d.",
            "too_many_pages",
            n=count,
            max=MAX_PAGES,
        )
    size = pdfium_c.FS_SIZEF()
    for index in range(count):
        if not pdfium_c.FPDF_GetPageSizeByIndexF(document, index, size):
            raise Refused(DAMAGED, "unreadable")
        if not (1 <= size.width <= MAX_PAGE_SIDE and 1 <= size.height <= MAX_PAGE_SIDE):
            raise Refused(
                "Page %(page)d measures %(w)d × %(h)d points, which no slide does.",
                "page_size",
                page=index + 1,
                w=size.width,
                h=size.height,
            )
    return count


def _check_pdfium_counts(document):
    """PDFium's own view of document-level JavaScript, attachments and XFA."""
    import pypdfium2.raw as pdfium_c

    if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document) > 0:
        raise _active_content("JavaScript")
    if pdfium_c.FPDFDoc_GetAttachmentCount(document) > 0:
        raise _active_content("embedded files")
    if pdfium_c.FPDF_GetFormType(document) in (
        pdfium_c.FORMTYPE_XFA_FULL,
        pdfium_c.FORMTYPE_XFA_FOREGROUND,
    ):
        raise _active_content("an XFA form")


def _value(dictionary, key):
    value = dictionary.get(key)  # dict.get: a reference is not resolved
    return None if value is None else value.get_object()


def _check_dictionary(dictionary):
    from pypdf.generic import ArrayObject, NameObject

    for key, what in FORBIDDEN_KEYS.items():
        if key in dictionary:
            raise _active_content(what)
    # A destination ("open at page 1, fit to the window", as LaTeX and most exporters
    # write it) is harmless; an action run on opening is refused whatever it does.
    open_action = _value(dictionary, "/OpenAction")
    if open_action is not None and not isinstance(open_action, ArrayObject):
        raise _active_content("an action that runs when it opens (/OpenAction)")
    for key, table in (("/S", FORBIDDEN_ACTIONS), ("/Subtype", FORBIDDEN_SUBTYPES)):
        value = _value(dictionary, key)
        if isinstance(value, NameObject) and value in table:
            raise _active_content(table[value])
    if _value(dictionary, "/S") == "/URI":
        target = _value(dictionary, "/URI")
        if isinstance(target, bytes):
            target = target.decode("latin-1")
        # A link without a scheme is relative to the file: harmless.
        scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", str(target or ""))
        if scheme and scheme[1].lower() not in SAFE_LINK_SCHEMES:
            what = f"a link that is not a web or mail address ({scheme[1].lower()[:20]}:)"
            raise _active_content(what)
    kind = _value(dictionary, "/Type")
    if isinstance(kind, NameObject) and kind in FORBIDDEN_SUBTYPES:
        raise _active_content(FORBIDDEN_SUBTYPES[kind])
    if _value(dictionary, "/Subtype") == "/Image":
        width, height = _value(dictionary, "/Width"), _value(dictionary, "/Height")
        if not isinstance(width, int) or not isinstance(height, int):
            raise Refused(DAMAGED, "unreadable")
        if width * height > MAX_IMAGE_PIXELS:
            raise Refused(
                "This PDF holds a %(w)d × %(h)d pixel image; images in slides may have at "
                "most %(max)d million pixels.",
                "image_bomb",
                w=width,
                h=height,
                max=MAX_IMAGE_PIXELS // 10**6,
            )


def _scan(data, page_count):
    """Every object of the file, and every object reachable from its trailer, checked.

    All objects, not only those a page uses: a viewer runs a document's JavaScript and
    open action from the catalog, and shows attachments from the names tree.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) != page_count:
            # Two parsers that disagree about a file are how content gets past a check.
            raise Refused(DAMAGED, "unreadable")
        pending = [reader.trailer]
        for generation, numbers in reader.xref.items():
            pending += [IndirectObject(n, generation, reader) for n in numbers]
        pending += [IndirectObject(n, 0, reader) for n in reader.xref_objStm]
        seen = set()
        while pending:
            obj = pending.pop()
            if isinstance(obj, IndirectObject):
                if (obj.idnum, obj.generation) in seen:
                    continue
                seen.add((obj.idnum, obj.generation))
                obj = obj.get_object()
            if isinstance(obj, DictionaryObject):  # streams too: their dictionary
                _check_dictionary(obj)
                pending += obj.values()
            elif isinstance(obj, ArrayObject):
                pending += obj
    except (Refused, MemoryError):
        raise
    except Exception:  # pypdf raises many kinds of error on a malformed file
        raise Refused(DAMAGED, "unreadable") from None


def _render_first_page(document, max_side):
    import pypdfium2.raw as pdfium_c

    page = document[0]
    try:
        if pdfium_c.FPDFPage_CountObjects(page) > MAX_PAGE_OBJECTS:
            raise Refused(
                "The first page has more than %(max)d drawing operations; simplify it.",
                "too_complex",
                max=MAX_PAGE_OBJECTS,
            )
        width, height = page.get_size()
        bitmap = page.render(scale=min(max_side / width, max_side / height), may_draw_forms=False)
        out = io.BytesIO()
        # compress_level=9: the size optimize=True gives, in a third of the time.
        bitmap.to_pil().convert("RGB").save(out, "PNG", compress_level=9)
        return out.getvalue()
    finally:
        page.close()


def check(data):
    """``{"cover": base64 PNG of page 1}`` for an acceptable PDF, or raise ``Refused``."""
    import pypdfium2 as pdfium

    document = _open(data)
    try:
        page_count = _check_pages(document)
        _check_pdfium_counts(document)
        _scan(data, page_count)
        png = _render_first_page(document, COVER_MAX_SIDE)
    except pdfium.PdfiumError:
        raise Refused(DAMAGED, "unreadable") from None
    finally:
        document.close()
    return {"cover": base64.b64encode(png).decode("ascii")}


def main(argv):
    cpu_seconds, memory_bytes = int(argv[1]), int(argv[2])
    # Set before anything is read or imported: the limits cover all the work.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.setrecursionlimit(10_000)
    data = sys.stdin.buffer.read()
    try:
        result = check(data)
    except Refused as refused:
        result = {
            "refused": {"message": refused.message, "code": refused.code, "params": refused.params}
        }
    except MemoryError:
        result = {
            "refused": {
                "message": "This PDF needs too much memory to check; simplify it.",
                "code": "too_complex",
                "params": {},
            }
        }
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
