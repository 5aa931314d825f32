"""Forms of the intake admin pages."""

import zipfile

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from papers.intake.bibtex_import import MAX_BIBTEX_BYTES
from papers.intake.files import MAX_UPLOAD_BYTES, FileImportError, kind_of
from papers.intake.library_import import LABELS
from papers.intake.lookup import MAX_IDENTIFIERS, split_identifiers
from papers.intake.records import PaperRecord
from papers.intake.saving import OnExisting
from papers.models import MONTHS
from papers.tagging import TagsField


class IdentifiersForm(forms.Form):
    identifiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "autofocus": True}),
        max_length=10_000,
        help_text=(
            "One or more arXiv ids or URLs (2103.00020, https://arxiv.org/abs/2103.00020v2, "
            f"hep-th/9901001) or DOIs (10.1038/…, https://doi.org/…); up to {MAX_IDENTIFIERS}, "
            "separated by spaces, commas or new lines."
        ),
    )

    def clean_identifiers(self):
        identifiers = split_identifiers(self.cleaned_data["identifiers"])
        if not identifiers:
            raise forms.ValidationError("Paste at least one arXiv id or DOI.")
        if len(identifiers) > MAX_IDENTIFIERS:
            raise forms.ValidationError(
                "That is %(n)d identifiers; add at most %(max)d at a time.",
                params={"n": len(identifiers), "max": MAX_IDENTIFIERS},
            )
        return identifiers


class PreviewForm(forms.Form):
    """One fetched paper, as the editor corrects it before saving."""

    CREATE, UPDATE, SKIP = "create", "update", "skip"
    action = forms.ChoiceField(
        choices=[
            (CREATE, "Add as a new draft"),
            (UPDATE, "Update the existing paper with these values"),
            (SKIP, "Leave out"),
        ],
        widget=forms.RadioSelect,
    )
    existing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    identifier = forms.CharField(max_length=300, widget=forms.HiddenInput)
    title = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 90}))
    alias = forms.CharField(max_length=100, required=False)
    authors = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="One per line, in byline order.",
    )
    year = forms.IntegerField(validators=[MinValueValidator(1600), MaxValueValidator(2100)])
    month = forms.TypedChoiceField(
        choices=[("", "—"), *MONTHS], coerce=int, empty_value=None, required=False
    )
    venue = forms.CharField(
        max_length=255, required=False, widget=forms.TextInput(attrs={"size": 60})
    )
    affiliations = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"size": 60})
    )
    arxiv_id = forms.CharField(label="arXiv id", max_length=40, required=False)
    doi = forms.CharField(
        label="DOI", max_length=255, required=False, widget=forms.TextInput(attrs={"size": 60})
    )
    url = forms.URLField(
        label="URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 90}),
    )
    pdf_url = forms.URLField(
        label="PDF URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 90}),
    )
    abstract = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 90}))
    tags = TagsField(
        required=False, help_text="Comma-separated; the arXiv category is a suggestion."
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.UPDATE and not data.get("existing"):
            raise forms.ValidationError("There is no existing paper to update.")
        return data

    @classmethod
    def initial_for(cls, lookup, match):
        record = lookup.record
        return {
            "action": cls.SKIP if match else cls.CREATE,
            "existing": match.known.pk if match else None,
            "identifier": lookup.raw,
            "title": record.title,
            "alias": record.alias,
            "authors": "\n".join(record.authors),
            "year": record.year,
            "month": record.month,
            "venue": record.venue,
            "affiliations": record.affiliations,
            "arxiv_id": record.arxiv_id,
            "doi": record.doi,
            "url": record.url,
            "pdf_url": record.pdf_url,
            "abstract": record.abstract,
            "tags": ", ".join(f'"{t}"' if "," in t else t for t in record.tags),
        }

    def to_record(self):
        data = self.cleaned_data
        return PaperRecord(
            title=data["title"],
            alias=data["alias"],
            authors=[line.strip() for line in data["authors"].splitlines() if line.strip()],
            year=data["year"],
            month=data["month"],
            venue=data["venue"],
            affiliations=data["affiliations"],
            arxiv_id=data["arxiv_id"],
            doi=data["doi"],
            url=data["url"],
            pdf_url=data["pdf_url"],
            abstract=data["abstract"],
            tags=list(data["tags"] or []),
            source=data["identifier"],
        )


PreviewFormSet = forms.formset_factory(
    PreviewForm, extra=0, max_num=MAX_IDENTIFIERS, absolute_max=MAX_IDENTIFIERS, validate_max=True
)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "A library from a reference manager (BibTeX .bib, RIS .ris or CSL-JSON .json, up "
            f"to {MAX_BIBTEX_BYTES // 2**20} MB), a notes file "
            "(.md or .org), or a .zip of a notes repository with its pages, images and "
            f"slides (up to {MAX_UPLOAD_BYTES // 2**20} MB)."
        ),
    )
    existing = forms.ChoiceField(
        label="Papers already in the database",
        choices=OnExisting.choices,
        initial=OnExisting.FILL,
        widget=forms.RadioSelect,
    )
    strict = forms.BooleanField(
        required=False,
        label="All or nothing: import nothing if any entry has an error",
    )
    repository_pdfs = forms.BooleanField(
        required=False,
        label="PDFs stored in a code repository are papers",
        help_text=(
            "Notes and .zip files: a link to a PDF kept on GitHub (…/blob/….pdf) whose text "
            "reads as a title is imported as that paper. Leave unticked unless the list is "
            "an archive of papers: such lists keep slides and talks the same way, and "
            "unticked they are listed as skipped."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            kind = kind_of(upload.name)
        except FileImportError as error:
            raise forms.ValidationError(str(error)) from None
        limit = MAX_BIBTEX_BYTES if kind in LABELS else MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                "The file is %(size).1f MB; the limit is %(max)d MB. Split it, or use "
                "manage.py import_bibtex / import_notes.",
                params={"size": upload.size / 2**20, "max": limit // 2**20},
            )
        # Only checks that read a few bytes here: the job reads and parses the file.
        if kind == "repository" and not zipfile.is_zipfile(upload):
            raise forms.ValidationError("This is not a .zip file (or it is damaged).")
        upload.seek(0)
        return upload


class ImportConfirmForm(forms.Form):
    """ "Import" on a preview's page: the preview job whose upload and options to import."""

    preview = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
