"""The Job row: what a background job is, for the people who started it."""

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.urls import reverse


class JobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=Job.ACTIVE_STATES)

    def insert_unless_active(self, job):
        """Write ``job`` unless a job with its dedupe key is still active; True if written.

        One statement, ``INSERT … ON CONFLICT DO NOTHING`` (PostgreSQL and SQLite), where a
        savepoint, the INSERT, the IntegrityError and the rollback to the savepoint took
        four. Only uniqueness gives way (``one_active_job_per_dedupe_key``; the key is the
        row's only unique value besides its new id): a NOT NULL or CHECK failure still
        raises. Under concurrency the INSERT waits for a transaction that wrote the same
        key, then does nothing if it committed (PostgreSQL; SQLite's writers take turns).
        """
        using = self._db or router.db_for_write(self.model)
        connection = connections[using]
        fields = [field for field in job._meta.local_concrete_fields if not field.primary_key]
        values = [field.get_db_prep_save(field.pre_save(job, True), connection) for field in fields]
        quote = connection.ops.quote_name
        table, pk = quote(job._meta.db_table), quote(job._meta.pk.column)
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - the model's names
            f" ON CONFLICT DO NOTHING RETURNING {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return False
        job.pk = row[0]
        job._state.adding, job._state.db = False, using
        return True


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200, help_text="What the job does, for people.")
    params = models.JSONField(default=dict, blank=True)
    # An uploaded file the job reads (an import): kept in the database, not in MEDIA_ROOT,
    # so it is never public and every worker on every machine can read it. Cleared when
    # the job is done.
    payload = models.BinaryField(null=True, blank=True, editable=False)
    payload_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    refused = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="The latest step, or why it failed.")
    result = models.JSONField(default=dict, blank=True)
    # Two submissions of the same work (a double click, two editors) share one job.
    dedupe_key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="one_active_job_per_dedupe_key",
            )
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("admin:papers_job_change", args=[self.pk])

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    @property
    def percent(self):
        """Progress in percent, or None while the total is unknown."""
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    def progress_text(self):
        """ "312 of 5,000, 2 refused" — the line people read beside the bar."""
        if self.total:
            text = f"{self.done:,} of {self.total:,}"
        elif self.done:
            text = f"{self.done:,} done"
        else:
            text = ""
        if self.refused:
            text += f", {self.refused:,} refused"
        return text
