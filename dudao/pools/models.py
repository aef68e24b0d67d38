import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import CHAIN_FIELDS, JurisdictionChain
from dudao.core.validators import validate_multiline_text, validate_single_line_text
from dudao.directory.models import Jurisdiction, Organization, Person, ServiceDomain

# Crockford-style alphabet without look-alikes; 16 characters ≈ 80 bits, so a
# code can be printed on a certificate but not guessed.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# Statuses in which an entry holds its place in the pool.
LIVE = ["active", "suspended"]


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))


class Entry(TimeStampedModel, JurisdictionChain):
    """A supervisor's place in one of the three talent pools (policy 三(二), 四(一)(二)(三)).
    The chain (dudao.core.scoping) is the pool keeper's: the city or district
    whose pool it is, or the agency's jurisdiction for an internal supervisor."""

    class Level(models.TextChoices):
        CITY = "city", _("City pool")
        DISTRICT = "district", _("District pool")
        AGENCY = "agency", _("Agency internal supervisor")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")
        EXPIRED = "expired", _("Expired")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="pool_entries")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("pool of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pool_entries",
        help_text=_("The city or district whose pool this is."),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="internal_supervisors",
    )
    home_district = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("home district"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the supervisor was selected: district-selected supervisors serve their own district first."),
    )
    entry_number = models.CharField(_("entry number"), max_length=32, unique=True)
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_verification_code
    )
    admitted_on = models.DateField(_("admitted on"))
    # A renewal issues a new certificate: a new verification code (the old
    # certificate no longer verifies) dated the day of the renewal. Empty until
    # the first renewal: the admission's certificate is dated the admission.
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    expires_on = models.DateField(_("term ends on"))
    domains = models.ManyToManyField(ServiceDomain, verbose_name=_("service domains"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    source = models.CharField(_("basis"), max_length=200, blank=True, validators=[validate_single_line_text])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("admitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised for the keeper's review when the person has a disciplinary record
    # (at admission or when one is added later); the keeper clears it with a reason.
    flagged_for_review = models.BooleanField(_("flagged for review"), default=False, db_index=True)
    review_note = models.CharField(_("why flagged"), max_length=400, blank=True, validators=[validate_single_line_text])
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)

    # Who else reads the entry, kept on the row so that a jurisdiction's list is
    # index ranges on this one table (a join to the person per row cost 170 ms
    # for a district at a million people): the chain of the home district, and
    # the chain of the person's current employer (NULL while between jobs).
    # pools/scoping.py keeps both true through the directory's signals.
    home_scope_j0 = models.BigIntegerField(null=True, blank=True, editable=False)
    home_scope_j1 = models.BigIntegerField(null=True, blank=True, editable=False)
    home_scope_j2 = models.BigIntegerField(null=True, blank=True, editable=False)
    home_scope_j3 = models.BigIntegerField(null=True, blank=True, editable=False)
    person_scope_j0 = models.BigIntegerField(null=True, blank=True, editable=False)
    person_scope_j1 = models.BigIntegerField(null=True, blank=True, editable=False)
    person_scope_j2 = models.BigIntegerField(null=True, blank=True, editable=False)
    person_scope_j3 = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["level", "entry_number"]
        indexes = [
            *[
                models.Index(fields=[f"{kind}_scope_j{d}", "entry_number", "id"], name=f"entry_{kind}_j{d}")
                for kind in ("home", "person")
                for d in range(1, 4)
            ],
            models.Index(fields=["level", "entry_number", "id"], name="entry_level_number"),
            models.Index(fields=["entry_number", "id"], name="entry_number_order"),
            models.Index(fields=["scope_j0", "entry_number", "id"], name="entry_j0"),
            models.Index(fields=["scope_j1", "entry_number", "id"], name="entry_j1"),
            models.Index(fields=["scope_j2", "entry_number", "id"], name="entry_j2"),
            models.Index(fields=["scope_j3", "entry_number", "id"], name="entry_j3"),
        ]
        constraints = [
            # One live entry per person and pool; a retired or expired one may be followed by a new term.
            # One constraint per kind of pool, on the columns that name it: a column that is NULL in
            # every row of a kind would make each row distinct, and the rule would never fire.
            models.UniqueConstraint(
                fields=["person", "level", "jurisdiction"],
                condition=models.Q(status__in=LIVE, level__in=["city", "district"]),
                name="one_live_entry_per_public_pool",
            ),
            models.UniqueConstraint(
                fields=["person", "organization"],
                condition=models.Q(status__in=LIVE, level="agency"),
                name="one_live_entry_per_agency_pool",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="agency", organization__isnull=False)
                    | (~models.Q(level="agency") & models.Q(jurisdiction__isnull=False))
                ),
                name="entry_names_its_pool",
            ),
        ]
        verbose_name = _("talent pool entry")
        verbose_name_plural = _("talent pool entries")

    def __str__(self):
        return f"{self.entry_number} {self.person}"

    def save(self, *args, **kwargs):
        keeper = self.organization if self.level == self.Level.AGENCY else self.jurisdiction
        if keeper is not None:
            self.set_chain(keeper)
        if self._state.adding:
            home = self.home_district if self.home_district_id else None
            person = self.person
            for name in CHAIN_FIELDS:
                setattr(self, f"home_{name}", getattr(home, name) if home else None)
                setattr(self, f"person_{name}", getattr(person, name) if person.employed else None)
        super().save(*args, **kwargs)

    @property
    def effective_status(self) -> str:
        """The status as of today: an active entry past its term reads as expired
        even before the nightly job has recorded it."""
        if self.status == self.Status.ACTIVE and self.expires_on < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return str(self.Status(self.effective_status).label)


class StatusChange(models.Model):
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, choices=Entry.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Entry.Status.choices)
    reason = models.TextField(_("reason"), blank=True, validators=[validate_multiline_text])
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.entry} {self.from_status} → {self.to_status}"
