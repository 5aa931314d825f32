"""Site-wide tags: one ``Tag`` model shared by papers, reports and sessions.

django-taggit does the tagging; this module decides what a valid tag is and how it
becomes a URL, so "C++" and "C#" get slugs of their own and "机器学习" stays readable.
"""

import re

from django import forms
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.utils.text import slugify
from taggit.forms import TagField
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from papers.intake.slugs import free_slug
from papers.site.markdown import render_markdown, validate_markdown
from papers.site.search import NameInOtherDocuments

TAG_MAX_LENGTH = 100
# Tags a list, search or API request may combine (AND).
MAX_TAG_FILTERS = 5

# Characters that carry meaning in tag names but vanish in a plain slug.
_SLUG_WORDS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tag_slugify(name):
    """Slug for a tag name: Unicode kept, ``+``/``#`` spelled out, never empty."""
    spelled = "".join(_SLUG_WORDS.get(char, char) for char in name)
    return slugify(spelled, allow_unicode=True)[:TAG_MAX_LENGTH] or "tag"


class Tag(NameInOtherDocuments, TagBase):
    """A topic; ``name`` is what people type, ``slug`` is the URL."""

    description = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown, shown at the top of the tag's page.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"

    def slugify(self, tag, i=None):
        slug = tag_slugify(tag)
        return f"{slug[: TAG_MAX_LENGTH - len(str(i)) - 1]}-{i}" if i is not None else slug

    def save(self, *args, **kwargs):
        """A renamed tag gets the slug of its new name; the old URL keeps redirecting."""
        old = None
        if self.pk and not self._state.adding:
            old = Tag.objects.filter(pk=self.pk).values_list("name", "slug").first()
        if old and old[0] != self.name and old[1] == self.slug:
            self.slug = self._free_slug(self.name)
        super().save(*args, **kwargs)
        if old and old[1] != self.slug:
            TagRedirect.objects.update_or_create(old_slug=old[1], defaults={"tag": self})
            # The new slug may be one this tag (or another) once had: it is live now.
            TagRedirect.objects.filter(old_slug=self.slug).delete()

    def _free_slug(self, name):
        # taggit numbers a new tag's clashes the same way (slugify(tag, i)): -2, -3…
        others = Tag.objects.exclude(pk=self.pk)
        return free_slug(
            name,
            "tag",
            TAG_MAX_LENGTH,
            lambda slug: others.filter(slug=slug).exists(),
            base=self.slugify(name),
        )

    def description_html(self):
        """The description rendered and sanitised like every other Markdown text."""
        return render_markdown(self.description) if self.description else ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tag_detail", args=[self.slug])


class TagRedirect(models.Model):
    """A slug a tag had before it was renamed: its old URLs redirect to the tag."""

    old_slug = models.SlugField(max_length=TAG_MAX_LENGTH + 10, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class TaggedItemManager(models.Manager):
    def get_by_natural_key(self, object_id, tag_name):
        return self.get(content_object_id=object_id, tag__name=tag_name)


class TaggedItem(TaggedItemBase):
    """Base for each app's own through table: a real foreign key is faster than generic.

    Subclasses add ``content_object``, a foreign key to the tagged model.
    """

    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_items"
    )

    objects = TaggedItemManager()

    class Meta:
        abstract = True

    def natural_key(self):
        """(tagged object's pk, tag name): taggit's base has a natural_key() that lacks
        the fields to work, which broke ``dumpdata --natural-primary`` backups."""
        return (self.content_object_id, self.tag.name)

    natural_key.dependencies = ["papers.tag"]


def tags_field(through):
    """The ``tags`` of a content model, through ``through`` (a ``TaggedItem``).

    In the order they were added, whichever way they are read: taggit orders a row's
    ``tags.all()`` by the link's id, but a ``prefetch_related`` of tags not at all, so on
    PostgreSQL a list's, a feed's or a rebuilt search document's tags came in the table's
    physical order (a feed entry's categories moved between renders)."""
    links = f"{through._meta.app_label}_{through._meta.model_name}_items"
    return TaggableManager(through=through, blank=True, ordering=[f"{links}__pk"])


# --- Filtering and counting by tag: the one implementation for every tagged model -------


def tag_items(model):
    """Tag's reverse name of ``model``'s through table (``"papers_taggedpaper_items"``)."""
    meta = model.tags.through._meta
    return f"{meta.app_label}_{meta.model_name}_items"


def with_tag_ids(queryset, ids):
    """Rows of ``queryset`` carrying every tag of ``ids`` (AND), as one ``EXISTS`` per tag.

    By id, not slug: with the id in the query PostgreSQL knows how common the tag is, so
    for a popular one it walks the date index and stops after a page instead of sorting
    every tagged row; ``EXISTS`` never repeats a row, so counts need no ``DISTINCT``.
    """
    through = queryset.model.tags.through.objects
    for pk in ids:
        queryset = queryset.filter(Exists(through.filter(content_object=OuterRef("pk"), tag=pk)))
    return queryset


def with_tags(queryset, slugs, ids=None):
    """Rows carrying every tag of ``slugs``; none if a slug names no tag.

    ``ids`` (``{slug: id}``) saves the lookup when the caller has it (papers/facets.py
    keeps every tag's id in its cached summary); otherwise one query finds them.
    """
    if not slugs:
        return queryset
    if ids is None:
        ids = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    if any(slug not in ids for slug in slugs):
        return queryset.none()
    return with_tag_ids(queryset, [ids[slug] for slug in slugs])


def _tagged_rows(queryset):
    """The through-table rows of the rows of ``queryset``, for grouping by tag: one pass
    over the through table joined to those rows, however many tags there are."""
    through = queryset.model.tags.through.objects
    return through.filter(content_object__in=queryset.order_by().values("pk")).order_by()


def tag_id_counts(queryset):
    """``(tag id, n)`` of every tag on the rows of ``queryset``: one grouped query."""
    return _tagged_rows(queryset).values_list("tag").annotate(n=Count("pk"))


def tags_of(queryset):
    """``(row pk, tag slug, tag name)`` of every tag on the rows of ``queryset``: one query."""
    return _tagged_rows(queryset).values_list("content_object", "tag__slug", "tag__name")


def tag_counts(queryset):
    """``(pk, name, slug, n)`` of every tag on the rows of ``queryset``: one grouped query."""
    return (
        _tagged_rows(queryset).values_list("tag", "tag__name", "tag__slug").annotate(n=Count("pk"))
    )


def tags_most_used(queryset, limit):
    """The ``limit`` most used tags on the rows of ``queryset``, most used first (then by
    name), each with its ``count``: one grouped query."""
    items = tag_items(queryset.model)
    return list(
        Tag.objects.filter(**{f"{items}__content_object__in": queryset.order_by().values("pk")})
        .annotate(count=Count(items))
        .order_by("-count", "name")[:limit]
    )


def validate_tag_name(name):
    """Raise ``ValidationError`` for a tag no page could show or link to."""
    if len(name) > TAG_MAX_LENGTH:
        raise forms.ValidationError(
            "The tag “%(start)s…” is %(length)d characters long; tags are at most %(max)d.",
            params={"start": name[:20], "length": len(name), "max": TAG_MAX_LENGTH},
        )
    if _CONTROL.search(name):
        raise forms.ValidationError("Tags cannot contain control characters.")
    if not any(char.isalnum() for char in name):
        raise forms.ValidationError(
            "The tag “%(name)s” has no letter or digit.", params={"name": name}
        )


class TagsField(TagField):
    """Comma-separated tag input that refuses tags a page could not show."""

    def clean(self, value):
        names = super().clean(value)
        errors = []
        for name in names:
            try:
                validate_tag_name(name)
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return names
