"""Reports: numbered paper reports, multi-part book reports, paper-of-the-week posts, articles."""

import html
import math
import uuid

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from markdownx.models import MarkdownxField

from papers.content.base import Content, ContentQuerySet, mentions_field, status_field
from papers.models import Paper, Status, unique_slug
from papers.site.images import RenditionImageField
from papers.site.markdown import render_document, render_markdown_with_mentions, validate_markdown
from papers.tagging import TaggedItem, tags_field

WORDS_PER_MINUTE = 220


class Kind(models.TextChoices):
    PAPER_REPORT = "paper-report", "Paper report"
    BOOK_REPORT = "book-report", "Book report"
    PAPER_OF_THE_WEEK = "paper-of-the-week", "Paper of the week"
    ARTICLE = "article", "Article"

    @property
    def url_slug(self):
        """The kind's page, ``/reports/<url_slug>/``."""
        return _KIND_URL_SLUGS[self]

    @property
    def plural(self):
        return _KIND_PLURALS[self]

    @classmethod
    def from_url_slug(cls, slug):
        """The kind whose page is ``slug``, or ``None``."""
        return next((kind for kind, value in _KIND_URL_SLUGS.items() if value == slug), None)


_KIND_URL_SLUGS = {
    Kind.PAPER_REPORT: "paper-reports",
    Kind.BOOK_REPORT: "book-reports",
    Kind.PAPER_OF_THE_WEEK: "paper-of-the-week",
    Kind.ARTICLE: "articles",
}
_KIND_PLURALS = {
    Kind.PAPER_REPORT: "Paper reports",
    Kind.BOOK_REPORT: "Book reports",
    Kind.PAPER_OF_THE_WEEK: "Paper of the week",
    Kind.ARTICLE: "Articles",
}


def kind_heading(kind, request=None):
    """The heading of ``kind``'s section: the site settings' label, else its plural."""
    from papers import identity

    return identity.current(request).label(f"reports:{kind.value}", kind.plural)


# A report's URL is /reports/<slug>/ beside the kind pages /reports/<kind>/: never the same.
RESERVED_SLUGS = frozenset(_KIND_URL_SLUGS.values())


def public_label(kind, number, request=None, *, renamed=True, labels=None):
    """The label the public site shows of a report of ``kind`` and ``number``: the kind's
    section heading when the editor renamed it in the site settings (“Very recent papers”
    for “Paper of the week”), so a card, a feed entry or a backlink names the section its
    link leads to; else (or not ``renamed``) “Paper report 10”, “Book report”, “Article”.
    A function of the row's values: the tag feed reads them without the row's object.
    ``labels``: the site settings' labels, read once for many rows."""
    if renamed:
        if labels is None:
            from papers import identity

            labels = identity.current(request).labels
        heading = labels.get(f"reports:{kind}")
        if heading:
            return f"{heading} #{number}" if number is not None else heading
    name = dict(Kind.choices).get(kind, kind)  # as ``get_kind_display()`` names it
    return f"{name} {number}" if number is not None else name


class Series(models.Model):
    """Reports that belong together, e.g. the two parts of a book report."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Series, self.title, self.pk, max_length=100, fallback="series")
        super().save(*args, **kwargs)


class TaggedReport(TaggedItem):
    content_object = models.ForeignKey("Report", on_delete=models.CASCADE)

    class Meta:
        unique_together = [("content_object", "tag")]


# Newest first; a report never published (no date) after the dated ones, on SQLite and on
# PostgreSQL alike (PostgreSQL sorts NULL first in a descending order).
NEWEST_FIRST = (models.F("published_at").desc(nulls_last=True),)


class ReportQuerySet(ContentQuerySet):
    def published(self):
        """The one visibility rule: status published and a publication time that has passed."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def for_list(self):
        """What a report card shows: the series (joined) and tags (one query per page)."""
        return self.select_related("series").prefetch_related("tags")

    def for_cards(self):
        """The report's own columns a card shows, without its series and tags (read for
        the cards not kept, ``blog/cards.py``) and without the texts no card shows."""
        return self.defer("body", "body_html", "toc", "search_text", "search_vector")

    def before(self, report):
        """Reports published just before ``report``, nearest first (call ``.first()``)."""
        moment = report.published_at
        return self.filter(
            Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=report.pk)
        ).newest_first()

    def after(self, report):
        """Reports published just after ``report``, nearest first (call ``.first()``)."""
        moment = report.published_at
        return self.filter(
            Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=report.pk)
        ).order_by("published_at", "pk")


def cover_upload_to(instance, filename):
    # Covers are re-encoded by the admin form; the user's file name is never used.
    extension = "jpg" if filename.lower().endswith((".jpg", ".jpeg")) else "png"
    return f"covers/{uuid.uuid4().hex}.{extension}"


class Report(Content):
    Kind = Kind

    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.PAPER_REPORT, db_index=True
    )
    number = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="“Paper report 10”: unique within its kind. Leave blank for unnumbered posts.",
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="The report's URL. Left blank, it is made from the title.",
    )
    cover = RenditionImageField(
        upload_to=cover_upload_to,
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        rendition_field="cover_webp",
        help_text="PNG or JPEG, shown on lists and in link previews (1200 × 630 suits both).",
    )
    # The cover's WebP rendition, which the pages show (papers.site.images).
    cover_webp = models.CharField(max_length=100, blank=True, editable=False)
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        "cover description",
        max_length=300,
        blank=True,
        help_text="What the cover shows, for readers who cannot see it.",
    )
    teaser = models.TextField(
        max_length=1000,
        blank=True,
        validators=[validate_markdown],
        help_text="One or two sentences of Markdown for lists, feeds and link previews.",
    )
    teaser_html = models.TextField(blank=True, editable=False)
    body = MarkdownxField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown with $math$, ```code```, tables, footnotes; drop or paste images.",
    )
    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    papers = models.ManyToManyField(
        Paper, through="ReportPaper", related_name="reports", blank=True
    )
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    part = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its place in the series: 1, 2, …"
    )
    tags = tags_field(TaggedReport)
    status = status_field("Visible once published and its publication time has passed.")
    work_in_progress = models.BooleanField(
        default=False, help_text="Published but unfinished: the page says so."
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Filled in when first published; set a future time to schedule.",
    )
    mentions = mentions_field(
        "mentioned_in_reports", "Papers the text links with [[wiki-links]]; filled in on save."
    )

    objects = ReportQuerySet.as_manager()

    NEWEST_FIRST = NEWEST_FIRST
    SEARCH_TRIGRAMS = True  # papers.site.trigrams: its migration made the index

    class Meta(Content.Meta):
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                name="unique_report_number_per_kind",
                violation_error_message="Another report of this kind has this number.",
            ),
            models.UniqueConstraint(
                fields=["series", "part"],
                name="unique_part_per_series",
                violation_error_message="Another report of this series has this part number.",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, part__isnull=True)
                | Q(series__isnull=False, part__isnull=False),
                name="report_series_and_part_together",
                violation_error_message="A report in a series needs a part number, and only then.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="report_status_published"),
            # PostgreSQL only (the migration skips them elsewhere): full text and pg_trgm.
            *Content.Meta.indexes,  # report_search_vector
            GinIndex(fields=["title"], name="report_title_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Report, self.title, self.pk, max_length=100, fallback="report")
            if self.slug in RESERVED_SLUGS:
                self.slug = unique_slug(Report, f"{self.slug} report", self.pk, max_length=100)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        # Rendered once here, so pages, feeds and previews never re-render per request.
        self._render()
        words = len(strip_tags(self.body_html).split())
        self.reading_minutes = max(1, math.ceil(words / WORDS_PER_MINUTE))
        if kwargs.get("update_fields") is not None:
            # A partial save of the source must also write what was rendered from it.
            fields = set(kwargs["update_fields"])
            if "body" in fields:
                fields |= {"body_html", "toc", "reading_minutes"}
            if "teaser" in fields:
                fields.add("teaser_html")
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)
        self.mentions.set(self._mentioned)
        self.update_search_index()

    # The page's URL name and the field that fills it (papers.site.addresses.page_path: a
    # list of rows resolves it once, not once per row).
    PAGE_URL = ("blog:report_detail", "slug")

    def get_absolute_url(self):
        return reverse(self.PAGE_URL[0], args=[getattr(self, self.PAGE_URL[1])])

    def _render(self):
        self.teaser_html, in_teaser = render_markdown_with_mentions(self.teaser)
        body = render_document(self.body)
        self.body_html, self.toc = body.html, body.toc
        self._mentioned = list(dict.fromkeys([*in_teaser, *body.mentions]))

    def refresh_wikilinks(self):
        """Render again after a linked paper changed; the report's dates stay as they are."""
        self._render()
        Report.objects.filter(pk=self.pk).update(
            teaser_html=self.teaser_html, body_html=self.body_html
        )
        self.mentions.set(self._mentioned)

    # What search_parts() reads besides the row, prefetched by ``search.rebuild_documents``.
    SEARCH_PREFETCH = ("papers", "tags")

    def search_parts(self):
        """The weighted text of the search document (two queries unless prefetched)."""
        body = html.unescape(strip_tags(self.body_html))
        return {
            "A": [self.title],
            "B": [
                *(tag.name for tag in self.tags.all()),
                self.get_kind_display(),
                *(name for paper in self.papers.all() for name in (paper.alias, paper.title)),
            ],  # fmt: skip
            "C": [self.teaser_text, body],
        }

    @property
    def label(self):
        """“Paper report 10”, “Book report”, “Article”."""
        return public_label(self.kind, self.number, renamed=False)

    def public_label(self, request=None):
        """The label the public site shows (``public_label``)."""
        return public_label(self.kind, self.number, request)

    @property
    def kind_url(self):
        return reverse("blog:report_kind", args=[Kind(self.kind).url_slug])

    @property
    def teaser_text(self):
        """The teaser as plain text (entities decoded) for meta tags and JSON-LD."""
        return " ".join(html.unescape(strip_tags(self.teaser_html)).split())

    def clean(self):
        self.title = " ".join(self.title.split())
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = "This address is taken by a list of reports; choose another."
        if self.series_id and self.part is None:
            errors["part"] = "Give the part number of this report within its series."
        if self.part is not None and not self.series_id:
            errors["series"] = "A part number needs a series."
        if errors:
            raise ValidationError(errors)

    def linked_papers(self):
        """Published papers this report is about, in the editor's order (three queries)."""
        return (
            Paper.objects.published()
            .for_list()
            .filter(report_links__report=self)
            .order_by("report_links__position", "report_links__pk")
        )


class ReportPaper(models.Model):
    """A paper a report is about. A paper in use by a report cannot be deleted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="paper_links")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="report_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "paper"
        verbose_name_plural = "papers this report is about"
        constraints = [
            models.UniqueConstraint(fields=["report", "paper"], name="unique_paper_per_report")
        ]

    def __str__(self):
        return str(self.paper)
