"""One writer for every importer: duplicates, validation with ``full_clean()``, saving.

The writer runs inside the import's transaction (``batch.py``); it keeps the names of
the figure files it stored, so they can be deleted when the transaction is rolled back.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils.html import strip_tags

from papers import counts
from papers.authors import full_key, same_person_among_stored
from papers.identifiers import normalize_doi, parse_arxiv_id
from papers.intake.duplicates import (
    Conflict,
    DuplicateFinder,
    arxiv_key,
    doi_key,
    normalize_title,
)
from papers.intake.slugs import SlugAllocator, hold_slug_lock
from papers.models import (
    Author,
    Authorship,
    Figure,
    Paper,
    PaperLink,
    Status,
    Tag,
    TaggedPaper,
    Venue,
)
from papers.site.images import reencode_image
from papers.tagging import validate_tag_name

# Paper fields an import can set, in the order reports list them.
SCALAR_FIELDS = [
    "title", "alias", "year", "month", "venue", "affiliations", "url", "arxiv_id", "doi",
    "pdf_url", "abstract", "notes",
]  # fmt: skip


class OnExisting(models.TextChoices):
    SKIP = "skip", "Leave them unchanged"
    FILL = "fill", "Fill in their empty fields, add tags and links"
    OVERWRITE = "overwrite", "Replace their fields with the imported values"


@dataclass
class Outcome:
    """What happened to one record."""

    action: str  # "created", "updated", "skipped", "invalid"
    record: object
    paper: Paper | None = None
    reason: str = ""
    errors: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def messages_of(error):
    """Plain-text messages of a ``ValidationError``, each prefixed with its field."""
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {strip_tags(message)}" if name != "__all__" else strip_tags(message)
            for name, errors in error.message_dict.items()
            for message in errors
        ]
    return [strip_tags(message) for message in error.messages]


class _Authors:
    """Author rows by exact name; ``prime`` creates a batch's new authors in bulk."""

    def __init__(self):
        self._by_name = {}
        self._slugs = SlugAllocator(Author, "author")
        self.created = []

    def prime(self, names):
        names = {" ".join(str(name).split()) for name in names}
        missing = sorted(name for name in names if name and name not in self._by_name)
        for start in range(0, len(missing), 500):
            for author in Author.objects.filter(name__in=missing[start : start + 500]):
                self._by_name.setdefault(author.name, author)
        # "stefano ermon" or "Stéfano Ermon" when "Stefano Ermon" is stored: the same person.
        unmatched = [name for name in missing if name not in self._by_name]
        self._by_name.update(same_person_among_stored(unmatched))
        # One new author per person: spellings differing only in case or accents share it.
        new_by_key = {}
        # Of "YANG SONG", "yang song" and "Yang Song", the mixed-case spelling names it.
        for name in sorted(missing, key=lambda name: (name.isupper() or name.islower(), name)):
            if name not in self._by_name and len(name) <= 200:
                key = full_key(name) or name
                if key not in new_by_key:
                    new_by_key[key] = Author(name=name, slug=self._slugs.allocate(name))
        new = list(new_by_key.values())
        # One INSERT per 500 authors instead of one each; ``unused`` removes the ones
        # whose papers turned out invalid.
        Author.objects.bulk_create(new, batch_size=500)
        if new and new[0].pk is None:  # a backend that cannot return ids
            new = list(Author.objects.filter(slug__in=[author.slug for author in new]))
        by_key = {full_key(author.name) or author.name: author for author in new}
        for name in missing:
            if name not in self._by_name and (full_key(name) or name) in by_key:
                self._by_name[name] = by_key[full_key(name) or name]
        self.created += new

    def get(self, name):
        if name not in self._by_name:
            author = Author(name=name, slug=self._slugs.allocate(name))
            author.save()
            self._by_name[name] = author
        return self._by_name[name]

    def delete_unused(self):
        """Delete authors ``prime`` created that no saved paper ended up using."""
        pks = [author.pk for author in self.created]
        for start in range(0, len(pks), 500):
            Author.objects.filter(
                pk__in=pks[start : start + 500], authorships__isnull=True
            ).delete()


class _Tags:
    """Tag rows by case-insensitive name (tags are case-insensitive site-wide)."""

    def __init__(self):
        self._by_key = {}

    def get(self, name):
        key = name.casefold()
        if key not in self._by_key:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                tag = Tag.objects.create(name=name)
            self._by_key[key] = tag
        return self._by_key[key]


def _empty(value):
    return value is None or value == ""


def fill_fields(instance, values, overwrite):
    """Set on ``instance`` each of ``values`` (``{field: value}``) that says something new
    (every importer: papers, reports, sessions): a value given (not None or ""), not the
    current one (texts compared without the spaces around them), and ``overwrite`` or the
    field empty. Returns the names of the fields set."""
    changed = []
    for name, value in values.items():
        if _empty(value):
            continue
        current = getattr(instance, name)
        if isinstance(value, str) and isinstance(current, str):
            same = value.strip() == current.strip()
        else:
            same = value == current
        if same or (not overwrite and not _empty(current)):
            continue
        setattr(instance, name, value)
        changed.append(name)
    return changed


def _normalised_ids(record):
    """The record's arXiv id and DOI in stored form, or as given when they are invalid."""
    parsed = parse_arxiv_id(record.arxiv_id or "")
    arxiv_id = parsed[0] if parsed else (record.arxiv_id or "").strip()
    try:
        doi = normalize_doi(record.doi) if record.doi else ""
    except ValidationError:
        doi = record.doi.strip()
    return arxiv_id, doi


class PaperWriter:
    """Turns records into saved papers; see the module docstring for the rules."""

    # New papers written together by ``create_in_bulk`` (each INSERT carries this many).
    BULK = 500

    def __init__(self, on_existing=OnExisting.FILL, status=Status.DRAFT, finder=None,
                 bulk=False):  # fmt: skip
        """``bulk``: new papers are inserted together, by ``flush()`` (``run_batch``); the
        callers of ``write()`` then see a new paper's id only after it."""
        self.on_existing = OnExisting(on_existing)
        self.bulk = bulk
        self._new = []  # new papers not inserted yet (``bulk``)
        self._new_keys = set()  # what ``finder.find`` could match them by
        self.status = status
        self.finder = finder or DuplicateFinder()
        self._primed = False
        self.saved_files = []
        self._authors = _Authors()
        self._venues = {}  # venue text → Venue (or None), for this batch
        self._tags = _Tags()
        self._slugs = SlugAllocator(Paper, "paper")
        # Rows of new papers' bylines and tags, written in bulk by ``finish()``, and
        # "previous work" links, resolved there once every paper of the batch exists.
        self._authorships = []
        self._tagged = []
        self._links_pending = []
        self._related = []

    def prime(self, records):
        """Load what ``records`` may need in a few queries instead of a few per record.

        Called first in the import's transaction: the slug lock taken here waits for any
        other import to commit, so its papers are found as duplicates, not added twice.
        """
        hold_slug_lock(Paper)
        self.finder = DuplicateFinder.for_records(records)
        self._primed = True
        self._authors.prime(name for record in records for name in record.authors)

    def flush(self):
        """Insert the new papers ``write()`` kept for one INSERT (``bulk``)."""
        new, self._new, self._new_keys = self._new, [], set()
        for start in range(0, len(new), self.BULK):
            Paper.create_in_bulk(new[start : start + self.BULK])
        for paper in new:
            self.finder.add(paper)  # with its id: matches are told apart by it

    def _meets_new(self, record):
        """Whether ``finder.find(record)`` could match a paper not inserted yet."""
        return bool(self._new_keys) and not self._new_keys.isdisjoint(
            (arxiv_key(record.arxiv_id), doi_key(record.doi), normalize_title(record.title))
        )

    def _keep_new(self, paper):
        self._new.append(paper)
        # The keys ``finder.add`` files it under (``flush`` adds it there).
        self._new_keys |= {
            arxiv_key(paper.arxiv_id or "") or paper.arxiv_id,
            doi_key(paper.doi or "") or paper.doi,
            normalize_title(paper.title),
        } - {"", None}
        if len(self._new) >= self.BULK:
            self.flush()

    def finish(self):
        """Write pending bylines, tags and previous-work links; return ``(where, warning)``s."""
        self.flush()
        Authorship.objects.bulk_create(self._authorships, batch_size=500)
        TaggedPaper.objects.bulk_create(self._tagged, batch_size=500)
        # bulk_create sends no signals: the site-wide counts take the rows here.
        counts.bylines_created((row.paper_id, row.author_id) for row in self._authorships)
        counts.tags_created((row.content_object_id, row.tag_id) for row in self._tagged)
        PaperLink.objects.bulk_create(self._links_pending, batch_size=500)
        self._authorships, self._tagged, self._links_pending = [], [], []
        self._authors.delete_unused()
        warnings = []
        for paper, record in self._related:
            messages = []
            related = self._resolve_related(paper, record, messages)
            if related:
                paper.related.add(*related)
            warnings += [(record.source, message) for message in messages]
        self._related = []
        return warnings

    def discard_files(self):
        """Delete the figure files this writer stored (after a rollback)."""
        for name in self.saved_files:
            Figure.image.field.storage.delete(name)
        self.saved_files = []

    # --- one record -------------------------------------------------------------------
    def write(self, record, target=None):
        """Create or update the paper ``record`` describes; never raises for bad data.

        ``target`` forces an update of that paper (the admin's "update" choice).
        """
        if self._meets_new(record):
            self.flush()  # its duplicate may be among them: the finder needs their ids
        try:
            match = None if target else self.finder.find(record)
        except Conflict as conflict:
            return Outcome("invalid", record, errors=[str(conflict)])
        if match and self.on_existing == OnExisting.SKIP and target is None:
            return Outcome(
                "skipped", record, reason=f"already in the database as {match.describe()}"
            )
        if target is not None:
            paper = target
        elif match:
            paper = Paper.objects.get(pk=match.known.pk)
        else:
            paper = Paper(status=self.status)
        creating = paper.pk is None
        overwrite = creating or target is not None or self.on_existing == OnExisting.OVERWRITE

        errors, warnings = [], []
        changed = self._set_fields(paper, record, overwrite)
        authors = self._author_names(record, errors)
        current_authors = [] if creating else [a.name for a in paper.ordered_authors()]
        replace_authors = bool(authors) and authors != current_authors
        replace_authors = replace_authors and (overwrite or not current_authors)
        if replace_authors:
            changed.append("authors")
        tags = self._tag_names(record, errors)
        links = self._links(paper, record, errors)
        figures = self._figures(paper, record, warnings)
        # Uniqueness: the finder, loaded by ``prime()`` with every stored paper sharing an
        # id with the batch, matched this record to the one paper with its ids (or raised
        # Conflict), so clean() need not ask again (unless the admin chose the target);
        # the slug is chosen free below.
        paper.ids_checked_unique = self._primed and target is None
        try:
            paper.full_clean(validate_unique=False)
        except ValidationError as error:
            errors.extend(messages_of(error))
        if errors:
            return Outcome("invalid", record, errors=errors, warnings=warnings)

        if not creating:
            stored_tags = {tag.name.casefold() for tag in paper.tags.all()}
            tags = [name for name in tags if name.casefold() not in stored_tags]
        changed += ["tags"] * bool(tags) + ["links"] * bool(links) + ["figures"] * bool(figures)
        if not creating and not changed and self._resolve_related(paper, record, []):
            changed.append("previous work")
        if not creating and not changed:
            where = match.describe() if match else f"“{paper.title}” (#{paper.pk})"
            return Outcome(
                "skipped",
                record,
                paper=paper,
                reason=f"already in the database as {where}, nothing new",
                warnings=warnings,
            )

        if creating:
            paper.slug = self._slugs.allocate(paper.alias or paper.title)
        if "venue" in changed or (paper.venue and paper.published_in_id is None):
            # Read once per distinct text of the batch, not once per paper.
            if paper.venue not in self._venues:
                self._venues[paper.venue] = Venue.for_text(paper.venue)[0]
            paper.published_in = self._venues[paper.venue]
        # A new paper waits for one INSERT with others, unless its figures need its row
        # now, or its notes may mention one of those others (links are resolved before
        # the INSERT: the papers they name must be in the database by then).
        if creating and self.bulk and not figures:
            if paper.notes:
                self.flush()
            self._keep_new(paper)
        else:
            self.flush()  # ids in the order of the file
            paper.save()
        if replace_authors:
            if not creating:
                paper.authorships.all().delete()
            # By id: setting the related objects costs more than the rows' other work.
            # Two spellings of one person in a byline ("Kaiming He", "kaiming he") are
            # one author: the first place is kept. (The paper by object: its id may come
            # with ``flush()``, before ``finish()`` writes these.)
            author_ids = list(dict.fromkeys(self._authors.get(name).pk for name in authors))
            self._authorships += [
                Authorship(paper=paper, author_id=author_id, position=i)
                for i, author_id in enumerate(author_ids)
            ]
        if tags and creating:
            self._tagged += [
                TaggedPaper(content_object=paper, tag_id=self._tags.get(name).pk) for name in tags
            ]
        elif tags:
            paper.tags.add(*[self._tags.get(name) for name in tags])
        for link in links:
            link.paper = paper
        # Written in bulk by ``finish()``, with the bylines: one INSERT per paper cost
        # about as much as the paper's own.
        self._links_pending += links
        for figure in figures:
            figure.paper = paper
            figure.save()
            self.saved_files.append(figure.image.name)
            if figure.image_webp:  # its WebP rendition, stored with it
                self.saved_files.append(figure.image_webp)
        if record.related:
            self._related.append((paper, record))
        if paper.pk is not None:  # else ``flush()`` adds it
            self.finder.add(paper)
        action = "created" if creating else "updated"
        return Outcome(action, record, paper=paper, changed=changed, warnings=warnings)

    # --- pieces -----------------------------------------------------------------------
    def _set_fields(self, paper, record, overwrite):
        values = {name: getattr(record, name) for name in SCALAR_FIELDS}
        values["arxiv_id"], values["doi"] = _normalised_ids(record)
        return fill_fields(paper, values, overwrite)

    def _author_names(self, record, errors):
        names = []
        for name in record.authors:
            name = " ".join(str(name).split())
            if not name or name in names:
                continue
            if len(name) > 200:
                errors.append(f"authors: the name “{name[:40]}…” is over 200 characters.")
                continue
            names.append(name)
        return names

    def _tag_names(self, record, errors):
        names = []
        for name in record.tags:
            name = " ".join(str(name).split())
            if not name or name.casefold() in {n.casefold() for n in names}:
                continue
            try:
                validate_tag_name(name)
            except ValidationError as error:
                errors.extend(f"tags: {message}" for message in error.messages)
                continue
            names.append(name)
        return names

    def _links(self, paper, record, errors):
        known = {paper.url, paper.pdf_url}
        if paper.pk is not None:
            known |= set(paper.links.values_list("url", flat=True))
            # A paper this batch created and now meets again: its links are not written yet.
            # (By the paper's id now: a link's own id of it is set when it is written.)
            known |= {link.url for link in self._links_pending if link.paper.pk == paper.pk}
        links = []
        for position, link in enumerate(record.links, start=1 if paper.pk is None else 100):
            if link.url in known:
                continue
            known.add(link.url)
            obj = PaperLink(kind=link.kind, label=link.label[:200], url=link.url, position=position)
            try:
                obj.full_clean(exclude=["paper"])
            except ValidationError as error:
                errors.extend(f"link {link.url[:80]}: {m}" for m in messages_of(error))
                continue
            links.append(obj)
        return links

    def _figures(self, paper, record, warnings):
        if not record.figures:
            return []
        stored = set()
        if paper.pk is not None:
            for figure in paper.figures.all():
                try:
                    with figure.image.open("rb") as handle:
                        stored.add(hashlib.sha256(handle.read()).hexdigest())
                except OSError:
                    continue
        figures = []
        for position, figure in enumerate(record.figures, start=1 + len(stored)):
            path = Path(figure.path)
            try:
                with path.open("rb") as handle:
                    image = reencode_image(File(handle, name=path.name))
            except OSError as error:
                warnings.append(f"image {path.name} could not be read ({error.strerror}).")
                continue
            except ValidationError as error:
                warnings.append(f"image {path.name} was not imported: {error.messages[0]}")
                continue
            digest = hashlib.sha256(image.read()).hexdigest()
            image.seek(0)
            if digest in stored:
                continue
            stored.add(digest)
            obj = Figure(
                image=image,
                caption=figure.caption[:500],
                credit=figure.credit[:300],
                position=position,
            )
            figures.append(obj)
        return figures

    def _resolve_related(self, paper, record, warnings):
        self.flush()  # the papers it names may be new ones
        related = []
        existing = set() if paper.pk is None else set(paper.related.values_list("pk", flat=True))
        for ident in record.related:
            key_arxiv, key_doi = arxiv_key(ident), doi_key(ident)
            query = None
            if key_arxiv:
                query = Paper.objects.filter(arxiv_id=key_arxiv)
            elif key_doi:
                query = Paper.objects.filter(doi=key_doi)
            other = query.first() if query is not None else None
            if other is None:
                warnings.append(f"previous work {ident} is not in the database: not linked.")
            elif other.pk not in existing and other.pk != paper.pk:
                related.append(other)
                existing.add(other.pk)
        return related
