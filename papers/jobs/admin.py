"""The admin's background jobs: state, a live progress bar, the result; retry a failed one.

Each job's page polls ``<id>/status/`` (JSON) from a static script
(static/papers/admin/job_progress.js: no inline script, the CSP forbids it) and reloads
itself when the job ends, to show the result. A kind's result is shown by the template
``admin/papers/job/result/<kind>.html`` when there is one, else as JSON.
"""

import zlib

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from papers.jobs import queue
from papers.jobs.models import Job

WORKER_DOWN = (
    "Jobs are waiting and none is running: is the worker running? "
    "(manage.py db_worker; see docs/DEPLOY.md). Nothing is lost: they run when it starts."
)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "state", "progress", "created_by", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["label"]
    date_hierarchy = "created_at"
    actions = ["retry_jobs"]
    change_form_template = "admin/papers/job/change_form.html"
    readonly_fields = [
        "label",
        "kind",
        "state",
        "progress",
        "message",
        "params",
        "payload_name",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        # The upload (up to 20 MB) is for the worker, never for a page.
        jobs = super().get_queryset(request).defer("payload")
        if not self._sees_all(request):
            jobs = jobs.filter(created_by=request.user)
        return jobs

    def _sees_all(self, request):
        return super().has_view_permission(request)

    # Whoever may start a job (an editor importing a file, uploading slides) follows, and
    # retries, their own jobs; the view_job permission shows everyone's. Other staff get
    # a 403, as for any model they have no permission on.
    STARTS_JOBS = (
        "papers.add_paper",
        "papers.change_paper",
        "readinggroup.add_presentation",
        "readinggroup.change_presentation",
    )

    def has_module_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (self._sees_all(request) or any(user.has_perm(p) for p in self.STARTS_JOBS))
        )

    def _require_module_permission(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied

    def has_view_permission(self, request, obj=None):
        if self._sees_all(request):
            return True
        if obj is None:
            return self.has_module_permission(request)
        return obj.created_by_id == request.user.pk and self.has_module_permission(request)

    def _may_retry(self, request, job):
        return self.has_retry_permission(request) or (
            job.created_by_id == request.user.pk and self.has_module_permission(request)
        )

    def has_add_permission(self, request):
        return False  # jobs are started by the pages and commands that need them

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Progress")
    def progress(self, job):
        return queue.live(job).progress_text() or "—"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", view(self.status_view), name=f"{prefix}_status"),
            path("<int:pk>/file/", view(self.file_view), name=f"{prefix}_file"),
            # The method is checked first: a GET is a 405 for everyone, as on any POST view.
            path("<int:pk>/retry/", require_POST(view(self.retry_view)), name=f"{prefix}_retry"),
            *super().get_urls(),
        ]

    def _job(self, request, pk):
        self._require_module_permission(request)
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None:
            raise Http404("No such job.")
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return job

    def _worker_down(self):
        queue.reap_stale()
        return queue.worker_seems_down()

    def status_view(self, request, pk):
        """What the job's page polls while the job runs."""
        job = queue.live(self._job(request, pk))
        return JsonResponse(
            {
                "state": job.state,
                "state_display": job.get_state_display(),
                "active": job.is_active,
                "done": job.done,
                "total": job.total,
                "refused": job.refused,
                "percent": job.percent,
                "text": job.progress_text(),
                "message": job.message,
                "worker_down": job.state == Job.State.QUEUED and self._worker_down(),
            },
            headers={"Cache-Control": "no-store"},
        )

    def file_view(self, request, pk):
        """The file a finished job wrote (an export): its result names it, its payload
        holds it, compressed."""
        job = self._job(request, pk)
        result = job.result or {}
        if job.state != Job.State.DONE or "filename" not in result:
            raise Http404("This job has no file.")
        payload = Job.objects.filter(pk=job.pk).values_list("payload", flat=True).first()
        if not payload:
            raise Http404("This job's file is gone.")
        response = HttpResponse(zlib.decompress(payload), content_type=result["content_type"])
        response["Content-Disposition"] = content_disposition_header(True, result["filename"])
        response["Cache-Control"] = "private, no-store"
        return response

    def retry_view(self, request, pk):
        job = self._job(request, pk)
        if not self._may_retry(request, job):
            raise PermissionDenied
        if queue.retry(job):
            self.message_user(request, "The job is queued again.", messages.SUCCESS)
        else:
            self.message_user(request, "Only a failed job can be retried.", messages.WARNING)
        return redirect(reverse("admin:papers_job_change", args=[job.pk]))

    def history_view(self, request, object_id, extra_context=None):
        self._require_module_permission(request)
        return super().history_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_module_permission(request)
        job = self.get_object(request, object_id)
        extra = {}
        if job is not None:
            queue.live(job)
            extra = {
                "job": job,
                "result_template": select_template(
                    [f"admin/papers/job/result/{job.kind}.html", "admin/papers/job/result.html"]
                ),
                "worker_down": job.state == Job.State.QUEUED and self._worker_down(),
                "worker_down_text": WORKER_DOWN,
                "poll_ms": settings.JOB_STATUS_POLL_MS,
                "can_retry": job.state == Job.State.FAILED and self._may_retry(request, job),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def changelist_view(self, request, extra_context=None):
        if self._worker_down():
            self.message_user(request, WORKER_DOWN, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def has_retry_permission(self, request):
        # Fields are read-only for everyone; retrying is what "change" means for a job.
        return request.user.has_perm("papers.change_job")

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_jobs(self, request, queryset):
        retried = sum(queue.retry(job) for job in queryset.filter(state=Job.State.FAILED))
        self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)
