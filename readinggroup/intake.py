"""Reading-group sessions from a notes repository's index (see ``papers/intake/repository.py``).

A section headed ``Paper Presentation 3: Title`` (or ``Presentation``/``Session 3: …``)
becomes session 3: the text is the summary; ``**Paper**: url`` links the paper when it is
in the database (the same import creates it from the index); a local PDF is the slides and
a local image the cover, both through the upload checks; ``**Recording**: url`` the
recording. "No slides or recording available" is simply nothing to attach.

The index gives no date, but a session needs one: it is taken from the slides' file date,
else the index's, and the report says so (sessions are drafts until someone checks).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone

from papers.intake.repository import ItemRecord
from papers.intake.saving import OnExisting, Outcome, fill_fields, messages_of
from readinggroup.models import MAX_SESSION_NUMBER, Presentation
from readinggroup.pdf import validate_slides

_HEADING = re.compile(
    r"^(?:paper\s+)?(?:presentation|session)\s+(\d{1,5})\s*[:.\-–—]\s*(.+)$", re.I
)
_LABELLED = re.compile(r"^\s*\*\*(paper|slides|recording|video|code)\*\*\s*:?\s*(.*)$", re.I)
_NOTHING = re.compile(r"^\s*no\s+(slides|recording)\b.*available\.?\s*$", re.I)
_URL = re.compile(r"https?://[^\s)\]>\"']+")


@dataclass
class SessionItem:
    record: ItemRecord
    section: object
    number: int
    title: str
    summary: str
    paper_url: str
    recording_url: str
    slides: object  # Path or None
    cover: object  # Path or None

    def save(self, context):
        existing = Presentation.objects.filter(number=self.number).first()
        if existing and context.on_existing == OnExisting.SKIP:
            return Outcome("skipped", self.record, reason=f"already in the database as {existing}")
        overwrite = existing is None or context.on_existing == OnExisting.OVERWRITE
        session = existing or Presentation(number=self.number, status=context.status)
        warnings = self.section.missing()
        paper = context.find_paper(self.paper_url) if self.paper_url else None
        if self.paper_url and paper is None:
            warnings.append(f"the paper {self.paper_url} is not in the database: not linked.")
        values = {
            "title": self.title,
            "summary": self.summary,
            "paper": paper,
            "recording_url": self.recording_url,
        }
        changed = fill_fields(session, values, overwrite)
        if session.scheduled_at is None:
            session.scheduled_at = _date_of(self.slides or self.section.path)
            warnings.append(
                f"the index gives no date: scheduled on {session.scheduled_at:%Y-%m-%d} "
                "(the file's date); correct it before publishing."
            )
        errors = []
        if self.slides and (overwrite or not session.slides):
            with self.slides.open("rb") as handle:
                upload = File(handle, name="slides.pdf")
                try:
                    validate_slides(upload)
                except ValidationError as error:
                    warnings.append(f"slides {self.slides.name}: {error.messages[0]} Not imported.")
                else:
                    session.slides.save("slides.pdf", File(handle), save=False)
                    context.keep_file(session.slides)
                    changed.append("slides")
        wants_cover = self.cover and (overwrite or not session.cover or session.cover_is_generated)
        if wants_cover and context.attach_image(session.cover, self.cover, "cover", warnings):
            changed.append("cover")
        if existing and not changed:
            return Outcome(
                "skipped",
                self.record,
                reason=f"already in the database as {existing}, nothing new",
                warnings=warnings,
            )
        try:
            session.full_clean()
        except ValidationError as error:
            errors = messages_of(error)
        if errors:
            return Outcome("invalid", self.record, errors=errors, warnings=warnings)
        # The slides passed validate_slides() above, whose verdict is remembered: checking
        # them now costs nothing, and the session comes out of the import with its cover.
        session.save(check_slides_now=True)
        context.keep_file(session.cover)  # a cover rendered from the slides on save
        return Outcome(
            "updated" if existing else "created",
            self.record,
            changed=changed,
            warnings=warnings,
        )


def _date_of(path):
    moment = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    moment = moment.astimezone(timezone.get_current_timezone())
    return moment.replace(hour=18, minute=0, second=0, microsecond=0)


def session_from_section(section):
    """A ``SessionItem`` when ``section`` is a numbered presentation, else ``None``."""
    match = _HEADING.match(section.heading)
    if not match or not 1 <= int(match.group(1)) <= MAX_SESSION_NUMBER:
        return None
    number, title = int(match.group(1)), match.group(2).strip()
    summary, paper_url, recording_url = [], "", ""
    label = None
    for line in section.body.splitlines():
        labelled = _LABELLED.match(line)
        if labelled:
            label, rest = labelled.group(1).lower(), labelled.group(2)
            url = _URL.search(rest)
            if url and label == "paper":
                paper_url = url.group(0)
            elif url and label in ("recording", "video"):
                recording_url = url.group(0)
            continue
        if _NOTHING.match(line):
            continue
        if label in ("slides",) and line.strip().startswith("<"):
            continue  # the slides' link and cover, read below
        label = None
        summary.append(line)
    slides = cover = None
    for _text, href in section.links():
        target = section.local(href)
        if target is None:
            continue
        suffix = target.suffix.lower()
        if suffix == ".pdf" and slides is None:
            slides = target
        elif suffix in (".png", ".jpg", ".jpeg") and cover is None:
            cover = target
    details = [f"session {number}"]
    details += [name for name, value in (("slides", slides), ("cover", cover)) if value]
    details += ["recording"] * bool(recording_url) + ["paper"] * bool(paper_url)
    return SessionItem(
        record=ItemRecord("Session", f"{number}: {title}", section.source, details),
        section=section,
        number=number,
        title=title,
        summary="\n".join(summary).strip(),
        paper_url=paper_url,
        recording_url=recording_url,
        slides=slides,
        cover=cover,
    )
