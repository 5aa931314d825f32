"""Site-wide tags: one ``Tag`` model shared by papers, reports and sessions.

django-taggit does the tagging; this module decides what a valid tag is and how it
becomes a URL, so "C++" and "C#" get slugs of their own and "机器学习" stays readable.
"""

import re

from django import forms
from django.db import models
from django.utils.text import slugify
from taggit.forms import TagField
from taggit.models import TagBase, TaggedItemBase

TAG_MAX_LENGTH = 100

# Characters that carry meaning in tag names but vanish in a plain slug.
_SLUG_WORDS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tag_slugify(name):
    """Slug for a tag name: Unicode kept, ``+``/``#`` spelled out, never empty."""
    spelled = "".join(_SLUG_WORDS.get(char, char) for char in name)
    return slugify(spelled, allow_unicode=True)[:TAG_MAX_LENGTH] or "tag"


class Tag(TagBase):
    """A topic; ``name`` is what people type, ``slug`` is the URL."""

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"

    def slugify(self, tag, i=None):
        slug = tag_slugify(tag)
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("papers:tag_detail", args=[self.slug])


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
