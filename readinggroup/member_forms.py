"""Forms of the member pages: sign up, profile, suggest a paper, presenter's materials."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from papers.intake.lookup import classify
from papers.models import Paper
from papers.site.markdown import validate_markdown
from readinggroup.members import MAX_LINKS, Member
from readinggroup.models import Presentation
from readinggroup.recordings import normalize_recording_url

_HTTPS = URLValidator(schemes=["https"])


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="Shown to other members and on sessions.")
    username = forms.CharField(
        max_length=150,
        help_text="For logging in: letters, digits and @/./+/-/_ only.",
        validators=[get_user_model().username_validator],
    )
    email = forms.EmailField(help_text="For resetting your password; never shown to anyone.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken.")
        return username

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords differ.")
        elif one:
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(one, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


def clean_links(text):
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError(f"At most {MAX_LINKS} links.")
    for link in links:
        if len(link) > 300:
            raise ValidationError("A link is at most 300 characters.")
        try:
            _HTTPS(link)
        except ValidationError:
            raise ValidationError(f"“{link[:80]}” is not an https:// link.") from None
    return "\n".join(links)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "links"]
        widgets = {"links": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_links(self):
        return clean_links(self.cleaned_data["links"])


class SuggestForm(forms.Form):
    identifier = forms.CharField(
        label="arXiv id, DOI or their link",
        max_length=300,
        required=False,
        help_text="For example 2103.00020, arxiv.org/abs/2103.00020 or https://doi.org/10.….",
    )
    paper = forms.ModelChoiceField(
        label="…or a paper from the library",
        queryset=Paper.objects.none(),
        required=False,
        to_field_name="slug",
        # A text box, not a <select> of every published paper (100,000 options).
        widget=forms.TextInput,
        help_text="The last part of its address: “attention” for /papers/attention/.",
        error_messages={"invalid_choice": "There is no such paper in the library."},
    )
    reason = forms.CharField(
        label="Why read it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_markdown],
        help_text="A sentence or two (Markdown).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Members choose only among published papers: drafts stay the organiser's.
        self.fields["paper"].queryset = Paper.objects.published()

    def clean_identifier(self):
        raw = self.cleaned_data["identifier"].strip()
        if raw:
            classify(raw)  # the intake's own rule and message for what is not an id
        return raw

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("identifier")) == bool(data.get("paper")):
            raise ValidationError("Give an arXiv id or DOI, or choose a paper — one of the two.")
        return data


class MaterialsForm(forms.ModelForm):
    """What a presenter may change on their own session: slides and recording link."""

    class Meta:
        model = Presentation
        fields = ["slides", "recording_url"]
        widgets = {"slides": forms.ClearableFileInput(attrs={"accept": "application/pdf"})}

    def clean_recording_url(self):
        value = self.cleaned_data["recording_url"].strip()
        return normalize_recording_url(value) if value else ""
