"""The admin form for sessions: tags checked, covers re-encoded, links normalised."""

from django import forms
from django.db import models

from papers.images import clean_image_upload
from papers.publishing import PublishPapersField
from papers.tagging import TagsField
from readinggroup.models import Presentation


def https_urls(db_field, **kwargs):
    """Form fields for the model; a URL typed without a scheme is read as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class PresentationAdminForm(forms.ModelForm):
    tags = TagsField(required=False, help_text="Comma-separated, e.g. “vision, unlearning”.")
    publish_draft_papers = PublishPapersField(label="Also publish its paper if a draft")

    class Meta:
        model = Presentation
        formfield_callback = https_urls
        fields = [
            "number", "title", "status", "paper", "presenters", "scheduled_at",
            "duration_minutes", "location", "meeting_url", "summary", "slides", "cover",
            "recording_url", "tags", "slug",
        ]  # fmt: skip
        widgets = {
            "slides": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
            "cover": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }

    def clean_cover(self):
        return clean_image_upload(self.cleaned_data.get("cover"))
