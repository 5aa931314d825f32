"""The paper admin's exports: the changelist as filtered, or the selected papers, in every
citation format (BibTeX, BibLaTeX, RIS, CSL-JSON).

Up to ``exports.IN_REQUEST`` papers are written in the request; a larger export is a
``papers.export`` job (papers/exports.py): a GET shows a form, its POST (with CSRF) queues
the job, so following a link never starts one.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse

from papers import exports
from papers.citations.formats import FORMATS


class ExportAdminMixin:
    """Adds export-<format>/ pages and an "Export selected papers as …" action per format."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            # export-bibtex/, export-ris/…: the changelist as filtered, in each format.
            *[
                path(
                    f"export-{name}/",
                    view(self.export_view),
                    {"format": name},
                    name=f"{prefix}_export_{name}",
                )
                for name in FORMATS
            ],
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_view_permission(request):
            for name in FORMATS:
                actions[f"export_{name}_action"] = self.get_action(EXPORT_ACTIONS[name])
        return actions

    def export_view(self, request, format):
        """The changelist as filtered (same query string) as one download, every field.

        A GET of more than ``IN_REQUEST`` papers shows a form: its POST starts the job.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        papers = self.get_changelist_instance(request).get_queryset(request)
        response = exports.export_response(request, papers, format, start=request.method == "POST")
        if response is not None:
            return response
        count = papers.count()
        changelist_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Export {count:,} papers as {FORMATS[format].label}",
            "count": count,
            "format": FORMATS[format],
            "changelist_url": changelist_url
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
        }
        return TemplateResponse(request, "admin/papers/paper/export_confirm.html", context)


def _export_action(name):
    """The action exporting the selected papers as ``name``."""

    @admin.action(description=f"Export selected papers as {FORMATS[name].label}",
                  permissions=["view"])  # fmt: skip
    def export_action(modeladmin, request, queryset):
        return exports.export_response(request, queryset, name)

    export_action.__name__ = f"export_{name}_action"
    return export_action


EXPORT_ACTIONS = {name: _export_action(name) for name in FORMATS}
