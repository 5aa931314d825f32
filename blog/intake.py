"""Reports from a notes repository's index (see ``papers/intake/repository.py``).

A blog index lists its posts as ``###`` sections: a cover image, a teaser, and a
``[read more](file.md)`` link to the post itself. Kind and number come from the heading
(``Paper Report 10: Title``; ``Book Report: Book - Part 2, Title`` is part 2 of the series
"Book") or else from the section above it ("Very Recent Papers"/"Paper of the Week",
"Miscellaneous"/"Articles"). The linked file is the body; its local images are stored
like the editor's uploads and its links to them rewritten. Images go through
``reencode_image``; a report is found again by kind and number, series and part, or
kind and title, so importing twice creates nothing twice.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from blog.models import Kind, Report, ReportPaper, Series
from papers.intake.notes.reading import NotesInputError, read_notes_bytes
from papers.intake.repository import ItemRecord, local_target
from papers.intake.saving import OnExisting, Outcome, fill_fields, messages_of
from papers.site.media import editor_upload_name

_PAPER_REPORT = re.compile(r"^paper\s+report\s+(\d{1,6})\s*[:.\-–—]\s*(.+)$", re.I)
_BOOK_REPORT = re.compile(r"^book\s+report\s*[:.\-–—]\s*(.+)$", re.I)
_PART = re.compile(r"^(.+?)\s+[-–—]\s+part\s+(\d{1,3})\b\s*[,:.\-–—]?\s*(.*)$", re.I)
_GROUP_KINDS = [
    (re.compile(r"paper of the week|recent papers|weekly", re.I), Kind.PAPER_OF_THE_WEEK),
    (re.compile(r"miscellaneous|misc\b|articles|essays|other", re.I), Kind.ARTICLE),
    (re.compile(r"book reports?", re.I), Kind.BOOK_REPORT),
    (re.compile(r"paper reports?", re.I), Kind.PAPER_REPORT),
]
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?[^)]*\)|<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)
_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.I)
_READ_MORE = re.compile(r"\[[^\]]*\]\(\s*<?[^)\s>]+\.(?:md|markdown|org)>?\s*\)", re.I)
_URL = re.compile(r"https?://[^\s)\]>\"']+")
MAX_TEASER = 1000


@dataclass
class ReportItem:
    record: ItemRecord
    section: object
    kind: str
    number: int | None
    title: str
    series: str = ""
    part: int | None = None
    teaser: str = ""
    cover: object = None  # Path
    cover_alt: str = ""
    body_file: object = None  # Path
    warnings: list = field(default_factory=list)

    def _existing(self):
        if self.series:
            return Report.objects.filter(series__title__iexact=self.series, part=self.part).first()
        if self.number is not None:
            return Report.objects.filter(kind=self.kind, number=self.number).first()
        return Report.objects.filter(kind=self.kind, title__iexact=self.title).first()

    def save(self, context):
        existing = self._existing()
        if existing and context.on_existing == OnExisting.SKIP:
            return Outcome("skipped", self.record, reason=f"already in the database as {existing}")
        overwrite = existing is None or context.on_existing == OnExisting.OVERWRITE
        report = existing or Report(kind=self.kind, number=self.number, status=context.status)
        warnings = list(self.warnings)
        body = self._body(context, warnings)
        values = {"title": self.title, "teaser": self.teaser, "body": body}
        values["cover_alt"] = self.cover_alt
        changed = fill_fields(report, values, overwrite)
        if self.series and report.series_id is None:
            series = Series.objects.filter(title__iexact=self.series).first()
            if series is None:
                series = Series.objects.create(title=self.series)
            report.series, report.part = series, self.part
            changed.append("series")
        wants_cover = self.cover and (overwrite or not report.cover)
        if wants_cover and context.attach_image(report.cover, self.cover, "cover", warnings):
            changed.append("cover")
        papers = self._papers(context, body)
        known = set() if existing is None else set(report.papers.values_list("pk", flat=True))
        papers = [paper for paper in papers if paper.pk not in known]
        if existing and not changed and not papers:
            return Outcome(
                "skipped",
                self.record,
                reason=f"already in the database as {existing.label}: {existing}, nothing new",
                warnings=warnings,
            )
        try:
            report.full_clean()
        except ValidationError as error:
            return Outcome("invalid", self.record, errors=messages_of(error), warnings=warnings)
        report.save()
        ReportPaper.objects.bulk_create(
            ReportPaper(report=report, paper=paper, position=len(known) + position)
            for position, paper in enumerate(papers)
        )
        changed += ["papers"] * bool(papers)
        return Outcome(
            "updated" if existing else "created", self.record, changed=changed, warnings=warnings
        )

    def _body(self, context, warnings):
        """The linked file's Markdown, with its local images stored and relinked."""
        if self.body_file is None:
            return ""
        try:
            text = read_notes_bytes(self.body_file.read_bytes())
        except NotesInputError as error:
            warnings.append(f"{self.body_file.name}: {error} The body is left empty.")
            return ""

        def store(match):
            src = match.group(2) if match.group(2) else _first(_SRC, match.group(0))
            target = _local(self.section, self.body_file.parent, src)
            if target is None:
                return match.group(0)
            image = context.read_image(target, "image in the body", warnings)
            if image is None:
                return match.group(0)
            name = default_storage.save(editor_upload_name(image.name), image)
            context.stored_files.append((default_storage, name))
            alt = match.group(1) or _first(_ALT, match.group(0))
            return f"![{alt}]({default_storage.url(name)})"

        return _IMAGE.sub(store, text).strip()

    def _papers(self, context, body):
        """The papers the section links (else the body's first paper link), if stored."""
        for text in (self.section.body, body):
            found = []
            for url in _URL.findall(text or ""):
                paper = context.find_paper(url)
                if paper is not None and paper not in found:
                    found.append(paper)
            if found:
                return found[:5]
        return []


def _first(pattern, text):
    match = pattern.search(text or "")
    return match.group(1) if match else ""


def _local(section, base_dir, href):
    return local_target(base_dir, section.root, href)


def _kind_of(section):
    heading = section.heading
    match = _PAPER_REPORT.match(heading)
    if match:
        return Kind.PAPER_REPORT, int(match.group(1)), match.group(2).strip()
    match = _BOOK_REPORT.match(heading)
    if match:
        return Kind.BOOK_REPORT, None, match.group(1).strip()
    for pattern, kind in _GROUP_KINDS:
        if pattern.search(section.group):
            return kind, None, heading
    return None, None, heading


def report_from_section(section):
    """A ``ReportItem`` when ``section`` is a post of a blog index, else ``None``."""
    if section.level < 2:
        return None
    kind, number, title = _kind_of(section)
    if kind is None:
        return None
    cover = cover_alt = body_file = None
    lines = []
    for line in section.body.splitlines():
        image = _IMAGE.search(line)
        if image and cover is None:
            src = image.group(2) or _first(_SRC, image.group(0))
            cover = section.local(src)
            cover_alt = image.group(1) or _first(_ALT, image.group(0))
            line = _IMAGE.sub("", line, count=1)
        for match in _READ_MORE.finditer(line):
            href = re.search(r"\(\s*<?([^)\s>]+)", match.group(0)).group(1)
            target = section.local(href)
            if target is not None and body_file is None:
                body_file = target
                line = line.replace(match.group(0), "")
        lines.append(line.rstrip())
    teaser = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if body_file is None and not teaser:
        return None  # a heading with nothing under it is not a post
    warnings = section.missing()
    if len(teaser) > MAX_TEASER:
        first = teaser.split("\n\n")[0]
        if len(first) > MAX_TEASER:
            first = first[: MAX_TEASER - 1].rsplit(" ", 1)[0] + "…"
        warnings.append(
            f"the index text is {len(teaser)} characters; the teaser keeps its first "
            f"{len(first)} (the limit is {MAX_TEASER})."
        )
        teaser = first
    series, part = "", None
    if kind == Kind.BOOK_REPORT:
        match = _PART.match(title)
        if match:
            series, part = match.group(1).strip(), int(match.group(2))
    label = Kind(kind).label + (f" {number}" if number is not None else "")
    details = [label] + [f"part {part} of “{series}”"] * bool(series)
    details += ["cover"] * bool(cover) + ["body"] * bool(body_file)
    return ReportItem(
        record=ItemRecord("Report", title, section.source, details),
        section=section,
        kind=kind,
        number=number,
        title=title,
        series=series,
        part=part,
        teaser=teaser,
        cover=cover,
        cover_alt=cover_alt or "",
        body_file=body_file,
        warnings=warnings,
    )
