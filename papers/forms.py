"""Admin forms of the paper database."""

from django import forms

from papers.images import clean_image_upload
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
        return clean_image_upload(self.cleaned_data.get("image"))
