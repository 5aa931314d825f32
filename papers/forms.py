"""Admin forms of the paper database."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from papers.authors import similar_authors
from papers.intake.duplicates import same_title_and_year
from papers.models import Author, Figure, Paper
from papers.site.images import ReencodedImageField
from papers.tagging import Tag, TagsField


def _admin_links(objects, model_name):
    return format_html_join(
        ", ",
        "<a href='{}'>{}</a>",
        ((reverse(f"admin:papers_{model_name}_change", args=[obj.pk]), obj) for obj in objects),
    )


def warn_unless_confirmed(confirmed, matches, model_name, message, choices=""):
    """Refuse the form while ``matches`` exist and the editor has not ticked ``confirmed``.

    ``message`` has one ``{}``, the links to the matching rows' admin pages; ``choices``
    (safe HTML) follows it.
    """
    if matches and not confirmed:
        text = format_html(message, _admin_links(matches[:5], model_name))
        raise forms.ValidationError(format_html("{}{}", text, choices), code="needs_confirmation")


class PaperAdminForm(forms.ModelForm):
    tags = TagsField(required=False, help_text="Comma-separated, e.g. “vision, self-supervised”.")
    confirm_duplicate = forms.BooleanField(
        required=False,
        label="Save anyway",
        help_text="Tick to save although a paper with the same title and year exists.",
    )

    class Meta:
        model = Paper
        fields = [
            "title", "alias", "status", "tags", "year", "month", "venue", "published_in",
            "affiliations", "arxiv_id", "doi", "url", "pdf_url", "slug", "abstract", "notes",
            "related",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "affiliations": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def clean(self):
        data = super().clean()
        # The text changed and the venue was not picked by hand: read it again on save.
        if "venue" in self.changed_data and "published_in" not in self.changed_data:
            self.instance.published_in = None
            data["published_in"] = None
        title, year = data.get("title"), data.get("year")
        if title and year and not data.get("confirm_duplicate"):
            warn_unless_confirmed(
                False,
                same_title_and_year(" ".join(title.split()), year, exclude_pk=self.instance.pk),
                "paper",
                "A paper with the same title and year is already in the database: {}. "
                "Tick “Save anyway” to keep both.",
            )
        return data


class AuthorAdminForm(forms.ModelForm):
    confirm_new = forms.BooleanField(
        required=False,
        label="This is a different person",
        help_text="Tick to add the author although a similar name exists.",
    )

    class Meta:
        model = Author
        fields = ["name", "affiliation", "homepage", "google_scholar", "orcid", "semantic_scholar"]

    # Set by AuthorAdmin when the form is the "+" popup beside a paper's authors.
    in_popup = False

    def clean(self):
        data = super().clean()
        name = data.get("name")
        renamed = self.instance.pk is None or "name" in self.changed_data
        if name and renamed and not data.get("confirm_new"):
            matches = similar_authors(name, exclude_pk=self.instance.pk)
            warn_unless_confirmed(
                False,
                matches,
                "author",
                "A similar author already exists: {}. Pick them instead, or tick "
                "“This is a different person”.",
                self._use_buttons(matches[:5]) if self.in_popup and not self.instance.pk else "",
            )
        return data

    @staticmethod
    def _use_buttons(authors):
        # In the popup, picking the stored author must not mean closing it and searching
        # the paper's author list again: the button hands the author to the paper form
        # (static/papers/admin/use_existing_author.js), as saving a new one would.
        return format_html_join(
            "",
            ' <button type="button" class="button use-existing-author" data-pk="{}" '
            'data-name="{}">Use {}</button>',
            ((author.pk, str(author), author) for author in authors),
        )


class TagAdminForm(forms.ModelForm):
    merge_into_existing = forms.BooleanField(
        required=False,
        label="Merge into the existing tag",
        help_text="When the new name is another tag's, tick to merge this tag into it.",
    )

    class Meta:
        model = Tag
        fields = ["name", "description"]

    def existing_tag(self):
        name = self.cleaned_data.get("name")
        if not name:
            return None
        return Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()

    def validate_unique(self):
        # A clash with another tag's name is an offer to merge (clean), not an error.
        if self.instance.pk and self.existing_tag():
            return
        super().validate_unique()

    def clean(self):
        data = super().clean()
        other = self.existing_tag()
        if other and self.instance.pk is None:
            raise forms.ValidationError(f"The tag “{other}” already exists.")
        if other:
            warn_unless_confirmed(
                data.get("merge_into_existing"),
                [other],
                "tag",
                "The tag {} already has this name. Tick “Merge into the existing tag” to move "
                "everything tagged with this one to it (its address will redirect).",
            )
        return data


class MergeForm(forms.Form):
    """The intermediate page of a merge action: which of the chosen rows survives."""

    target = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset


class FigureForm(forms.ModelForm):
    """A figure's image is read by Pillow and re-encoded; the upload itself is not kept."""

    class Meta:
        model = Figure
        fields = ["image", "caption", "credit", "position"]
        field_classes = {"image": ReencodedImageField}
