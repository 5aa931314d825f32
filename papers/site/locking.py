"""Optimistic locking for the admin change forms of papers, reports and sessions.

Two editors open the same paper; A saves, then B saves the page B loaded before A's save.
Without a check B's form silently puts back the old text of every field A changed. So
each row carries an ``edit_version``, bumped by every save; the change form sends the
version it was loaded with (a hidden field), and saving is refused with a form error
naming who saved in between when the row's version has moved on. The refused form is
shown again with the editor's input in it, so nothing typed is lost.

Two saves at the same moment cannot both pass: the check reads the row with
``SELECT … FOR UPDATE`` inside the admin's transaction, so the second save waits until
the first has committed, then sees its new version. (SQLite has no row locks but lets
one writer at a time; production runs PostgreSQL.)
"""

from django import forms
from django.db import models, router, transaction
from django.utils import formats, timezone


class EditVersioned(models.Model):
    """A model whose admin change form is refused once someone else saved the row."""

    edit_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Bumped by every save (papers/site/locking.py)."
    )
    # A name, not a foreign key to the user: a key would pull the users (and their
    # password hashes) into every ``export`` (papers/intake/backup.py follows keys).
    edited_by = models.CharField(
        max_length=150,
        blank=True,
        editable=False,
        help_text="Who saved it last in the admin; empty after an import or a script.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.stamp_edit()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "edit_version", "edited_by"}
        super().save(*args, **kwargs)

    def stamp_edit(self):
        """What every save writes: the next version, and who saved (``bulk_create`` too)."""
        # ``editor`` is set by the admin for the save it makes; any other save (an
        # import, a script) is nobody's, so a refused form does not name the wrong person.
        self.edit_version += 1
        editor = getattr(self, "editor", None)
        self.edited_by = (editor.get_full_name() or editor.get_username())[:150] if editor else ""


def describe_change(instance):
    """“changed by alice at 14:05:09 on 3 December 2026” for the row as stored now."""
    when = timezone.localtime(instance.updated_at)
    when = f"{formats.time_format(when, 'H:i:s')} on {formats.date_format(when, 'j F Y')}"
    if not instance.edited_by:
        return f"changed at {when} by an import or a script"
    return f"changed by {instance.edited_by} at {when}"


class EditVersionForm(forms.ModelForm):
    """The hidden version field and the check, mixed into an admin form."""

    # Not named like the model field: a ModelForm may not list a non-editable field.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_version")
        # A new row has nothing to conflict with; a form posted without the field (a
        # script, an old tab from before this check) is not checked.
        if self.instance.pk is None or loaded is None:
            return cleaned_data
        model = type(self.instance)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection(router.db_for_write(model)).in_atomic_block:
            rows = rows.select_for_update(of=("self",))  # held until the save commits
        current = rows.first()
        if current is None:
            return cleaned_data  # deleted meanwhile: the admin's own handling applies
        if current.edit_version != loaded:
            raise forms.ValidationError(
                "This %(kind)s was %(change)s — reload the page to see their changes "
                "(copy anything you typed below first: it has not been saved).",
                code="edit_conflict",
                params={"kind": model._meta.verbose_name, "change": describe_change(current)},
            )
        self.instance.edit_version = current.edit_version
        return cleaned_data


class EditVersionAdminMixin:
    """For a ModelAdmin of an ``EditVersioned`` model: the check on its change form."""

    def get_form(self, request, obj=None, **kwargs):
        form = kwargs.get("form", self.form)
        if not issubclass(form, EditVersionForm):
            kwargs["form"] = type(form.__name__, (EditVersionForm, form), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # The hidden field goes into the first fieldset (the admin renders only the
        # fields its fieldsets name; a hidden one takes no room).
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        name, options = fieldsets[0]
        if "loaded_version" not in options["fields"]:
            options["fields"] = [*options["fields"], "loaded_version"]
        return fieldsets

    def save_model(self, request, obj, form, change):
        obj.editor = request.user
        super().save_model(request, obj, form, change)
