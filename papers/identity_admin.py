"""Admin for the site settings: one page, one row, a label and an epigraph per section."""

from django import forms
from django.contrib import admin

from papers.identity import SiteSettings, sections
from papers.site.images import ReencodedImageField
from papers.site.markdown import validate_markdown


def _field_names(key):
    slug = key.replace(":", "__").replace("-", "_")
    return f"label__{slug}", f"epigraph__{slug}"


class SiteSettingsFormBase(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = [
            "site_name", "tagline", "introduction", "about", "profile_name", "profile_photo",
            "profile_links", "footer", "time_zone",
        ]  # fmt: skip
        field_classes = {"profile_photo": ReencodedImageField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = self.instance.section_texts or {}
        for key, _ in sections():
            label_name, epigraph_name = _field_names(key)
            self.initial.setdefault(label_name, texts.get(key, {}).get("label", ""))
            self.initial.setdefault(epigraph_name, texts.get(key, {}).get("epigraph", ""))

    def save(self, commit=True):
        texts = {}
        for key, _ in sections():
            label_name, epigraph_name = _field_names(key)
            label = " ".join(self.cleaned_data.get(label_name, "").split())
            epigraph = self.cleaned_data.get(epigraph_name, "").strip()
            if label or epigraph:
                texts[key] = {"label": label, "epigraph": epigraph}
        self.instance.section_texts = texts
        return super().save(commit)


def site_settings_form():
    """The form class with a label and an epigraph field per registered section.

    Built when asked, not at import: the apps register their sections in ``ready()``, and
    the admin only accepts fields declared on the class.
    """
    attrs = {}
    for key, default in sections():
        label_name, epigraph_name = _field_names(key)
        attrs[label_name] = forms.CharField(
            label=f"“{default}” heading",
            max_length=100,
            required=False,
            help_text=f"Blank: “{default}”.",
        )
        attrs[epigraph_name] = forms.CharField(
            label=f"“{default}” epigraph",
            max_length=1000,
            required=False,
            validators=[validate_markdown],
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Markdown, e.g. “> A quotation\\n>\\n> —Its author”. Blank: none.",
        )
    return type("SiteSettingsForm", (SiteSettingsFormBase,), attrs)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """A singleton: one row to add once, then only to change; never deleted."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = site_settings_form()
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        section_fields = [name for key, _ in sections() for name in _field_names(key)]
        return [
            (None, {"fields": ["site_name", "tagline", "introduction", "about", "footer"]}),
            ("Author or group", {"fields": ["profile_name", "profile_photo", "profile_links"]}),
            ("Reading group", {"fields": ["time_zone"]}),
            ("Sections: headings and epigraphs", {"fields": section_fields}),
        ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
