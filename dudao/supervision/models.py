"""Using supervisors (policy 三(二), 一): who supervises whom (engagements and
their agreements), the supervision given (sessions, confirmed and rated by the
supervisees), the supervisors' own frontline practice, ability assessments of
the supervisees, and the monthly sign-off that freezes a month.

Every list here can reach tens of millions of rows, so each row keeps the
jurisdiction chain of the organisation that uses the supervisor (core.scoping)
and the ids each reader filters by, with an index per reader in its sort order.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import JurisdictionChain, chain_indexes
from dudao.core.validators import validate_multiline_text, validate_single_line_text
from dudao.directory.models import Organization, Person
from dudao.policy.vocabulary import SuperviseeType
from dudao.pools.models import Entry

__all__ = [
    "Assessment",
    "Attendance",
    "Engagement",
    "MonthSignOff",
    "OrganizationCoverage",
    "PracticeLog",
    "Rating",
    "Session",
    "SuperviseeProfile",
    "SuperviseeType",
    "SupervisorYear",
]


class CountsInSupervisorYear:
    """A record that counts in its supervisor's SupervisorYear (sessions, ratings,
    practice logs, ability assessments): every save and delete refreshes the year
    it counts in now and the one it counted in when loaded (a changed date, year
    or supervisor moves it)."""

    year_field = "date"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _years_follow(self, self.year_field)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _years_follow(self, self.year_field)
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._year_key = _year_key(instance, cls.year_field)
        return instance


class Engagement(TimeStampedModel, JurisdictionChain):
    """A supervisor engaged by a using organisation, which pays (谁使用、谁补贴).
    The chain is the using organisation's."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ENDED = "ended", _("Ended")

    supervisor = models.ForeignKey(
        Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="engagements_as_supervisor"
    )
    entry = models.ForeignKey(Entry, verbose_name=_("pool entry"), on_delete=models.PROTECT, related_name="engagements")
    organization = models.ForeignKey(
        Organization, verbose_name=_("using organisation"), on_delete=models.PROTECT, related_name="engagements"
    )
    # The supervisor's employer when the engagement was made: it is told of
    # external engagements and sees them (without session notes).
    home_organization = models.ForeignKey(
        Organization,
        verbose_name=_("supervisor's home agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours_per_month = models.DecimalField(_("agreed hours per month"), max_digits=5, decimal_places=1)
    covers_all_staff = models.BooleanField(_("covers all staff"), default=False)
    supervisees = models.ManyToManyField(Person, verbose_name=_("supervisees"), blank=True, related_name="+")

    # The supervision agreement (督导协议), confirmed online by both sides.
    goals = models.TextField(_("goals"), blank=True, validators=[validate_multiline_text])
    frequency = models.CharField(
        _("frequency and hours"), max_length=200, blank=True, validators=[validate_single_line_text]
    )
    functions = models.JSONField(_("functions"), default=list, blank=True)
    confidentiality = models.TextField(_("confidentiality"), blank=True, validators=[validate_multiline_text])
    subsidy_basis = models.TextField(_("subsidy basis"), blank=True, validators=[validate_multiline_text])
    agency_confirmed_at = models.DateTimeField(_("agency confirmed the agreement at"), null=True, blank=True)
    agency_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supervisor_confirmed_at = models.DateTimeField(_("supervisor confirmed the agreement at"), null=True, blank=True)

    # The ranking that led to a proposal, as the agency saw it (matching).
    match_explanation = models.JSONField(_("why this supervisor"), default=dict, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=300, blank=True, validators=[validate_single_line_text]
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending early"), max_length=300, blank=True, validators=[validate_single_line_text]
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            *chain_indexes("engagement", "starts_on", "id"),
            models.Index(fields=["organization", "starts_on", "id"], name="engagement_org"),
            models.Index(fields=["home_organization", "starts_on", "id"], name="engagement_home_org"),
            models.Index(fields=["supervisor", "starts_on", "id"], name="engagement_supervisor"),
            models.Index(fields=["status", "ends_on"], name="engagement_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="engagement_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=models.Q(hours_per_month__gt=0), name="engagement_has_hours"),
        ]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self):
        return f"{self.supervisor} → {self.organization}"

    def save(self, *args, **kwargs):
        self.set_chain(self.organization)
        super().save(*args, **kwargs)

    @property
    def agreement_confirmed(self) -> bool:
        return bool(self.agency_confirmed_at and self.supervisor_confirmed_at)


class SuperviseeProfile(models.Model):
    """An agency's correction of a staff member's supervisee type, where the
    type read from the data (first year of employment → new, an intern's
    position → intern, else frontline) is wrong."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="supervisee_profile"
    )
    type = models.CharField(_("supervisee type"), max_length=16, choices=SuperviseeType.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("supervisee type")
        verbose_name_plural = _("supervisee types")

    def __str__(self):
        return f"{self.person}: {self.type}"


class Session(CountsInSupervisorYear, TimeStampedModel, JurisdictionChain):
    """One supervision session (督导记录). The chain is the using organisation's;
    the supervisor, the organisations and the month are copied from the
    engagement so that each reader's list is one index range."""

    class Form(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group")
        PEER = "peer", _("Peer")
        FIELD = "field", _("Live or field")
        REMOTE = "remote", _("Remote (phone or video)")

    class Status(models.TextChoices):
        # Derived from the attendances (services keep it): every supervisee confirmed,
        # some still to confirm, one disputing and not yet resolved, or a dispute
        # resolved against the record (the agency found the session did not take
        # place as recorded: it counts for no hours and no subsidy).
        PENDING = "pending", _("Awaiting confirmation")
        DISPUTED = "disputed", _("Disputed")
        CONFIRMED = "confirmed", _("Confirmed")
        VOID = "void", _("Does not stand")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="sessions"
    )
    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("using organisation"), on_delete=models.PROTECT, related_name="+"
    )
    home_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    month = models.DateField(_("month"), help_text=_("The first day of the session's month."))
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    functions = models.JSONField(_("functions"), default=list)
    topics = models.CharField(_("topics"), max_length=300, validators=[validate_single_line_text])
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multiline_text])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            *chain_indexes("session", "date", "id"),
            models.Index(fields=["supervisor", "date", "id"], name="session_supervisor"),
            models.Index(fields=["organization", "date", "id"], name="session_org"),
            models.Index(fields=["home_organization", "date", "id"], name="session_home_org"),
            models.Index(fields=["engagement", "month", "status"], name="session_engagement_month"),
            models.Index(fields=["organization", "status", "date"], name="session_org_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="session_has_duration"),
        ]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")

    def __str__(self):
        return f"{self.date} {self.supervisor}"

    def save(self, *args, **kwargs):
        guard_month_open(self.engagement_id, self.month or self.date.replace(day=1))
        self.month = self.date.replace(day=1)
        if self._state.adding:
            self.set_chain(self.organization)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        guard_month_open(self.engagement_id, self.month)
        return super().delete(*args, **kwargs)

    @property
    def hours(self):
        from decimal import Decimal

        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))


class Attendance(models.Model):
    """A supervisee present at a session, and their confirmation. The rating
    they give is kept apart (Rating), with nothing that leads back to them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        RESOLVED = "resolved", _("Dispute resolved")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(Person, verbose_name=_("supervisee"), on_delete=models.PROTECT, related_name="+")
    supervisee_type = models.CharField(_("supervisee type"), max_length=16, choices=SuperviseeType.choices)
    # Copied from the session: a supervisee's history is one index range.
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # Set by the server when the supervisee acts; never taken from input.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rated = models.BooleanField(_("rated"), default=False)
    dispute_reason = models.CharField(
        _("reason for disputing"), max_length=300, blank=True, validators=[validate_single_line_text]
    )
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True, validators=[validate_single_line_text])
    resolution_upheld = models.BooleanField(
        _("session stands"),
        null=True,
        blank=True,
        help_text=_("Whether the agency found the session took place as recorded."),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["person", "date", "id"], name="attendance_person")]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_per_supervisee"),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self):
        return f"{self.person} @ {self.session_id}"

    def save(self, *args, **kwargs):
        guard_month_open(self.session.engagement_id, self.session.month)
        super().save(*args, **kwargs)


class Rating(CountsInSupervisorYear, models.Model):
    """A supervisee's 1–5 rating of a session's supervisor. Deliberately without
    the supervisee, the session or a time of day: only the month and the
    engagement, so that no list, export or API can tell who gave it; readers
    get aggregates over a period, and only above a policy-set count."""

    year_field = "month"

    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+")
    engagement = models.ForeignKey(Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("using organisation"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=300, blank=True, validators=[validate_single_line_text])

    class Meta:
        indexes = [
            models.Index(fields=["supervisor", "month"], name="rating_supervisor"),
            models.Index(fields=["organization", "month"], name="rating_org"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_one_to_five"),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.score}"


class MonthSignOff(models.Model):
    """The using agency's sign-off of an engagement's month: its sessions can
    no longer change, by any path (guard_month_open), until it is reopened."""

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed off")
        REOPENED = "reopened", _("Reopened")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="sign_offs"
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SIGNED)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("signed off at"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(
        _("reason for reopening"), max_length=300, blank=True, validators=[validate_single_line_text]
    )

    class Meta:
        ordering = ["engagement", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "month"], name="one_sign_off_per_engagement_month"),
        ]
        verbose_name = _("monthly sign-off")
        verbose_name_plural = _("monthly sign-offs")

    def __str__(self):
        return f"{self.engagement_id} {self.month:%Y-%m} {self.status}"


class MonthSignedOff(ValidationError):
    pass


def guard_month_open(engagement_id, month) -> None:
    """The last line behind every path that changes a session (service, API, a
    future admin or shell): a signed-off month is frozen."""
    if engagement_id is None or month is None:
        return
    if MonthSignOff.objects.filter(
        engagement_id=engagement_id, month=month, status=MonthSignOff.Status.SIGNED
    ).exists():
        raise MonthSignedOff(
            _("%(month)s has been signed off: its sessions cannot change until it is reopened.")
            % {"month": month.strftime("%Y-%m")}
        )


class PracticeLog(CountsInSupervisorYear, TimeStampedModel, JurisdictionChain):
    """A supervisor's own frontline practice, confirmed by the organisation
    where it happened (the chain is that organisation's)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    description = models.CharField(_("description"), max_length=300, validators=[validate_single_line_text])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(
        _("reason for rejecting"), max_length=300, blank=True, validators=[validate_single_line_text]
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            *chain_indexes("practice", "date", "id"),
            models.Index(fields=["supervisor", "date", "id"], name="practice_supervisor"),
            models.Index(fields=["organization", "status", "date", "id"], name="practice_org"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="practice_hours_in_a_day"),
        ]
        verbose_name = _("practice hours")
        verbose_name_plural = _("practice hours")

    def __str__(self):
        return f"{self.date} {self.supervisor} {self.hours}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.set_chain(self.organization)
        super().save(*args, **kwargs)


class Assessment(CountsInSupervisorYear, TimeStampedModel):
    """A supervisor's assessment of a supervisee's abilities at the start or the
    end of a period (the competency items are policy data)."""

    year_field = "year"

    class Phase(models.TextChoices):
        START = "start", _("Start of period")
        END = "end", _("End of period")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="assessments"
    )
    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+")
    supervisee = models.ForeignKey(Person, verbose_name=_("supervisee"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    phase = models.CharField(_("phase"), max_length=8, choices=Phase.choices)
    scores = models.JSONField(_("scores"), help_text=_("Each competency item with its score from 1 to 5."))
    average = models.DecimalField(_("average"), max_digits=3, decimal_places=2)
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        ordering = ["-year", "supervisee", "phase"]
        indexes = [
            models.Index(fields=["supervisor", "year"], name="assessment_supervisor"),
            models.Index(fields=["supervisee", "year"], name="assessment_supervisee"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "supervisee", "year", "phase"], name="one_assessment_per_phase"
            ),
        ]
        verbose_name = _("ability assessment")
        verbose_name_plural = _("ability assessments")

    def __str__(self):
        return f"{self.supervisee} {self.year} {self.phase}"


class OrganizationCoverage(JurisdictionChain):
    """Each organisation's supervision need against supply for the current
    month, kept by services.coverage whenever staff, engagements or sessions
    change, so that a district's agencies sort worst first by an index range."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="supervision_coverage"
    )
    month = models.DateField(_("month"))
    staff = models.PositiveIntegerField(_("staff"), default=0)
    need_hours = models.DecimalField(_("hours needed per month"), max_digits=9, decimal_places=1, default=0)
    supply_hours = models.DecimalField(_("hours agreed per month"), max_digits=9, decimal_places=1, default=0)
    internal_hours = models.DecimalField(_("internal hours agreed"), max_digits=9, decimal_places=1, default=0)
    received_hours = models.DecimalField(_("hours received this month"), max_digits=9, decimal_places=2, default=0)
    uncovered = models.PositiveIntegerField(_("staff not covered"), default=0)
    # need − supply, or 0: the sort key of "worst first".
    shortfall = models.DecimalField(_("shortfall (hours)"), max_digits=9, decimal_places=1, default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        indexes = chain_indexes("coverage", "shortfall", "organization")
        verbose_name = _("supervision coverage")
        verbose_name_plural = _("supervision coverage")

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        self.set_chain(self.organization)
        super().save(*args, **kwargs)


class SupervisorYear(models.Model):
    """Per supervisor and calendar year, the sums the annual evaluation reads:
    confirmed supervision minutes, confirmed practice hours, the ratings' count
    and total, and the ability gains' count and total. Kept by services.years
    whenever a session, rating, practice log or assessment is saved or deleted
    (and a session's status settles), and
    rebuilt nightly from the source rows: an evaluation cycle then reads one row
    per supervisor instead of every session of the year (issue 11 item 7)."""

    supervisor = models.ForeignKey(Person, verbose_name=_("supervisor"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    service_minutes = models.PositiveIntegerField(_("confirmed supervision minutes"), default=0)
    practice_hours = models.DecimalField(_("confirmed practice hours"), max_digits=8, decimal_places=1, default=0)
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    rating_total = models.PositiveIntegerField(_("sum of ratings"), default=0)
    # Supervisees assessed at both the start and the end of the year under one
    # engagement, and the sum of their gains (end average − start average): the
    # ability gain is gain_total / assessed.
    assessed = models.PositiveIntegerField(_("supervisees assessed at both ends"), default=0)
    gain_total = models.DecimalField(_("sum of ability gains"), max_digits=9, decimal_places=2, default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "supervisor"], name="one_supervisor_year")]
        verbose_name = _("supervisor's year")
        verbose_name_plural = _("supervisors' years")

    def __str__(self):
        return f"{self.supervisor_id} {self.year}"


def _year_key(instance, field):
    """(supervisor, year) of a record that counts in SupervisorYear: a rating or
    an assessment, or a session or practice log once confirmed; None for one
    that does not. `field` is a date, or the year itself (an assessment's)."""
    # From __dict__: reading a field deferred by .only() would cost a query per row loaded.
    values = instance.__dict__
    day, supervisor_id = values.get(field), values.get("supervisor_id")
    if "status" in values and values["status"] != "confirmed":
        return None
    if not day or not supervisor_id:
        return None
    return (supervisor_id, day if isinstance(day, int) else day.year)


def _years_follow(instance, field):
    """Refresh the supervisor-year row this record counts in, and the one it
    counted in when loaded (a changed date, year or supervisor moves it)."""
    from .services import years

    keys = {_year_key(instance, field), getattr(instance, "_year_key", None)} - {None}
    for supervisor_id, year in sorted(keys):
        years.refresh(supervisor_id, year)
    instance._year_key = _year_key(instance, field)
