from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.validators import validate_multiline_text
from dudao.directory.models import Jurisdiction


class ParameterVersion(models.Model):
    """One value of one parameter for one jurisdiction from a date on. Never
    edited: a change is a new version, so every past decision can be explained
    by the value that was in force then."""

    key = models.CharField(_("parameter"), max_length=64, db_index=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT)
    effective_from = models.DateField(_("effective from"))
    value = models.JSONField(_("value"))
    reason = models.TextField(_("reason"), blank=True, validators=[validate_multiline_text])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["key", "jurisdiction__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "jurisdiction", "effective_from"], name="one_parameter_version_per_day"
            )
        ]
        verbose_name = _("parameter version")
        verbose_name_plural = _("parameter versions")

    def __str__(self):
        return f"{self.key}@{self.jurisdiction.code} {self.effective_from}"
