"""Subsidies (policy 三(三): 谁使用、谁补贴): what a using organisation owes
the supervisor it uses for each signed-off month, computed line by line from
the month's confirmed sessions at the standard in force on each session's
date, with the monthly ceiling as a visible adjustment; and the government's
supplement for city and district pool supervisors, on the city's or the
district's budget line (五(一): finance budgets and evaluates the funds).

Rates and amounts are stored on the lines: a statement never changes when a
standard changes later. Money is Decimal yuan with two places.

Rows keep the using organisation's jurisdiction chain (core.scoping) and the
ids each reader filters by, with an index per reader."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import JurisdictionChain, chain_indexes
from dudao.core.validators import validate_single_line_text
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.pools.models import Entry
from dudao.supervision.models import Engagement, Session

CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Two places, half up: the one rounding of every amount here."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


class Purpose(models.TextChoices):
    """What the subsidy is for (三(三): 自我培训、自我提升、交通等)."""

    SELF_TRAINING = "self_training", _("Self-training")
    SELF_IMPROVEMENT = "self_improvement", _("Self-improvement")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other purposes")


class Statement(TimeStampedModel, JurisdictionChain):
    """One engagement's month: what the using organisation owes (kind
    statement) or what the government adds (kind supplement)."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Subsidy statement")
        SUPPLEMENT = "supplement", _("Government supplement")

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        CONFIRMED = "confirmed", _("Confirmed by the payer")
        PAID = "paid", _("Paid")
        VOIDED = "voided", _("Voided")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.COMPUTED)
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="subsidy_statements"
    )
    month = models.DateField(_("month"))
    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("using organisation"), on_delete=models.PROTECT, related_name="+"
    )
    pool_level = models.CharField(_("pool level"), max_length=16, choices=Entry.Level.choices)
    # Who pays: the using organisation for a statement (谁使用、谁补贴), the
    # pool's city or district (its budget line) for a supplement.
    payer_organization = models.ForeignKey(
        Organization,
        verbose_name=_("paying organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payer_jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("budget line of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.DecimalField(_("confirmed hours"), max_digits=7, decimal_places=2, default=0)
    gross = money_field(_("amount before the ceiling"), default=0)
    ceiling = money_field(_("monthly ceiling"), null=True, blank=True)
    total = money_field(_("total"), default=0)

    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_reference = models.CharField(
        _("payment reference"), max_length=100, blank=True, validators=[validate_single_line_text]
    )
    paid_self_training = money_field(_("for self-training"), default=0)
    paid_self_improvement = money_field(_("for self-improvement"), default=0)
    paid_transport = money_field(_("for transport"), default=0)
    paid_other = money_field(_("for other purposes"), default=0)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        indexes = [
            *chain_indexes("subsidy", "month", "id"),
            models.Index(fields=["supervisor", "month", "id"], name="subsidy_supervisor"),
            models.Index(fields=["payer_organization", "month", "id"], name="subsidy_payer_org"),
            models.Index(fields=["payer_jurisdiction", "month", "id"], name="subsidy_payer_jur"),
            models.Index(fields=["engagement", "month"], name="subsidy_engagement_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "month", "kind"],
                condition=~models.Q(status="voided"),
                name="one_live_statement_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(payer_organization__isnull=False) | models.Q(payer_jurisdiction__isnull=False),
                name="statement_has_a_payer",
            ),
        ]
        verbose_name = _("subsidy statement")
        verbose_name_plural = _("subsidy statements")

    def __str__(self):
        return f"{self.get_kind_display()} {self.month:%Y-%m} {self.supervisor_id}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.set_chain(self.organization)
        super().save(*args, **kwargs)

    @property
    def payer_name(self) -> str:
        return self.payer_organization.name if self.payer_organization_id else self.payer_jurisdiction.name

    @property
    def purposes(self) -> dict:
        return {p.value: getattr(self, f"paid_{p.value}") for p in Purpose}


class Line(models.Model):
    """A session at the rate in force on its date, or the ceiling's adjustment."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        CEILING = "ceiling", _("Monthly ceiling")

    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Kept when a reopened month's session is later withdrawn: the voided statement still reads.
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("date"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=0)
    rate = money_field(_("rate per hour"), null=True, blank=True)
    amount = money_field(_("amount"))
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="one_line_per_position"),
        ]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self):
        return f"{self.statement_id}/{self.position}"
