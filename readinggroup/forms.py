"""The admin form for sessions: tags checked, covers re-encoded, links normalised.

The title may be left blank when a paper is chosen (it becomes the paper's title), and
slides uploaded with a form that has another error are kept (papers/pending.py): the
corrected form saves them without choosing the file again.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.html import format_html

from papers import pending
from papers.publishing import PublishPapersField
from papers.site.images import ReencodedImageField
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
    pending_slides = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)

    class Meta:
        model = Presentation
        formfield_callback = https_urls
        fields = [
            "number", "title", "status", "paper", "presenters", "scheduled_at",
            "duration_minutes", "location", "meeting_url", "summary", "slides", "cover",
            "recording_url", "tags", "slug",
        ]  # fmt: skip
        field_classes = {"cover": ReencodedImageField}
        widgets = {
            "slides": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
            "cover": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "Left blank, the session takes the paper's title."
        if self.is_bound and self.data.get("pending_slides"):
            self._note_kept_slides()

    def _note_kept_slides(self):
        note = format_html(
            "{} <strong>The PDF you uploaded is kept</strong>: save to use it, or choose "
            "another file to replace it.",
            Presentation._meta.get_field("slides").help_text,
        )
        self.fields["slides"].help_text = note
        self["slides"].help_text = note  # the bound field copied it when the form was cleaned

    def clean_slides(self):
        slides = self.cleaned_data.get("slides")
        token = self.cleaned_data.get("pending_slides") or self.data.get("pending_slides")
        if isinstance(slides, UploadedFile) or slides is False or not token:
            return slides  # a new file, "clear", or nothing kept
        return pending.take(token, "pdf")

    def clean(self):
        cleaned = super().clean()
        paper = cleaned.get("paper")
        if not cleaned.get("title"):
            if paper is not None:
                cleaned["title"] = paper.title[: Presentation._meta.get_field("title").max_length]
                self.instance.title = cleaned["title"]
            elif "paper" not in self.errors:
                self.add_error("title", "Give a title, or choose the paper presented.")
        return cleaned

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        slides = self.cleaned_data.get("slides") if hasattr(self, "cleaned_data") else None
        if isinstance(slides, UploadedFile) and "slides" not in self._errors:
            # A good PDF on a form with another error: keep it for the corrected form.
            self.data = self.data.copy()
            self.data["pending_slides"] = pending.keep(slides, "pdf")
            self._note_kept_slides()

    def kept_slides_token(self):
        """The token of slides this form took from a kept upload, to discard after saving."""
        slides = self.cleaned_data.get("slides")
        if isinstance(slides, UploadedFile) or not slides:
            return None
        return self.data.get("pending_slides") or None
