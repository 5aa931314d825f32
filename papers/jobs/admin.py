"""The admin's list of background jobs: state, progress, result; retry a failed one."""

from django.contrib import admin, messages

from papers.jobs import queue
from papers.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "state", "progress", "created_by", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["label"]
    date_hierarchy = "created_at"
    actions = ["retry_jobs"]
    readonly_fields = [
        "label",
        "kind",
        "state",
        "progress",
        "message",
        "result",
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

    def has_add_permission(self, request):
        return False  # jobs are started by the pages and commands that need them

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Progress")
    def progress(self, job):
        return job.progress_text() or "—"

    def changelist_view(self, request, extra_context=None):
        queue.reap_stale()
        if queue.worker_seems_down():
            self.message_user(
                request,
                "Jobs are waiting and none is running: is the worker running? "
                "(manage.py db_worker; see docs/DEPLOY.md). Nothing is lost: they run "
                "when it starts.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def has_retry_permission(self, request):
        # Fields are read-only for everyone; retrying is what "change" means for a job.
        return request.user.has_perm("papers.change_job")

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_jobs(self, request, queryset):
        retried = sum(queue.retry(job) for job in queryset.filter(state=Job.State.FAILED))
        self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)
