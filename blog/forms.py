"""Admin forms of the reports."""

from django import forms

from blog.models import Report
from papers.publishing import PublishPapersField
from papers.site.images import ReencodedImageField
from papers.tagging import TagsField


class ReportAdminForm(forms.ModelForm):
    tags = TagsField(required=False, help_text="Comma-separated, e.g. “vision, 3d”.")
    publish_draft_papers = PublishPapersField()

    class Meta:
        model = Report
        fields = [
            "title", "kind", "number", "status", "published_at", "work_in_progress", "tags",
            "series", "part", "cover", "cover_alt", "teaser", "body", "slug",
        ]  # fmt: skip
        # Pillow reads the cover and re-encodes it; the upload itself is never stored.
        field_classes = {"cover": ReencodedImageField}
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "cover_alt": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "teaser": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }
