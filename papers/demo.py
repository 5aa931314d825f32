"""Demo content of the paper database, loaded by ``manage.py demo``.

The papers themselves are listed in ``papers.demo_data``; this module only turns them
into rows. A paper is recognised by its arXiv id (or DOI), else by title and year, and
a paper that already exists is left exactly as it is, children included, so running the
command again creates nothing and never overwrites what an editor changed.
"""

from collections import Counter

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from papers import counts as facet_counts
from papers.content.base import Status
from papers.demo_data import FIGURE_CREDIT, PAPERS
from papers.demo_figures import schematic
from papers.intake.slugs import SlugAllocator
from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag, TaggedPaper, Venue
from papers.tagging import validate_tag_name


def load(stdout):
    """Create the demo papers that are missing and write one summary line to ``stdout``."""
    counts = Counter()
    tags_before = Tag.objects.count()
    refs = _reference_index(PAPERS)
    with transaction.atomic():
        names = {name for entry in PAPERS for name in entry.get("authors", [])}
        # An author already in the database (same name) is reused, never duplicated.
        authors = {}
        for author in Author.objects.filter(name__in=names).order_by("pk"):
            authors.setdefault(author.name, author)
        batch = _Batch(authors)
        rows, created = {}, []
        # Oldest first, so "latest added" lists (the home page) show the newest papers.
        for position in sorted(range(len(PAPERS)), key=lambda i: _date_key(PAPERS[i])):
            entry = PAPERS[position]
            paper = find_existing(entry)
            if paper is None:
                paper = _create(entry, batch, counts)
                created.append((entry, paper))
            rows[position] = paper
        batch.write()
        counts["authors"] += len(batch.new_authors)
        for entry, paper in created:
            previous = [rows[refs[ref]] for ref in entry.get("builds_on", [])]
            paper.related.add(*previous)
            counts["previous-work links"] += len(previous)
        # Files are written last, once every row has passed validation: a bad entry
        # stops the load before anything lands in MEDIA_ROOT.
        for entry, paper in created:
            if "figure" in entry:
                _add_figure(paper, entry["figure"])
                counts["figures"] += 1
    counts["tags"] = Tag.objects.count() - tags_before
    drafts = sum(1 for entry, _ in created if entry.get("draft"))
    added = ", ".join(
        f"{counts[key]} {key}"
        for key in ("authors", "tags", "links", "figures", "previous-work links")
    )
    stdout.write(
        f"papers: {len(created)} papers created ({drafts} drafts), "
        f"{len(PAPERS) - len(created)} already present; added {added}."
    )
    from papers import demo_site  # after the papers: topics are their tags

    demo_site.load(stdout)

    from papers import related

    # The saves queued the update job; the demo shows the lists at once, worker or not.
    related.rebuild()


def find_existing(entry):
    """The paper ``entry`` describes, if the database already has it (by id or title+year)."""
    lookup = Q(title__iexact=entry["title"], year=entry["year"])
    if entry.get("arxiv"):
        lookup |= Q(arxiv_id=entry["arxiv"])
    if entry.get("doi"):
        lookup |= Q(doi=entry["doi"].lower())
    return Paper.objects.filter(lookup).order_by("pk").first()


def _date_key(entry):
    return entry["year"], entry.get("month") or 0


def _reference_index(entries):
    """Map every arXiv id, alias and title to the entry's position, for ``builds_on``."""
    index = {}
    for position, entry in enumerate(entries):
        for key in (entry.get("arxiv"), entry.get("alias"), entry["title"]):
            if key:
                index.setdefault(key, position)
    missing = {ref for entry in entries for ref in entry.get("builds_on", []) if ref not in index}
    if missing:
        raise ValueError(f"builds_on names papers missing from the demo data: {sorted(missing)}")
    return index


class _Batch:
    """What the new papers share, read once (venues, tags, taken author slugs), and their
    authors, bylines and tag rows, written together once every paper is saved (as an
    import writes them, papers/intake/saving.py), in the order one save each would have
    written them: the same ids, slugs and counts, without one slug lookup per author, one
    statement per tag row, taggit's per-paper queries and a venue lookup per paper (3,134
    statements per run → 1,138)."""

    def __init__(self, authors):
        self.authors = authors  # name → Author, stored or new
        self.new_authors = []
        self._slugs = SlugAllocator(Author, "author")
        self._tags = {}  # name as written → Tag
        self._venues = {}  # venue text → Venue or None
        self.bylines, self.tagged = [], []

    def venue(self, text):
        """The venue ``Paper.save()`` would find or create for ``text``."""
        if text not in self._venues:
            self._venues[text] = Venue.for_text(text)[0]
        return self._venues[text]

    def byline(self, paper, names):
        for position, name in enumerate(names):
            if name not in self.authors:
                # The slug ``Author.save()`` would choose: the taken ones read once.
                author = Author(name=name, slug=self._slugs.allocate(name))
                self.authors[name] = author
                self.new_authors.append(author)
            self.bylines.append(
                Authorship(paper=paper, author=self.authors[name], position=position)
            )

    def tags(self, paper, names):
        """The tags ``paper.tags.add(*names)`` adds to a new paper, found or created as
        taggit does (case-insensitively, the first by id), each once, in order."""
        seen = set()
        for name in names:
            if name not in self._tags:
                tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
                self._tags[name] = tag or Tag.objects.create(name=name)
            tag = self._tags[name]
            if tag.pk not in seen:
                seen.add(tag.pk)
                self.tagged.append(TaggedPaper(content_object=paper, tag=tag))

    def write(self):
        # bulk_create sends no signals: the site-wide counts take the rows here. A new
        # author's own receivers have nothing to do (no papers, no documents yet); the
        # papers' search documents and related lists are written at the command's end.
        Author.objects.bulk_create(self.new_authors)
        Authorship.objects.bulk_create(self.bylines)
        facet_counts.bylines_created((row.paper_id, row.author_id) for row in self.bylines)
        TaggedPaper.objects.bulk_create(self.tagged)
        facet_counts.tags_created((row.content_object_id, row.tag_id) for row in self.tagged)


def _create(entry, batch, counts):
    paper = Paper(
        title=entry["title"],
        year=entry["year"],
        month=entry.get("month"),
        alias=entry.get("alias", ""),
        venue=entry.get("venue", ""),
        url=entry.get("url", ""),
        pdf_url=entry.get("pdf_url", ""),
        arxiv_id=entry.get("arxiv"),
        doi=entry.get("doi"),
        notes=entry.get("notes", ""),
        status=Status.DRAFT if entry.get("draft") else Status.PUBLISHED,
    )
    # The same validation an editor's form gets: ids, URLs, year range, Markdown limits.
    # Its uniqueness checks would ask again what ``clean()`` asks of the arXiv id and DOI
    # (with the editor's message), and whether an empty slug is taken: save() picks one.
    paper.full_clean(validate_unique=False)
    if paper.venue:
        paper.published_in = batch.venue(paper.venue)
    paper.save()
    batch.byline(paper, entry.get("authors", []))
    for name in entry["tags"]:
        validate_tag_name(name)
    batch.tags(paper, entry["tags"])
    for position, (kind, label, url) in enumerate(entry.get("links", [])):
        link = PaperLink(paper=paper, kind=kind, label=label, url=url, position=position)
        link.full_clean()
        link.save()
        counts["links"] += 1
    return paper


def _add_figure(paper, figure):
    png = schematic(figure["steps"], title=figure["title"], back=figure.get("back", ""))
    Figure.objects.create(
        paper=paper,
        image=ContentFile(png, name="schematic.png"),
        caption=figure["caption"],
        credit=FIGURE_CREDIT,
    )
