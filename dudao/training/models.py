from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import JurisdictionChain, chain_indexes
from dudao.core.validators import validate_single_line_text
from dudao.directory.models import Jurisdiction, Organization, Person, ServiceDomain
from dudao.selection.models import Round, Trainee


class Programme(TimeStampedModel):
    """The city's 百名督导 programme, commissioned to a third-party trainer
    (policy 四(三): 委托第三方对全市社会工作督导培养对象开展统一培训培养和考核)."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=128, validators=[validate_single_line_text])
    trainer = models.ForeignKey(
        Organization, verbose_name=_("commissioned trainer"), on_delete=models.PROTECT, related_name="programmes"
    )
    target_size = models.PositiveIntegerField(_("target size"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")

    def __str__(self):
        return self.name


class Module(models.Model):
    class Kind(models.TextChoices):
        THEORY = "theory", _("Theory")
        PRACTICE = "practice", _("Practice")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="modules"
    )
    title = models.CharField(_("title"), max_length=128, validators=[validate_single_line_text])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    domain = models.ForeignKey(
        ServiceDomain, verbose_name=_("service domain"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_ethics = models.BooleanField(_("professional ethics"), default=False)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        ordering = ["programme", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self):
        return self.title


class Cohort(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=128, validators=[validate_single_line_text])
    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="cohorts")

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self):
        return self.name


class Member(models.Model):
    """A trainee in a cohort, with the assessment the trainer records."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="members")
    # The cohort's programme, stored so the database can hold the rule that a
    # trainee joins one cohort per programme (a constraint cannot join tables).
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="memberships"
    )
    theory_score = models.DecimalField(
        _("theory score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    practice_score = models.DecimalField(
        _("practice score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    passed = models.BooleanField(
        _("passed"), null=True, blank=True, help_text=_("Recorded when the city confirms the results.")
    )

    class Meta:
        ordering = ["cohort", "trainee__person__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "trainee"], name="one_membership_per_cohort"),
            models.UniqueConstraint(fields=["programme", "trainee"], name="one_membership_per_programme"),
        ]
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")

    def __str__(self):
        return f"{self.trainee.person} · {self.cohort}"

    def save(self, *args, **kwargs):
        if self.programme_id is None and self.cohort_id is not None:
            self.programme_id = Cohort.objects.values_list("programme_id", flat=True).get(pk=self.cohort_id)
        super().save(*args, **kwargs)


class Session(models.Model):
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions")
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    location = models.CharField(_("location"), max_length=128, blank=True, validators=[validate_single_line_text])

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.module} {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(pgettext_lazy("attendance", "present"))
    # An excused absence (请假): absent, but counted as the policy parameter
    # training.excused_absence_counts says (by default as any absence).
    excused = models.BooleanField(_("excused absence"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="one_attendance_per_session"),
            models.CheckConstraint(
                condition=~models.Q(present=True, excused=True), name="attendance_present_or_excused"
            ),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self):
        return f"{self.member} {self.session}: {self.present}"


class Survey(TimeStampedModel):
    """A training-needs survey (policy 三(一): 充分了解社会工作督导人才的培训需求)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=128, validators=[validate_single_line_text])
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training-needs survey")
        verbose_name_plural = _("training-needs surveys")

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("Scale 1–5")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300, validators=[validate_single_line_text])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text


class Response(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="survey_responses"
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="one_response_per_member")]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.survey} · {self.member}"


class Activity(TimeStampedModel, JurisdictionChain):
    """Training an agency or a district organises itself: courses, study visits,
    ethics education (policy 四(一): 培训、实务训练、参观、外出交流). The chain
    (dudao.core.scoping) is the organiser's and follows an agency that moves."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        STUDY_VISIT = "study_visit", _("Study visit")
        ETHICS = "ethics", _("Ethics education")
        PRACTICE = "practice", _("Practice training")
        EXCHANGE = "exchange", _("Exchange")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organised by (unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_activities",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("organised by (district)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_activities",
    )
    title = models.CharField(_("title"), max_length=128, validators=[validate_single_line_text])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    domain = models.ForeignKey(
        ServiceDomain, verbose_name=_("service domain"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_plan = models.BooleanField(_("planned (not yet held)"), default=False)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="training_activities"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            *chain_indexes("activity", "held_on", "id"),
            models.Index(fields=["organization", "held_on", "id"], name="activity_organiser"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(jurisdiction__isnull=False),
                name="activity_has_an_organiser",
            )
        ]
        verbose_name = _("training activity")
        verbose_name_plural = _("training activities")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.set_chain(self.organization if self.organization_id else self.jurisdiction)
        super().save(*args, **kwargs)
