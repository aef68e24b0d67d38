import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import JurisdictionChain, chain_indexes
from dudao.core.validators import validate_multiline_text, validate_single_line_text
from dudao.directory.models import Jurisdiction, Organization, Person


class Round(TimeStampedModel):
    """A year's nomination round for the city's trainee programme (policy 四(三))."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=128, validators=[validate_single_line_text])
    snapshot_date = models.DateField(
        _("snapshot date"), help_text=_("Certified staff employed on this date set each agency's quota.")
    )
    submission_deadline = models.DateTimeField(_("submission deadline"))
    district_review_deadline = models.DateTimeField(_("district review deadline"))
    city_review_deadline = models.DateTimeField(_("city review deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="one_round_per_year")]
        verbose_name = _("nomination round")
        verbose_name_plural = _("nomination rounds")

    def __str__(self):
        return self.title

    @property
    def accepts_submissions(self) -> bool:
        return self.closed_at is None and timezone.now() <= self.submission_deadline

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Nomination(TimeStampedModel, JurisdictionChain):
    """The chain (dudao.core.scoping) is the nominating unit's, kept so that
    review queues are index ranges; it follows the unit if it moves."""

    class Path(models.TextChoices):
        QUOTA = "quota", _("Quota nomination")
        DIRECT = "direct", _("Direct entry")

    class Category(models.TextChoices):
        DISTRICT_SELECTED = "district_selected", _("Supervisor selected by a district")
        UNIVERSITY_TEACHER = "university_teacher", _("University teacher with social work practice")
        HIGH_LEVEL_TALENT = "high_level_talent", _("Doctorate or other high-level talent")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISTRICT_REVIEW = "district_review", _("Awaiting district review")
        CITY_REVIEW = "city_review", _("Awaiting city review")
        # Approved by the city, published (公示): becomes a trainee when the period
        # ends with no upheld objection (dudao.publicity).
        PUBLICITY = "publicity", _("In public notice: pending")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved: trainee")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="nominations")
    person = models.ForeignKey(Person, verbose_name=_("nominee"), on_delete=models.PROTECT, related_name="nominations")
    organization = models.ForeignKey(
        Organization, verbose_name=_("nominating unit"), on_delete=models.PROTECT, related_name="nominations"
    )
    path = models.CharField(_("path"), max_length=16, choices=Path.choices)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True)
    statement = models.TextField(_("recommendation"), blank=True, validators=[validate_multiline_text])
    eligibility = models.JSONField(_("eligibility at submission"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            *chain_indexes("nomination", "status", "updated_at", "id"),
            models.Index(fields=["status", "updated_at", "id"], name="nomination_status"),
            models.Index(fields=["updated_at", "id"], name="nomination_updated"),
        ]
        constraints = [
            # One live nomination per person per round; a rejected or withdrawn one may be followed by another.
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=~models.Q(status__in=["rejected", "withdrawn"]),
                name="one_live_nomination_per_person_and_round",
            )
        ]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self):
        return f"{self.person} · {self.round}"

    def save(self, *args, **kwargs):
        if self.organization_id:
            self.set_chain(self.organization)
        super().save(*args, **kwargs)


# A quota nomination holds one of the agency's places from submission until it
# is rejected or withdrawn (policy: 按照本单位持证社会工作者人数 1:7 的比例选拔推荐).
PLACE_HOLDING = (
    Nomination.Status.DISTRICT_REVIEW,
    Nomination.Status.CITY_REVIEW,
    Nomination.Status.PUBLICITY,
    Nomination.Status.RETURNED,
    Nomination.Status.APPROVED,
)
EDITABLE = (Nomination.Status.DRAFT, Nomination.Status.RETURNED)
FINAL = (Nomination.Status.APPROVED, Nomination.Status.REJECTED, Nomination.Status.WITHDRAWN)


class Transition(models.Model):
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=24, choices=Nomination.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Nomination.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True, validators=[validate_multiline_text])

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


def _evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never trusted as a path.
    return f"evidence/{instance.nomination.round_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path)
    original_name = models.CharField(_("file name"), max_length=255, validators=[validate_single_line_text])
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=200, blank=True, validators=[validate_single_line_text])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class Trainee(JurisdictionChain):
    """A city-level trainee (培养对象) of a round: the outcome of an approved
    nomination. The chain is the nominating unit's (as on the nomination) and
    the person's name is kept here too, so that the list of trainees in a scope,
    sorted by name, is one index range however many people there are."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="trainees")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="traineeships")
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="trainee"
    )
    since = models.DateTimeField(_("trainee since"), default=timezone.now)
    person_name = models.CharField(_("name"), max_length=64, default="", editable=False)

    class Meta:
        ordering = ["round", "person_name", "id"]
        indexes = [
            *chain_indexes("trainee", "person_name", "id"),
            models.Index(fields=["person_name", "id"], name="trainee_name"),
        ]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="one_traineeship_per_round")]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")

    def __str__(self):
        return f"{self.person} · {self.round}"

    def save(self, *args, **kwargs):
        # Filled once at creation; afterwards the unit's moves and the person's
        # renames reach the row through the directory's signals (apps.py).
        if self._state.adding:
            self.set_chain(self.nomination.organization)
            self.person_name = self.person.name
        super().save(*args, **kwargs)
