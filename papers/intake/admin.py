"""Admin pages of the intake: add by identifier, import files (.bib, .ris, CSL-JSON, notes,
.zip). (Exports are papers/export_admin.py.)

They hang off the paper admin (``IntakeAdminMixin.get_urls``), so they share its login,
permissions and look; the changelist links to them (templates/admin/papers/paper/).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from papers.intake import jobs as intake_jobs
from papers.intake.duplicates import Conflict, DuplicateFinder
from papers.intake.forms import (
    IdentifiersForm,
    ImportConfirmForm,
    ImportUploadForm,
    PreviewForm,
    PreviewFormSet,
)
from papers.intake.saving import OnExisting, PaperWriter
from papers.jobs.models import Job
from papers.models import Paper


class IntakeAdminMixin:
    """Adds the intake pages (add by identifier, import) to a paper admin."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "add-by-identifier/",
                view(self.add_by_identifier_view),
                name=f"{prefix}_add_by_identifier",
            ),
            # One page imports .bib, notes files and .zip repositories (its old address stays).
            path("import-bibtex/", view(self.import_view), name=f"{prefix}_import_bibtex"),
            *super().get_urls(),
        ]

    # --- helpers ----------------------------------------------------------------------
    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "has_view_permission": self.has_view_permission(request),
            **extra,
        }

    def _changelist_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    # --- add by identifier --------------------------------------------------------------
    def add_by_identifier_view(self, request):
        """Paste ids → a lookup job (its page shows progress) → the fetched, editable
        preview (duplicates flagged) → drafts saved."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        template = "admin/papers/paper/add_by_identifier.html"
        title = "Add papers by identifier"
        form, formset, failures = IdentifiersForm(), None, []
        if request.method == "POST" and "save" in request.POST:
            formset = PreviewFormSet(request.POST, prefix="papers")
            if formset.is_valid() and self._save_previews(request, formset):
                return redirect(self._changelist_url() + "?status__exact=draft")
        elif request.method == "POST":
            form = IdentifiersForm(request.POST)
            if form.is_valid():
                # The lookups (up to 25, 15 s each) run in a worker, not in this request.
                job, _created = intake_jobs.start_lookup(
                    request.user, form.cleaned_data["identifiers"]
                )
                return redirect(job.get_absolute_url())
        elif "job" in request.GET:
            job = _finished_job(request.GET["job"], intake_jobs.LOOKUP)
            lookups = [intake_jobs.lookup_from_json(item) for item in job.result["lookups"]]
            failures = [lookup for lookup in lookups if lookup.error]
            found = [lookup for lookup in lookups if lookup.record]
            formset = self._preview_formset(found) if found else None
        rows = self._preview_rows(formset) if formset is not None else []
        context = self._context(
            request, title, form=form, formset=formset, rows=rows, failures=failures
        )
        return TemplateResponse(request, template, context)

    def _preview_formset(self, lookups):
        finder = DuplicateFinder.for_records([lookup.record for lookup in lookups])
        initial = []
        for lookup in lookups:
            try:
                match = finder.find(lookup.record)
            except Conflict:
                match = None
            initial.append(PreviewForm.initial_for(lookup, match))
        return PreviewFormSet(initial=initial, prefix="papers")

    def _preview_rows(self, formset):
        """Each form with the existing paper it duplicates (one query for all)."""
        pks = []
        for form in formset:
            value = form["existing"].value()
            if str(value or "").isdigit():
                pks.append(int(value))
        existing = Paper.objects.in_bulk(pks)
        rows = []
        for form in formset:
            value = form["existing"].value()
            paper = existing.get(int(value)) if str(value or "").isdigit() else None
            rows.append((form, paper))
        return rows

    def _save_previews(self, request, formset):
        """Save the chosen rows in one transaction; on any error save none, show why."""
        chosen = [form for form in formset if form.cleaned_data["action"] != PreviewForm.SKIP]
        if not chosen:
            messages.info(request, "Nothing was saved: every paper was left out.")
            return True
        if any(form.cleaned_data["action"] == PreviewForm.UPDATE for form in chosen) and not (
            self.has_change_permission(request)
        ):
            raise PermissionDenied
        targets = Paper.objects.in_bulk(
            [f.cleaned_data["existing"] for f in chosen if f.cleaned_data["action"] == "update"]
        )
        writer = PaperWriter(on_existing=OnExisting.SKIP)
        failed = False
        with transaction.atomic():
            writer.prime([form.to_record() for form in chosen])
            outcomes = []
            for form in chosen:
                target = None
                if form.cleaned_data["action"] == PreviewForm.UPDATE:
                    target = targets.get(form.cleaned_data["existing"])
                    if target is None:
                        form.add_error(None, "The paper to update no longer exists.")
                        failed = True
                        continue
                outcome = writer.write(form.to_record(), target=target)
                outcomes.append(outcome)
                if outcome.action == "invalid":
                    for message in outcome.errors:
                        form.add_error(None, message)
                    failed = True
                elif outcome.action == "skipped":
                    form.add_error(
                        None, f"Not added: {outcome.reason}. Choose “Update” or “Leave out”."
                    )
                    failed = True
            writer.finish()
            if failed:
                transaction.set_rollback(True)
        if failed:
            writer.discard_files()
            messages.error(request, "Nothing was saved: correct the papers marked below.")
            return False
        created = sum(outcome.action == "created" for outcome in outcomes)
        updated = sum(outcome.action == "updated" for outcome in outcomes)
        messages.success(
            request, f"Added {created} draft paper(s), updated {updated}. Review and publish."
        )
        return True

    # --- import a .bib, a notes file or a .zip of a notes repository -------------------
    def import_view(self, request):
        """Upload → a preview job (a dry run: per entry, with its line) → "Import" on its
        page queues the import of the same bytes with the same options; nothing is saved
        before that. The request only checks the name and size of the file."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        template = "admin/papers/paper/import_bibtex.html"
        form = ImportUploadForm()
        if request.method == "POST" and "preview" in request.POST:
            confirm = ImportConfirmForm(request.POST)
            preview = None
            if confirm.is_valid():
                preview = (
                    Job.objects.defer("payload")
                    .filter(pk=confirm.cleaned_data["preview"], kind=intake_jobs.PREVIEW)
                    .first()
                )
            if preview is None or preview.created_by_id != request.user.pk:
                messages.error(request, "That preview does not exist. Upload the file again.")
                return redirect(request.path)
            try:
                job, _created = intake_jobs.start_import(request.user, preview)
            except intake_jobs.PreviewGone as error:
                messages.error(request, str(error))
                return redirect(request.path)
            return redirect(job.get_absolute_url())
        if request.method == "POST":
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                job, _created = intake_jobs.start_preview(
                    request.user,
                    upload.name,
                    upload.read(),
                    existing=form.cleaned_data["existing"],
                    strict=form.cleaned_data["strict"],
                    repository_pdfs=form.cleaned_data["repository_pdfs"],
                )
                return redirect(job.get_absolute_url())
        context = self._context(
            request, "Import notes or a library (BibTeX, RIS, CSL-JSON)", form=form
        )
        return TemplateResponse(request, template, context)


def _finished_job(pk, kind):
    """The finished job ``pk`` of ``kind``, or 404."""
    if not str(pk).isdigit():
        raise Http404("No such job.")
    return get_object_or_404(
        Job.objects.defer("payload"), pk=int(pk), kind=kind, state=Job.State.DONE
    )
