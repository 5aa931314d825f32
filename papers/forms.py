"""Admin forms of the paper database."""

from django import forms
from django.core.exceptions import ValidationError

from papers.images import reencode_image
from papers.models import Figure, Paper
from papers.tagging import TagsField


class PaperAdminForm(forms.ModelForm):
    tags = TagsField(required=False, help_text="Comma-separated, e.g. “vision, self-supervised”.")

    class Meta:
        model = Paper
        fields = [
            "title", "alias", "status", "tags", "year", "month", "venue", "affiliations",
            "arxiv_id", "doi", "url", "pdf_url", "slug", "abstract", "notes", "related",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "affiliations": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }


class FigureForm(forms.ModelForm):
    """A figure's image is read by Pillow and re-encoded; the upload itself is not kept."""

    class Meta:
        model = Figure
        fields = ["image", "caption", "credit", "position"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        # An unchanged image on an existing figure is the stored file, not an upload.
        if (
            image
            and image != getattr(self.instance, "image", None)
            and hasattr(image, "content_type")
        ):
            try:
                return reencode_image(image)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return image
