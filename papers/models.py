"""The paper database: papers, their authors, links, figures and tags."""

import datetime
import html
import uuid

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, router
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from markdownx.models import MarkdownxField

from papers.content.base import Content, ContentQuerySet, Status, mentions_field, status_field
from papers.identifiers import normalize_arxiv_id, normalize_doi, parse_arxiv_id
from papers.intake.slugs import free_slug, hold_slug_lock
from papers.signals import announce_references_changed
from papers.site import search
from papers.site.images import RenditionImageField
from papers.site.markdown import render_markdown, render_markdown_with_mentions, validate_markdown
from papers.site.prefetch import listed
from papers.tagging import Tag, TaggedItem, TagRedirect, tags_field
from papers.venues import Kind as VenueKind
from papers.venues import parse_venue

MONTHS = [(number, name) for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], start=1)]  # fmt: skip


def unique_slug(model, text, instance_pk=None, max_length=80, fallback="item"):
    """A slug for ``text`` unused by other rows of ``model`` (``-2``, ``-3``… on clashes).

    A slug made only of digits gets a suffix so it can never be mistaken for a year URL.
    Inside a transaction the slug lock is held until it ends, so a concurrent save or
    import cannot pick the same slug (papers/intake/slugs.py).
    """
    hold_slug_lock(model)
    others = model._default_manager.exclude(pk=instance_pk)
    return free_slug(text, fallback, max_length, lambda slug: others.filter(slug=slug).exists())


# Fields no list shows; ``for_list()`` leaves them unread.
LONG_TEXT_FIELDS = ("abstract", "notes", "notes_html")
# The search document (the whole text again, and its tsvector): no page shows it (the
# search page's snippets read ``search_text`` on SQLite: cards keep that one).
SEARCH_FIELDS = ("search_text", "search_vector")


class AuthorQuerySet(models.QuerySet):
    def published(self):
        """Authors of at least one published paper: anyone else has no public page.

        An author of drafts only is as unknown as a name nobody has (a 404, in no sitemap),
        so their page does not reveal that unpublished work exists.

        Asked as "the first published byline of the author is not NULL", a subquery per
        author that stops at that byline: a page of 5,000 authors in ``pk`` order reads
        about 5,000 bylines. ``pk IN (SELECT author …)`` and ``EXISTS`` were both joined
        to every published byline first (PostgreSQL at 100,000 papers: 1.9–2.4 s for the
        first sitemap page, 72–104 ms this way; SQLite at 10,000: 25 → 15 ms).
        """
        first_published_byline = (
            Authorship.objects.filter(author=models.OuterRef("pk"), paper__status=Status.PUBLISHED)
            .order_by()
            .values("paper")[:1]
        )
        return self.alias(first_published_byline=models.Subquery(first_published_byline)).filter(
            first_published_byline__isnull=False
        )


class Author(search.NameInOtherDocuments, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True, editable=False)
    affiliation = models.CharField(max_length=300, blank=True)
    homepage = models.URLField(max_length=500, blank=True)
    google_scholar = models.URLField("Google Scholar", max_length=500, blank=True)
    orcid = models.CharField(
        "ORCID",
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "An ORCID looks like 0000-0002-1825-0097."
            )
        ],
    )
    semantic_scholar = models.URLField("Semantic Scholar", max_length=500, blank=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, self.pk, fallback="author")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("papers:author_detail", args=[self.slug])

    def profile_links(self):
        """``(label, url)`` of the author's pages elsewhere, in a fixed order."""
        links = [
            ("Homepage", self.homepage),
            ("Google Scholar", self.google_scholar),
            ("ORCID", f"https://orcid.org/{self.orcid}" if self.orcid else ""),
            ("Semantic Scholar", self.semantic_scholar),
        ]
        return [(label, url) for label, url in links if url]


class AuthorRedirect(models.Model):
    """The slug of an author merged into another: its old URLs redirect (301) there."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.author.slug}"


class Venue(models.Model):
    """Where papers appear: a conference, journal, workshop, preprint server or book."""

    Kind = VenueKind

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=50, blank=True, db_index=True, help_text="e.g. “CVPR”, “NeurIPS”."
    )
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True, editable=False)
    kind = models.CharField(max_length=12, choices=VenueKind.CHOICES, default=VenueKind.JOURNAL)
    homepage = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["short_name", "name"]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Venue, self.short_name or self.name, self.pk, fallback="venue")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("papers:venue_detail", args=[self.slug])

    @classmethod
    def matching(cls, parsed):
        """The stored venue a ``ParsedVenue`` names (by short name, else by name), or None."""
        if parsed.short_name:
            found = cls.objects.filter(short_name__iexact=parsed.short_name).first()
            if found:
                return found
        return cls.objects.filter(name__iexact=parsed.name).first()

    @classmethod
    def for_text(cls, text):
        """``(venue, year)`` for a free-text venue, the venue created if new; ``(None, year)``
        when the text names none ("", "2022")."""
        parsed = parse_venue(text)
        if parsed is None:
            return None, None
        venue = cls.matching(parsed)
        if venue is None:
            venue = cls.objects.create(
                name=parsed.name, short_name=parsed.short_name, kind=parsed.kind
            )
        return venue, parsed.year


class TaggedPaper(TaggedItem):
    content_object = models.ForeignKey("Paper", on_delete=models.CASCADE)

    class Meta:
        unique_together = [("content_object", "tag")]
        # Tag first: "papers with tag X" and the tag counts read this index alone.
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedpaper_tag_paper")]


def card_prefetches():
    """The relations a paper card shows: its byline in order, and its tags."""
    return (
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        ),
        "tags",
    )


# Newest first; papers whose year (or month) is unknown after the dated ones, on SQLite
# and on PostgreSQL alike (PostgreSQL sorts NULL first in a descending order).
NEWEST_FIRST = (
    models.F("year").desc(nulls_last=True),
    models.F("month").desc(nulls_last=True),
    "-added_at",
)


def export_prefetches():
    """What an export writes beside the paper's row: byline, tags, links and figures."""
    return (*card_prefetches(), "links", "figures")


def detail_prefetches():
    """What a paper's own page shows beside its row (the same relations as an export)."""
    return export_prefetches()


class PaperQuerySet(ContentQuerySet):
    def published(self):
        """The one visibility rule: a paper is public once its status is published."""
        return self.filter(status=Status.PUBLISHED)

    def for_cards(self):
        """The paper's own columns a card shows, without its byline and tags.

        The long texts (abstract, notes) stay in the database: a page of cards never
        shows them, and at 20 cards they would be most of the bytes read. Pair it with
        ``prefetch_related_objects(papers, *CARD_PREFETCHES)`` for the cards not cached.
        """
        return self.defer(*LONG_TEXT_FIELDS, "search_vector").select_related("published_in")

    def for_list(self):
        """What a paper card shows, byline and tags included: two queries per page."""
        return self.for_cards().prefetch_related(*card_prefetches())

    def for_export(self):
        """Whole rows with byline, tags, links and figures, for exports that write them all."""
        return self.select_related("published_in").prefetch_related(*export_prefetches())

    def for_page(self):
        """A paper's row as its own page reads it: without the search document. Pair it with
        ``prefetch_related_objects([paper], *detail_prefetches())`` when the page's kept
        parts (``papers/pages.py``) must be made again."""
        return self.defer(*SEARCH_FIELDS).select_related("published_in")


def paper_date(values):
    """A paper's date in a mixed list, from its (year, month), in NEWEST_FIRST's order: a
    paper known only by its year after the dated papers of its year, unknown year last."""
    year, month = values
    if year is None:
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)
    start = datetime.datetime(year, month or 1, 1, tzinfo=datetime.UTC)
    return start - datetime.timedelta(seconds=1) if month is None else start


class Paper(Content):
    title = models.CharField(max_length=500)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="The paper's URL. Left blank, it is made from the alias or the title.",
    )
    alias = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Short name such as “GPT-3” or “ViT”."
    )
    year = models.PositiveSmallIntegerField(
        # NULL: the year is unknown (a reading log says when a paper was read, not when it
        # appeared); an importer never invents one.
        null=True,
        blank=True,
        db_index=True,
        validators=[MinValueValidator(1600), MaxValueValidator(2100)],
        help_text=(
            "Left blank for a new-style arXiv paper, it is read from the id (or the venue); "
            "otherwise blank means the year is unknown."
        ),
    )
    month = models.PositiveSmallIntegerField(null=True, blank=True, choices=MONTHS)
    venue = models.CharField(
        "venue as written",
        max_length=255,
        blank=True,
        db_index=True,
        help_text="Free text such as “CVPR 2022”; the venue below is read from it if left empty.",
    )
    published_in = models.ForeignKey(
        Venue,
        verbose_name="venue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="papers",
    )
    affiliations = models.CharField(max_length=500, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    arxiv_id = models.CharField(
        "arXiv id",
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text="Any arXiv form: 2103.07579, arXiv:2103.07579v2, an abs/ or pdf/ URL.",
    )
    doi = models.CharField(
        "DOI",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Bare (10.1000/xyz) or as a https://doi.org/ URL.",
    )
    pdf_url = models.URLField("PDF URL", max_length=1000, blank=True)
    abstract = models.TextField(blank=True)
    notes = MarkdownxField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown with $math$, ```code``` and tables.",
    )
    notes_html = models.TextField(blank=True, editable=False)
    authors = models.ManyToManyField(Author, through="Authorship", related_name="papers")
    tags = tags_field(TaggedPaper)
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="followups",
        verbose_name="previous work",
        help_text="Papers this one builds on.",
    )
    mentions = mentions_field(
        "mentioned_in_papers",
        "Papers the notes link with [[wiki-links]]; filled in on save.",
        to="self",
    )
    status = status_field("Only published papers appear on the public site.")
    # A paper's creation time has always been ``added_at`` (lists sort by it, "added").
    created_at = None
    added_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PaperQuerySet.as_manager()

    # What a wiki-link can name; a change re-renders the texts that link this paper.
    REFERENCE_FIELDS = ("alias", "slug", "title", "arxiv_id", "doi", "status")
    # What the site-wide counts read of a paper's row (papers/facets.py): a save changing
    # none of them keeps the cached counts (papers/site/cache.py, ``watch_counts``).
    COUNTED_FIELDS = ("status", "year", "published_in_id")
    # What other papers' pages show of a paper (previous work, follow-ups, "mentioned in",
    # similar papers): a save changing none of them keeps their kept parts (papers/pages.py).
    SHOWN_ELSEWHERE = ("slug", "title", "alias", "year", "month", "status")

    NEWEST_FIRST = NEWEST_FIRST
    SEARCH_TRIGRAMS = True  # papers.site.trigrams: its migration made the index

    class Meta(Content.Meta):
        ordering = NEWEST_FIRST
        get_latest_by = "added_at"
        indexes = [
            # One per ordering of the public lists (filters.SORTS), each led by status so
            # published() + ORDER BY + LIMIT reads 20 index entries, not the whole table.
            # Read backwards they serve the descending orders too.
            models.Index(
                fields=["status", "year", "month", "added_at", "id"], name="paper_status_date"
            ),
            models.Index(fields=["status", "added_at", "id"], name="paper_status_added"),
            models.Index(fields=["status", "title", "id"], name="paper_status_title"),
            # The sitemap: a page's facts (number, ids, latest change of 5,000 rows in id
            # order) and the section's latest change, from the index alone. Led by id, not
            # status: SQLite, without statistics for a new index, took a status-led one for
            # the lists' WHERE status = … and sorted every row.
            models.Index(fields=["id", "status", "updated_at"], name="paper_id_status_updated"),
            # ?venue= is case-insensitive (UPPER(venue) = UPPER(%s) on PostgreSQL).
            models.Index(Upper("venue"), name="paper_venue_upper"),
            # PostgreSQL only (the migration skips them elsewhere): full text and pg_trgm.
            *Content.Meta.indexes,  # paper_search_vector
            GinIndex(fields=["title"], name="paper_title_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["alias"], name="paper_alias_trgm", opclasses=["gin_trgm_ops"]),
            # ?q= on the paper list matches abstracts too (papers/filters.py).
            GinIndex(fields=["abstract"], name="paper_abstract_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return f"{self.title} ({self.alias})" if self.alias else self.title

    def save(self, *args, **kwargs):
        adding, mentioned = self._state.adding, self._before_row_is_written()
        super().save(*args, **kwargs)
        self._after_row_is_written(adding, mentioned)

    @classmethod
    def create_in_bulk(cls, papers):
        """Save new ``papers`` as ``save()`` saves each, in one INSERT per few dozen: the
        same fields filled, the same receivers told (``pre_save`` of each before the
        INSERTs, ``post_save`` after), the same work once the row exists. An import of
        thousands of papers spent half its CPU time in Django's one-row INSERTs."""
        using = router.db_for_write(cls)
        mentioned = [paper._before_row_is_written() for paper in papers]
        for paper in papers:
            paper.stamp_edit()
            models.signals.pre_save.send(
                sender=cls, instance=paper, raw=False, using=using, update_fields=None
            )
        cls.objects.using(using).bulk_create(papers)
        for paper, mentions in zip(papers, mentioned, strict=True):
            models.signals.post_save.send(
                sender=cls, instance=paper, created=True, update_fields=None, raw=False,
                using=using,
            )  # fmt: skip
            paper._after_row_is_written(True, mentions)

    def _before_row_is_written(self):
        """Normalise and fill the row; returns the papers its notes mention."""
        if self.arxiv_id:
            parsed = parse_arxiv_id(self.arxiv_id)
            if parsed:
                self.arxiv_id = parsed[0]
        self.arxiv_id = self.arxiv_id or None
        self.doi = self.doi or None
        if self.venue and self.published_in_id is None:
            self.published_in, venue_year = Venue.for_text(self.venue)
            self.year = self.year or venue_year
        if self.year is None:
            self._fill_date_from_arxiv()
        if not self.slug:
            self.slug = unique_slug(Paper, self.alias or self.title, self.pk, fallback="paper")
        self.notes_html, mentioned = render_markdown_with_mentions(self.notes)
        return mentioned

    def _after_row_is_written(self, adding, mentioned):
        if mentioned or not adding:  # a new paper without links has nothing to store
            self.mentions.set([paper for paper in mentioned if paper.pk != self.pk])
        self.update_search_index()
        before = getattr(self, "_stored_references", None)
        now = self._references()
        if before != now:
            names = {
                value
                for refs in (before or {}, now)
                for name, value in refs.items()
                if value and name != "status"
            }
            announce_references_changed(self, names)
        self._stored_references = now

    # The page's URL name and the field that fills it (papers.site.addresses.page_path: a
    # list of rows resolves it once, not once per row).
    PAGE_URL = ("papers:paper_detail", "slug")

    def get_absolute_url(self):
        return reverse(self.PAGE_URL[0], args=[getattr(self, self.PAGE_URL[1])])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        row = dict(zip(field_names, values, strict=False))
        if all(name in row for name in cls.REFERENCE_FIELDS):
            instance._stored_references = instance._references()
        if all(name in row for name in cls.COUNTED_FIELDS):
            instance._stored_counted = tuple(row[name] for name in cls.COUNTED_FIELDS)
        if all(name in row for name in cls.SHOWN_ELSEWHERE):
            instance._stored_shown = tuple(row[name] for name in cls.SHOWN_ELSEWHERE)
        return instance

    def shown_elsewhere_changed(self):
        """Whether the last save changed what other pages show of this paper (then
        remembered as saved); unknown (an instance not read whole) counts as changed."""
        before = getattr(self, "_stored_shown", None)
        self._stored_shown = tuple(getattr(self, name) for name in self.SHOWN_ELSEWHERE)
        return before != self._stored_shown

    def counted_changed(self):
        """Whether the last save changed a counted field (then remembered as saved)."""
        before = getattr(self, "_stored_counted", None)
        self._stored_counted = tuple(getattr(self, name) for name in self.COUNTED_FIELDS)
        return before != self._stored_counted

    def _references(self):
        return {name: getattr(self, name) for name in self.REFERENCE_FIELDS}

    # What search_parts() reads besides the row, prefetched by ``search.rebuild_documents``
    # into lists (``to_attr``): a prefetch into the managers' caches built one filtered
    # queryset per row and relation (django-taggit's ``tags_for`` per paper), about a
    # tenth of a 5,000-entry import's CPU time.
    SEARCH_PREFETCH = (
        Prefetch("authors", to_attr="search_authors"),
        Prefetch("tags", to_attr="search_tags"),
    )

    def search_parts(self):
        """The weighted text of the search document (two queries unless prefetched)."""
        notes = html.unescape(strip_tags(self.notes_html))
        authors = getattr(self, "search_authors", None)
        tags = getattr(self, "search_tags", None)
        return {
            "A": [self.title, self.alias],
            "B": [
                *(author.name for author in (self.authors.all() if authors is None else authors)),
                *(tag.name for tag in (self.tags.all() if tags is None else tags)),
                self.venue,
                self.affiliations,
                self.arxiv_id or "",
                self.doi or "",
            ],  # fmt: skip
            "C": [self.abstract, notes],
        }

    @property
    def date_display(self):
        """“March 2021”, “2021” or “year unknown”."""
        if self.year is None:
            return "year unknown"
        return f"{MONTHS[self.month - 1][1]} {self.year}" if self.month else str(self.year)

    @property
    def date_iso(self):
        """The same date for machines (``<time datetime>``): “2021-03”, “2021” or “”."""
        if self.year is None:
            return ""
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    def sorted_tags(self):
        """Tags in alphabetical order; free when ``for_list()`` prefetched them.

        (taggit's manager takes no custom prefetch queryset, so the order is made here.)
        """
        return sorted(self.tags.all(), key=lambda tag: tag.name.casefold())

    def ordered_authors(self):
        """Authors in byline order; free when ``for_list()`` (or ``as_lists()`` of
        ``card_prefetches()``) prefetched them."""
        return [authorship.author for authorship in listed(self, "authorships")]

    @property
    def arxiv_url(self):
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def main_url(self):
        return self.url or self.arxiv_url or self.doi_url or self.pdf_url

    def clean(self):
        errors = {}
        self.title = " ".join(self.title.split())
        if self.arxiv_id:
            try:
                self.arxiv_id = normalize_arxiv_id(self.arxiv_id)
            except ValidationError as error:
                errors["arxiv_id"] = error
        else:
            self.arxiv_id = None
        if self.doi:
            try:
                self.doi = normalize_doi(self.doi)
            except ValidationError as error:
                errors["doi"] = error
        else:
            self.doi = None
        if self.year is None and self.venue:
            parsed = parse_venue(self.venue)
            self.year = parsed.year if parsed else None
        if self.year is None and "arxiv_id" not in errors:
            self._fill_date_from_arxiv()  # else the year stays unknown (NULL)
        # An importer whose duplicate finder already looked these up sets the flag.
        ids_checked = getattr(self, "ids_checked_unique", False)
        for field in ("arxiv_id", "doi"):
            if field not in errors and getattr(self, field) and not ids_checked:
                existing = (
                    Paper.objects.filter(**{field: getattr(self, field)})
                    .exclude(pk=self.pk)
                    .first()
                )
                if existing:
                    errors[field] = ValidationError(
                        format_html(
                            "This is already in the database: <a href='{}'>{}</a>.",
                            reverse("admin:papers_paper_change", args=[existing.pk]),
                            existing,
                        ),
                        code="duplicate",
                    )
        if errors:
            raise ValidationError(errors)

    def _fill_date_from_arxiv(self):
        parsed = parse_arxiv_id(self.arxiv_id or "")
        if parsed:
            self.year = parsed[1]
            if self.month is None:
                self.month = parsed[2]


class Authorship(models.Model):
    """An author's place in a paper's byline."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "author"], name="unique_author_per_paper")
        ]
        # Author first: an author's page finds their papers in this index alone.
        indexes = [models.Index(fields=["author", "paper"], name="authorship_author_paper")]

    def __str__(self):
        return f"{self.author} on {self.paper}"


class PaperLink(models.Model):
    class Kind(models.TextChoices):
        CODE = "code", "Code"
        PROJECT = "project", "Project page"
        BLOG = "blog", "Blog post"
        VIDEO = "video", "Video"
        SLIDES = "slides", "Slides"
        DATA = "data", "Data"
        # The writer's own notes on the paper (a notes site, a gist): what a "papers I
        # read" list links instead of the paper.
        NOTES = "notes", "Notes"
        OTHER = "other", "Other"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(
        max_length=200, blank=True, help_text="e.g. “PyTorch”, “Official code”."
    )
    url = models.URLField("URL", max_length=1000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label or self.get_kind_display()


def figure_upload_to(instance, filename):
    # The stored name never comes from the user's file name: no traversal, no clashes.
    extension = "jpg" if filename.lower().endswith((".jpg", ".jpeg")) else "png"
    return f"figures/{uuid.uuid4().hex}.{extension}"


class Figure(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="figures")
    image = RenditionImageField(upload_to=figure_upload_to, rendition_field="image_webp")
    # The figure's WebP rendition, which the paper page shows (papers.site.images).
    image_webp = models.CharField(max_length=100, blank=True, editable=False)
    # The size lets pages give every <img> its width and height (no layout shift while a
    # figure loads). Measured in save(), not through ImageField's width_field: that one
    # reopens the file (maybe in object storage) whenever a row without a size is loaded,
    # and fails the page if the file is gone.
    image_width = models.PositiveIntegerField(null=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, editable=False)
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the image comes from, e.g. “Figure 1 of the paper”.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption or f"Figure {self.position}"

    def save(self, *args, **kwargs):
        # A new file (not yet committed to storage) or a row stored before sizes were kept.
        if self.image and (not self.image._committed or self.image_width is None):
            self.image_width, self.image_height = image_size(self.image)
        super().save(*args, **kwargs)


def image_size(image):
    """``(width, height)`` of an image file, or ``(None, None)`` if it cannot be read."""
    try:
        return image.width, image.height
    except (OSError, ValueError, TypeError):
        return None, None


# Related papers' stored lists (computed by papers/related.py).


class RelatedPaper(models.Model):
    """One stored neighbour of a paper: ``other`` is ``paper``'s ``rank``-th most similar."""

    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ["paper", "rank"]
        # The one query of a page reads this index: WHERE paper_id = … ORDER BY rank.
        constraints = [
            models.UniqueConstraint(fields=["paper", "rank"], name="relatedpaper_paper_rank")
        ]

    def __str__(self):
        return f"{self.paper_id} → {self.other_id} ({self.score:.2f})"


class RelatedIndex(models.Model):
    """One row: which stored model (``papers.related_model``) the lists were computed
    with. A model on disk whose token differs (another box's, an older one, one left by a
    transaction rolled back) is not used: the job rebuilds instead."""

    token = models.CharField(max_length=32, blank=True)
    papers = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(null=True, blank=True)
    changed_since_fit = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"related papers of {self.papers:,} papers ({self.changed_since_fit:,} changed)"


# Topics (the reading list of papers/topics.py).


class Topic(models.Model):
    """A top-level topic of the reading list: a tag, its place and what it covers."""

    tag = models.OneToOneField(Tag, on_delete=models.CASCADE, related_name="topic")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lowest first.")
    description = models.TextField(
        blank=True,
        max_length=2000,
        validators=[validate_markdown],
        help_text="Markdown shown under the topic's heading on /topics/.",
    )
    description_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.tag.name

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)


class FacetCount(models.Model):
    """How many published papers have one year, (year, tag), (year, venue) or author.

    Kept on save by papers/counts.py, which needs the models above: the model is here so
    that this module does not import papers.counts back."""

    NO_YEAR = 0  # papers without a year; the author rows are all NO_YEAR (all years)

    class Facet(models.TextChoices):
        YEAR = "year", "year"
        TAG = "tag", "year and tag"
        VENUE = "venue", "year and venue"
        AUTHOR = "author", "author"

    facet = models.CharField(max_length=6, choices=Facet.choices)
    year = models.SmallIntegerField(help_text="0: no year (author rows: all years).")
    key = models.IntegerField(help_text="The tag, venue or author id; 0 for the year facet.")
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facet", "year", "key"], name="facetcount_unique")
        ]
        # The most prolific authors: the largest counts of one facet first.
        indexes = [models.Index(fields=["facet", "-n"], name="facetcount_facet_n")]

    def __str__(self):
        return f"{self.facet} {self.year} {self.key}: {self.n}"


# Models of this app kept in their own modules (they import what this module imports).
from papers.identity import SiteSettings  # noqa: E402

__all__ = [
    "Author",
    "AuthorRedirect",
    "Job",
    "Authorship",
    "FacetCount",
    "Figure",
    "Paper",
    "PaperLink",
    "RelatedIndex",
    "RelatedPaper",
    "SiteSettings",
    "Status",
    "Tag",
    "TaggedPaper",
    "TagRedirect",
    "Venue",
    "Topic",
]

from papers.jobs.models import Job  # noqa: E402 - one app, models in their own package
