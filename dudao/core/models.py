from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ReferenceModel(models.Model):
    """Reference data loaded from versioned fixtures: archived, never deleted,
    because records elsewhere keep pointing at retired codes."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ReferenceDataVersion(models.Model):
    """Which version of each reference data set this database holds, so a
    reload knows whether there is anything to do."""

    dataset = models.CharField(_("data set"), max_length=64, unique=True)
    version = models.PositiveIntegerField(_("version"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("reference data version")
        verbose_name_plural = _("reference data versions")

    def __str__(self):
        return f"{self.dataset} v{self.version}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        ARCHIVE = "archive", _("Archive")
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        LOGIN = "login", _("Log in")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # What was done, as a code declared in an app's events.py (core.audit.register);
    # entries older than the events were given a generic or inferred one.
    event = models.CharField(_("event"), max_length=64, db_index=True)
    # The kind of change, derived from the event; kept for readers of older entries.
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.PROTECT)
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event or self.action} {self.object_repr}"

    @property
    def event_label(self) -> str:
        """The event's label in the current language; an entry with no event
        (written by older code around the services) shows its action."""
        from .audit import label

        return label(self.event) if self.event else self.get_action_display()

    @property
    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) as the pages show them (dudao.core.audit_display)."""
        from .audit_display import readable_changes

        return readable_changes(self)

    @property
    def actor_name(self) -> str:
        from .audit_display import actor_name

        return actor_name(self)

    @property
    def actor_unit(self) -> str:
        from .audit_display import actor_unit

        return actor_unit(self)


class Notification(models.Model):
    """An in-app notice to one user; written after the change it reports has committed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The matter a to-do notice asks someone to handle ("selection.nomination:12:district_review",
    # see notifications.matter_of); blank for a notice that only informs. When anyone entitled
    # handles the matter, every recipient's notice of it is resolved (notifications.resolve_matter).
    matter = models.CharField(_("matter"), max_length=160, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message

    @property
    def is_live(self) -> bool:
        """Counted on the bell: neither read nor handled."""
        return self.read_at is None and self.resolved_at is None


class Reminder(models.Model):
    """A deadline reminder the daily job sent (core.reminders): one per matter,
    deadline and step (3 days before, 1 day before, as policy data says), so a
    second run on the same day sends nothing again."""

    matter = models.CharField(_("matter"), max_length=160, db_index=True)
    due_on = models.DateField(_("deadline"))
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    message = models.CharField(_("message"), max_length=300)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "due_on", "days_before"], name="one_reminder_per_step"),
        ]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")

    def __str__(self):
        return self.message


class Job(models.Model):
    """Work that runs outside the request that asked for it: today, an Excel
    export too large to build while the user waits. Only its owner sees it and
    its file; the file is deleted after DUDAO_EXPORT_KEEP_DAYS."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Excel export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.EXPORT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="jobs"
    )
    title = models.CharField(_("title"), max_length=200)
    # For an export: {"list": URL name of the list page, "query": its GET query
    # string, "language": the language the owner asked in}.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    # Stored under MEDIA_ROOT/exports/<random>/; never served by URL, only by the owner's download view.
    file = models.FileField(_("file"), upload_to="exports/", max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Bumped with every progress report: a job silent for long has lost its process.
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["expires_at"]),
        ]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self):
        return f"{self.get_kind_display()} {self.title} #{self.pk}"

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        """Progress in per cent, or None while the total is unknown."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)
