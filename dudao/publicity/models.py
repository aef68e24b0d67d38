"""公示: a list of people published for a period before their new status
(trainee, pool entry) takes effect, and the objections lodged against it.

The app sits below the apps whose decisions it publishes: an item names the
row it stands for only by kind and id (`target_id`), and the kind's owner
registers what happens when the item takes effect or is stopped
(dudao.publicity.kinds)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.validators import validate_multiline_text, validate_single_line_text
from dudao.directory.models import Jurisdiction


class Notice(TimeStampedModel):
    """One published list (公示名单): the items a keeper published from one
    source (a round, a cohort) on one day, all with the same period."""

    kind = models.CharField(_("kind"), max_length=40)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("keeper"), on_delete=models.PROTECT, related_name="publicity_notices"
    )
    # What the items were published from ("round:3", "cohort:7"): approvals of one
    # source on one day gather in one list.
    source = models.CharField(_("source"), max_length=64, editable=False)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line_text])
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    contact = models.CharField(_("contact"), max_length=200, blank=True, validators=[validate_single_line_text])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["starts_on", "id"], name="notice_starts")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "starts_on"], name="one_notice_per_source_day")
        ]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self):
        return self.title

    def is_running(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class Item(models.Model):
    """One person on a list: only what the policy's 公示 shows (name, unit,
    district, path), never an ID number or a phone."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In public notice: pending")
        EFFECTIVE = "effective", _("Took effect")
        STOPPED = "stopped", _("Stopped by an upheld objection")

    notice = models.ForeignKey(Notice, verbose_name=_("public notice"), on_delete=models.PROTECT, related_name="items")
    target_id = models.PositiveBigIntegerField(_("target"), editable=False)
    # The record the item belongs to, for its history ("selection.nomination:12").
    record = models.CharField(_("record"), max_length=64, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=64)
    unit = models.CharField(_("unit"), max_length=128)
    district = models.CharField(_("district"), max_length=64)
    path = models.CharField(_("path"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason"), blank=True, validators=[validate_multiline_text])
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "name", "id"]
        indexes = [models.Index(fields=["status", "notice"], name="publicity_item_status")]
        constraints = [models.UniqueConstraint(fields=["notice", "target_id"], name="one_item_per_target")]
        verbose_name = _("public notice item")
        verbose_name_plural = _("public notice items")

    def __str__(self):
        return f"{self.name} · {self.notice}"


class Objection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        UPHELD = "upheld", _("Objection upheld")
        DISMISSED = "dismissed", _("Objection dismissed")

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="objections")
    # None for an anonymous objection: not even the keeper learns who lodged it.
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lodged by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact = models.CharField(_("contact"), max_length=100, blank=True, validators=[validate_single_line_text])
    text = models.TextField(_("objection"), validators=[validate_multiline_text])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, validators=[validate_multiline_text])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)

    class Meta:
        ordering = ["-lodged_at", "-id"]
        indexes = [models.Index(fields=["lodged_at", "id"], name="objection_lodged")]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.item.name} · {self.get_status_display()}"
