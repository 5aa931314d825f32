"""A whole notes repository (a folder or a ``.zip``) in one import.

1. ``sandbox()`` copies the repository's regular files into a fresh temporary folder,
   within limits: from a folder, symlinks are left behind; a ``.zip`` is checked before
   anything is extracted (``../`` and absolute names, symlinks, encryption, entry count,
   declared sizes) and extracted in a stream that stops at the declared size. Everything
   after that reads only the sandbox, so nothing outside the repository is ever read.
2. ``scan()`` sorts the files: an *index* links local Markdown files (``[read more](x.md)``);
   a linked file is the body of the entry linking it, not a notes file of its own; other
   Markdown/org files are notes files; ``.bib`` files are libraries.
3. ``import_repository()`` parses every notes file and library into paper records
   (``parse_notes``, ``parse_bibtex``) and writes them with ``run_batch``, in one
   transaction with the *index sections*: each ``###`` section of an index is offered to
   the handlers other apps registered (``register_index_handler``; blog turns report
   sections into reports, readinggroup presentation sections into sessions). ``papers``
   never imports those apps; they build on this module.
"""

import datetime
import os
import re
import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, transaction

from papers.intake.batch import ImportReport, Problem, run_batch
from papers.intake.bibtex_import import BibtexInputError, parse_bibtex, read_bibtex_bytes
from papers.intake.duplicates import arxiv_key, doi_key
from papers.intake.notes.reading import (
    NOTES_SUFFIXES,
    NotesInputError,
    detect_format,
    read_notes_bytes,
)
from papers.intake.records import PaperRecord
from papers.intake.saving import OnExisting, Outcome
from papers.models import Paper, Status
from papers.site.images import reencode_image

MAX_FILES = 2_000  # entries of a .zip, files of a folder (that the import would read)
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # uncompressed, all files together
MAX_FILE_BYTES = 30 * 1024 * 1024  # one file (slides may be this large)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
WANTED_SUFFIXES = NOTES_SUFFIXES | IMAGE_SUFFIXES | {".bib", ".pdf"}
SKIPPED_FOLDERS = {".git", ".hg", ".svn", "node_modules", "__pycache__", "_site", ".venv"}

_LOCAL_LINK = re.compile(
    r"""\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|(?:href|src)\s*=\s*["']([^"']+)["']"""
)


class RepositoryError(ValueError):
    """The repository as a whole cannot be imported; the message says why."""


# --- 1. a safe copy ----------------------------------------------------------------------
def _wanted(name):
    return PurePosixPath(name).suffix.lower() in WANTED_SUFFIXES


def _copy_folder(source, target):
    source = Path(source)
    if not source.is_dir():
        raise RepositoryError(f"{source} is not a folder.")
    count = total = 0
    skipped = []
    for folder, dirs, files in os.walk(source, followlinks=False):
        here = Path(folder)
        keep = []
        for name in sorted(dirs):
            if name in SKIPPED_FOLDERS or (here / name).is_symlink():
                if (here / name).is_symlink():
                    skipped.append(str((here / name).relative_to(source)))
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(source)
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                # A symlink could point anywhere on the machine: never followed.
                skipped.append(str(relative))
                continue
            if not _wanted(name):
                continue
            count += 1
            total += info.st_size
            if count > MAX_FILES:
                raise RepositoryError(
                    f"The folder holds more than {MAX_FILES:,} notes, image, PDF and .bib "
                    "files; import it in parts."
                )
            _check_sizes(str(relative), info.st_size, total)
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination, follow_symlinks=False)
    return skipped


def _check_sizes(name, size, total):
    if size > MAX_FILE_BYTES:
        raise RepositoryError(
            f"{name} is {size / 2**20:.0f} MB; a file may have at most "
            f"{MAX_FILE_BYTES // 2**20} MB."
        )
    if total > MAX_TOTAL_BYTES:
        raise RepositoryError(
            f"The repository is over {MAX_TOTAL_BYTES // 2**20} MB (uncompressed); import it "
            "in parts."
        )


def _safe_member_name(info):
    """The member's relative path, or raise: no absolute, ``..``, drive or symlink."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise RepositoryError(f"The .zip holds a symbolic link ({name[:80]}); it is refused.")
    if info.flag_bits & 0x1:
        raise RepositoryError(f"The .zip is encrypted ({name[:80]}); upload it unencrypted.")
    path = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise RepositoryError(f"The .zip holds an absolute path ({name[:80]}); it is refused.")
    if ".." in path.parts:
        raise RepositoryError(
            f"The .zip holds a path that leaves its folder ({name[:80]}); it is refused."
        )
    return path


def _extract_zip(source, target):
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RepositoryError("This is not a .zip file (or it is damaged).") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_FILES:
            raise RepositoryError(
                f"The .zip has {len(members):,} entries; the limit is {MAX_FILES:,}. "
                "Import it in parts."
            )
        wanted, total = [], 0
        # Every name and declared size is checked before a single byte is extracted.
        for info in members:
            path = _safe_member_name(info)
            if info.is_dir() or not _wanted(info.filename):
                continue
            if any(part in SKIPPED_FOLDERS for part in path.parts):
                continue
            total += info.file_size
            _check_sizes(info.filename, info.file_size, total)
            wanted.append((info, path))
        for info, path in wanted:
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with archive.open(info) as stream, destination.open("wb") as out:
                    # Declared sizes can lie: the stream stops at the declared size.
                    while chunk := stream.read(64 * 1024):
                        written += len(chunk)
                        if written > info.file_size:
                            raise RepositoryError(
                                f"{info.filename[:80]} is larger than the .zip says; "
                                "the file is refused."
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
                raise RepositoryError(
                    f"{info.filename[:80]} cannot be extracted ({error}); the .zip is damaged."
                ) from None
            # The file's date in the archive is the date a session had (see readinggroup).
            moment = datetime.datetime(*info.date_time).timestamp()
            os.utime(destination, (moment, moment))
    return []


def _local_names(path, root, text):
    """The files inside ``root`` that the document ``path`` links or shows."""
    found = []
    for match in _LOCAL_LINK.finditer(text):
        target = local_target(path.parent, root, match.group(1) or match.group(2))
        if target is not None and _wanted(target.name):
            found.append(target)
    return found


def links_pages(text):
    """Whether ``text`` links local notes pages (``[read more](x.md)``): an index does,
    even when some of the pages are missing."""
    for match in _LOCAL_LINK.finditer(text):
        parts = urlsplit(match.group(1) or match.group(2))
        suffix = PurePosixPath(unquote(parts.path)).suffix.lower()
        if not parts.scheme and not parts.netloc and suffix in NOTES_SUFFIXES:
            return True
    return False


def has_local_pages(path, text):
    """Whether the notes file ``path`` links local pages that exist beside it (then
    ``import_notes FILE`` imports it as an index, with those pages)."""
    path = Path(path).resolve()
    return any(
        target.suffix.lower() in NOTES_SUFFIXES and target != path
        for target in _local_names(path, path.parent, text)
    )


def _copy_index(index, target):
    """An index file, the files it names and the files its linked pages name — not the
    rest of its folder (which may be anything, a home folder even)."""
    root = Path(index).resolve().parent
    todo, copied, total = [(Path(index).resolve(), 0)], set(), 0
    while todo:
        path, depth = todo.pop()
        if path in copied:
            continue
        copied.add(path)
        size = path.stat().st_size
        total += size
        if len(copied) > MAX_FILES:
            raise RepositoryError(f"The index names more than {MAX_FILES:,} files.")
        relative = path.relative_to(root)
        _check_sizes(relative.as_posix(), size, total)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        if depth < 2 and path.suffix.lower() in NOTES_SUFFIXES:
            try:
                text = read_notes_bytes(path.read_bytes())
            except NotesInputError:
                continue  # listed when the copy is scanned
            todo += [(found, depth + 1) for found in _local_names(path, root, text)]
    return []


@contextmanager
def sandbox(source):
    """A temporary folder with the repository's files; ``source`` is a folder, an index
    file, a ``.zip`` path, or a binary file object holding a ``.zip``. Yields
    ``(root, skipped_names)``."""
    root = Path(tempfile.mkdtemp(prefix="papershelf-notes-"))
    try:
        is_path = isinstance(source, (str, os.PathLike))
        if is_path and Path(source).is_dir():
            skipped = _copy_folder(source, root)
        elif is_path and Path(source).suffix.lower() in NOTES_SUFFIXES:
            skipped = _copy_index(source, root)
        else:
            skipped = _extract_zip(source, root)
        yield root, skipped
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- 2. what the files are -----------------------------------------------------------------
def local_target(base_dir, root, href):
    """The file a relative link in a document of ``base_dir`` names, inside ``root``."""
    if not href or href.startswith(("#", "/", "\\")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    target = (Path(base_dir) / unquote(parts.path)).resolve()
    root = Path(root).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


@dataclass
class Scan:
    root: Path
    indexes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    libraries: list = field(default_factory=list)
    attached: set = field(default_factory=set)
    texts: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def relative(self, path):
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()


def scan(root):
    """Sort the sandbox's files into indexes, notes files, linked bodies and libraries."""
    root = Path(root).resolve()
    result = Scan(root=root)
    documents = sorted(
        path for path in root.rglob("*") if path.suffix.lower() in NOTES_SUFFIXES and path.is_file()
    )
    links = {}
    for path in documents:
        try:
            text = read_notes_bytes(path.read_bytes())
        except NotesInputError as error:
            result.problems.append(Problem(result.relative(path), str(error)))
            continue
        result.texts[path] = text
        linked = {
            target
            for target in _local_names(path, root, text)
            if target.suffix.lower() in NOTES_SUFFIXES and target != path
        }
        links[path] = (links_pages(text), linked)
    for path in result.texts:
        result.attached |= links[path][1]
    for path in result.texts:
        if links[path][0]:
            result.indexes.append(path)
        elif path not in result.attached:
            result.notes.append(path)
    result.libraries = sorted(path for path in root.rglob("*.bib") if path.is_file())
    return result


# --- index sections and their handlers --------------------------------------------------------
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


@dataclass
class IndexSection:
    """One heading of an index with the text below it, up to the next heading."""

    root: Path
    path: Path  # the index file
    line: int
    level: int
    heading: str
    groups: list  # the headings above it, outermost first
    body: str

    @property
    def source(self):
        return f"{self.path.relative_to(self.root).as_posix()} line {self.line}"

    @property
    def group(self):
        return self.groups[-1] if self.groups else ""

    def local(self, href):
        """The file ``href`` names inside the repository, or ``None``."""
        return local_target(self.path.parent, self.root, href)

    def missing(self):
        """Messages for the relative links of the section that name no file in it."""
        messages = []
        for _text, href in self.links():
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path or href.startswith("#"):
                continue
            if self.local(href) is None:
                messages.append(f"{href[:100]} is not in the repository: not imported.")
        return messages

    def links(self):
        """``(text, href)`` of the Markdown links and HTML ``href``/``src`` in the body."""
        found = []
        for match in re.finditer(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)>?\s*\)", self.body):
            found.append((match.group(1), match.group(2)))
        for match in re.finditer(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", self.body):
            found.append(("", match.group(1)))
        return found


def index_sections(root, path, text):
    """The sections of an index document, from its ATX headings (code blocks skipped)."""
    sections, stack, fence = [], [], None
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
        elif opened:
            fence = opened.group(1)
        heading = None if fence or opened else _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            current = IndexSection(
                root, path, number, level, title, [title for _, title in stack], ""
            )
            stack.append((level, title))
            sections.append(current)
        elif current is not None:
            current.body += line + "\n"
    return sections


@dataclass
class ItemRecord:
    """A report or session in an import report (what ``PaperRecord`` is for a paper)."""

    kind: str  # "Report", "Session"
    title: str
    source: str
    details: list = field(default_factory=list)

    def label(self):
        return f"{self.kind}: {self.title}"

    def summary(self):
        return " · ".join(self.details)


@dataclass
class ImportContext:
    """What a handler's ``save`` gets: the options, the files it stored, paper lookup."""

    on_existing: str
    status: str
    stored_files: list

    def keep_file(self, field_file):
        """Remember a file just stored, to delete it if the import is rolled back."""
        if field_file and field_file.name:
            self.stored_files.append((field_file.storage, field_file.name))
            if getattr(field_file, "rendition", ""):  # a cover's WebP rendition
                self.stored_files.append((field_file.storage, field_file.rendition))

    def read_image(self, path, what, warnings):
        """The image at ``path`` re-encoded (``reencode_image``), or ``None`` and a warning."""
        try:
            with path.open("rb") as handle:
                return reencode_image(File(handle, name=path.name))
        except (OSError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else error
            warnings.append(f"{what} {path.name}: {message} Not imported.")
            return None

    def attach_image(self, field_file, path, what, warnings):
        """Store the image at ``path`` in ``field_file`` (not saving the row); ``True`` if so."""
        image = self.read_image(path, what, warnings)
        if image is None:
            return False
        field_file.save(image.name, image, save=False)
        self.keep_file(field_file)
        return True

    def find_paper(self, url):
        """The paper in the database that ``url`` (arXiv, DOI, or its own URL) names."""
        key = arxiv_key(url)
        if key:
            return Paper.objects.filter(arxiv_id=key).first()
        key = doi_key(url)
        if key:
            return Paper.objects.filter(doi__iexact=key).first()
        return Paper.objects.filter(url=url).first() if url else None


_index_handlers = []


def register_index_handler(handler, permission):
    """Add ``handler(section) -> item | None`` (an app's ``AppConfig.ready()`` calls it).

    An item has a ``record`` (``ItemRecord``), its ``section`` and ``save(context) ->
    Outcome``; the first handler that returns an item claims the section. ``permission``
    (``"blog.add_report"``) is what a user needs for the admin import to save its items.
    """
    if (handler, permission) not in _index_handlers:
        _index_handlers.append((handler, permission))
    return handler


def index_items(scan_result):
    """``(item, permission)`` for every section a handler claims, in file order."""
    items = []
    for path in scan_result.indexes:
        for section in index_sections(scan_result.root, path, scan_result.texts[path]):
            for handler, permission in _index_handlers:
                item = handler(section)
                if item is not None:
                    items.append((item, permission))
                    break
    return items


def _drop_claimed(report, entries):
    """A section imported as a report or session is not also "skipped, no paper link",
    and its local slides and images are not "not imported"."""
    spans = {}
    for entry, _permission in entries:
        section = entry.section
        end = section.line + section.body.count("\n")
        spans.setdefault(section.path.relative_to(section.root).as_posix(), []).append(
            (section.line, end)
        )

    def claimed(where):
        match = re.match(r"(.+) line (\d+)", where or "")
        if not match:
            return False
        line = int(match.group(2))
        return any(start <= line <= end for start, end in spans.get(match.group(1), ()))

    report.outcomes = [
        outcome
        for outcome in report.outcomes
        if not (outcome.action == "skipped" and claimed(outcome.record.source))
    ]
    report.notes = [
        (where, message)
        for where, message in report.notes
        if not ("is a local file" in message and claimed(where))
    ]


def _save_items(items, context, report, user, steps):
    for item, permission in items:
        if user is not None and not user.has_perm(permission):
            what = item.record.kind.lower()
            report.outcomes.append(
                Outcome("skipped", item.record, reason=f"you may not add a {what}")
            )
            steps.step()
            continue
        try:
            with transaction.atomic():  # a failed item leaves the others intact
                outcome = item.save(context)
                if outcome.action == "invalid":
                    transaction.set_rollback(True)
        except DatabaseError as error:
            outcome = Outcome("invalid", item.record, errors=[f"could not be saved: {error}"])
        report.outcomes.append(outcome)
        steps.step(refused=outcome.action == "invalid")


# --- 3. the import ---------------------------------------------------------------------------
def _relabel(source, prefix):
    return f"{prefix} {source}" if source else prefix


def paper_items(scan_result, report, repository_pdfs=False):
    """Records and problems of the notes files, indexes and libraries, file by file."""
    # Imported here: blog registers its index handler with this module in every process,
    # and the notes parsers are only needed once a repository is imported.
    from papers.intake.notes.importer import parse_notes

    items = list(scan_result.problems)
    for path in [*scan_result.indexes, *scan_result.notes]:
        text = scan_result.texts[path]
        relative = scan_result.relative(path)
        parsed = parse_notes(
            text, detect_format(path, text), path.parent, repository_pdfs=repository_pdfs
        )
        for record in parsed.records:
            record.source = _relabel(record.source, relative)
            items.append(record)
        for skipped in parsed.skipped:
            record = PaperRecord(title=skipped.label, source=f"{relative} line {skipped.line}")
            report.outcomes.append(Outcome("skipped", record, reason=skipped.reason))
        report.notes += [(_relabel(where, relative), message) for where, message in parsed.warnings]
    for path in scan_result.libraries:
        relative = scan_result.relative(path)
        try:
            text = read_bibtex_bytes(path.read_bytes())
        except BibtexInputError as error:
            items.append(Problem(relative, str(error)))
            continue
        warnings = []
        items += parse_bibtex(text, base_dir=path.parent, where_prefix=f"{relative} ",
                              warnings=warnings)  # fmt: skip
        report.notes += warnings
    return items


def import_repository(source, *, on_existing=OnExisting.FILL, status=Status.DRAFT,
                      dry_run=False, skip_invalid=True, user=None, progress=None,
                      repository_pdfs=False):  # fmt: skip
    """Import a folder or ``.zip`` (path or file object); returns ``(report, scan)``.

    ``repository_pdfs``: PDFs stored in a code repository are papers (``parse_notes``).

    Raises ``RepositoryError`` when the repository as a whole is refused. With ``user``
    (the admin), reports and sessions are saved only with that user's permission.
    """
    with sandbox(source) as (root, skipped_names):
        found = scan(root)
        report = ImportReport(
            notes=[(name, "a symbolic link: not followed.") for name in skipped_names]
        )
        items = paper_items(found, report, repository_pdfs)
        entries = index_items(found)
        _drop_claimed(report, entries)
        if not items and not entries and not report.outcomes:
            raise RepositoryError(
                "No notes file, index or .bib with anything to import was found in it."
            )

        def save_entries(report, stored_files, steps):
            context = ImportContext(on_existing, status, stored_files)
            _save_items(entries, context, report, user, steps)

        report = run_batch(
            items,
            on_existing=on_existing,
            status=status,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            report=report,
            then=save_entries,
            progress=progress,
            more_steps=len(entries),
        )
    return report, found
