"""The annual evaluation of supervisors (policy 三(三), 五(一)): a cycle opened
by the keeper of a pool (the city for its pool, a district for its own), the
indicators computed from data for every active supervisor in that pool, the
four parties' scores, the result and grade, appeals, and what a grade sets off
(suspension, flags, renewal at the end of a term).

Rows keep the chain of the cycle's owner (core.scoping), so a jurisdiction's
lists are index ranges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.models import TimeStampedModel
from dudao.core.scoping import JurisdictionChain, chain_indexes
from dudao.core.validators import validate_multiline_text
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.pools.models import Entry


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    BASIC = "basic", _("Basic pass")
    FAIL = "fail", _("Fail")


# Best first: "two consecutive basic or worse" and "at least one pass or better" read this order.
GRADE_ORDER = [Grade.EXCELLENT, Grade.PASS, Grade.BASIC, Grade.FAIL]


class Party(models.TextChoices):
    """The four parties that assess together (policy 三(三))."""

    HOME_AGENCY = "home_agency", _("Home agency")
    SERVED_AGENCY = "served_agency", _("Served agency")
    ASSOCIATION = "association", _("Social work association")
    AUTHORITY = "authority", _("Authority")


class Cycle(TimeStampedModel, JurisdictionChain):
    """One year's evaluation of one pool. The chain is the owner's."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Opened, indicators not computed")
        COMPUTING = "computing", _("Computing indicators")
        SCORING = "scoring", _("Parties scoring")
        REVIEW = "review", _("Under review")
        PUBLISHED = "published", _("Published")

    owner = models.ForeignKey(
        Jurisdiction, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="evaluation_cycles"
    )
    level = models.CharField(_("pool"), max_length=16, choices=Entry.Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    scoring_deadline = models.DateField(_("deadline for party scores"))
    review_deadline = models.DateField(_("deadline for review"))
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal after publication"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Progress of the background computation (services.compute), shown on the page.
    progress_done = models.PositiveIntegerField(_("supervisors computed"), default=0)
    progress_total = models.PositiveIntegerField(_("supervisors to compute"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year", "owner__path"]
        indexes = chain_indexes("cycle", "year", "id")
        constraints = [
            models.UniqueConstraint(fields=["owner", "level", "year"], name="one_cycle_per_pool_and_year"),
            models.CheckConstraint(
                condition=models.Q(review_deadline__gte=models.F("scoring_deadline")),
                name="cycle_review_after_scoring",
            ),
        ]
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.set_chain(self.owner)
        super().save(*args, **kwargs)


class Evaluation(TimeStampedModel, JurisdictionChain):
    """One supervisor in one cycle: the indicators computed from data, the
    parties' scores averaged per party, the result and its breakdown. The chain
    is the cycle owner's."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPUTED = "computed", _("Result computed")
        PUBLISHED = "published", _("Published")

    # No single-column index on cycle, entry, person or home agency: the composite indexes
    # below begin with the cycle, the person and the home agency (an entry's evaluations
    # are found by its person), and every index more is written for each of a pool's
    # 50,000 evaluations when a cycle is computed (issue 11 item 7).
    # The cycle, the entry, the supervisor and the home agency are not checked again by the
    # database: the statement that writes a batch of rows (services.cycles) takes the cycle
    # it was given and reads the entry from the pool, the supervisor from the entry and the
    # home agency from that person's employer, all in one snapshot (elsewhere one query
    # reads them just before). PostgreSQL checks a foreign key row by row at commit, and
    # each check locks the row it finds (FOR KEY SHARE): the person and agency checks took
    # 0.6-0.9 s of CPU, measured alone, for a 50,000-supervisor pool, the entry's 30-50 ms
    # a batch of 5,000 (and it dirtied every page of the pool), the cycle's 20-40 ms a batch
    # (bench/README).
    # Cycles, pool entries, people and agencies are closed, retired or archived, never
    # deleted by the platform; a delete made through the ORM still cascades (the cycle) or
    # is refused (PROTECT), as Django, not the database, carries out both.
    cycle = models.ForeignKey(
        Cycle,
        verbose_name=_("cycle"),
        on_delete=models.CASCADE,
        related_name="evaluations",
        db_index=False,
        db_constraint=False,
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("pool entry"),
        on_delete=models.PROTECT,
        related_name="evaluations",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    home_organization = models.ForeignKey(
        Organization,
        verbose_name=_("home agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # {"service_hours": "62.50", "practice_hours": "104.00", "satisfaction": "4.60", "ratings": 12,
    #  "ability_gain": "0.80", "training_hours": "24.00", "service_results": "86.00"} — Decimals as text.
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    # Points per indicator and per party, the weights used, the missing parties, the cap: all the arithmetic.
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    party_part = models.DecimalField(_("party part"), max_digits=5, decimal_places=2, null=True, blank=True)
    indicator_part = models.DecimalField(_("indicator part"), max_digits=5, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    hours_capped = models.BooleanField(_("capped for hours below the minimum"), default=False)
    parties_missing = models.JSONField(_("parties missing"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "person__name", "id"]
        indexes = [
            *chain_indexes("evaluation", "cycle", "id", skip_empty=True),
            models.Index(fields=["cycle", "grade", "id"], name="evaluation_cycle_grade"),
            models.Index(fields=["person", "cycle"], name="evaluation_person"),
            models.Index(fields=["home_organization", "cycle"], name="evaluation_home_org"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="one_evaluation_per_cycle_and_person"),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"{self.cycle} {self.person}"

    def save(self, *args, **kwargs):
        self.set_chain(self.cycle.owner)
        super().save(*args, **kwargs)


class PartyForm(TimeStampedModel):
    """One party's scores of one supervisor: ethics, ability, performance (0–100).
    A served agency scores through its own form; the served agencies' forms are
    averaged into one party score. Written when the party first saves scores:
    who is due to score whom is read from the evaluations (selectors.scoring)."""

    # As on Evaluation, no index that a composite one already begins with.
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="forms", db_index=False
    )
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    # The agency that scores, for the two agency parties; blank for the association and the authority.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("scoring agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    ethics = models.DecimalField(_("ethics"), max_digits=5, decimal_places=2, null=True, blank=True)
    ability = models.DecimalField(_("ability"), max_digits=5, decimal_places=2, null=True, blank=True)
    performance = models.DecimalField(_("performance"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, validators=[validate_multiline_text])
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["evaluation", "party", "id"]
        indexes = [
            models.Index(fields=["organization", "submitted_at"], name="partyform_org"),
            # Blank forms have no one to index.
            models.Index(
                fields=["submitted_by"], condition=models.Q(submitted_by__isnull=False), name="partyform_submitter"
            ),
            models.Index(fields=["party", "submitted_at"], name="partyform_party"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "party", "organization"], name="one_form_per_party_and_agency"
            ),
            models.UniqueConstraint(
                fields=["evaluation", "party"],
                condition=models.Q(organization__isnull=True),
                name="one_form_per_unnamed_party",
            ),
        ]
        verbose_name = _("party form")
        verbose_name_plural = _("party forms")

    def __str__(self):
        return f"{self.evaluation} {self.party}"


class ServiceResult(TimeStampedModel):
    """A supervisee's service evaluation result for a year (0–100), entered or
    imported by their agency or an authority; the supervisor's indicator
    averages the results of the people they supervised."""

    person = models.ForeignKey(Person, verbose_name=_("supervisee"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.DecimalField(_("service evaluation result"), max_digits=5, decimal_places=2)
    organization = models.ForeignKey(
        Organization, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year", "person"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="one_service_result_per_year")]
        indexes = [models.Index(fields=["organization", "year", "id"], name="serviceresult_org")]
        verbose_name = _("service evaluation result")
        verbose_name_plural = _("service evaluation results")

    def __str__(self):
        return f"{self.person} {self.year} {self.score}"


class ResultVersion(models.Model):
    """Every published result of an evaluation, so a result changed on appeal keeps its history."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["evaluation", "number"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "number"], name="one_result_version_number")]
        verbose_name = _("published result")
        verbose_name_plural = _("published results")

    def __str__(self):
        return f"{self.evaluation} v{self.number}"


class Appeal(TimeStampedModel):
    class Status(models.TextChoices):
        LODGED = "lodged", _("Lodged")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="appeals"
    )
    reason = models.TextField(_("grounds"), validators=[validate_multiline_text])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.LODGED)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.TextField(_("decision"), blank=True, validators=[validate_multiline_text])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return f"{self.evaluation} {self.status}"


class EntryFlag(TimeStampedModel):
    """A pool entry flagged by its grades (two consecutive basic passes or worse)."""

    entry = models.ForeignKey(Entry, verbose_name=_("pool entry"), on_delete=models.CASCADE, related_name="flags")
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "cycle"], name="one_flag_per_entry_and_cycle")]
        verbose_name = _("entry flag")
        verbose_name_plural = _("entry flags")

    def __str__(self):
        return f"{self.entry} {self.reason}"


class Renewal(TimeStampedModel):
    """At the end of a pool term: a proposed renewal for an entry whose grades
    meet the policy rule, decided by the pool's keeper."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    entry = models.ForeignKey(Entry, verbose_name=_("pool entry"), on_delete=models.PROTECT, related_name="renewals")
    grades = models.JSONField(_("grades in the term"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    new_expires_on = models.DateField(_("new term ends on"), null=True, blank=True)
    # The end of the term this renewal is about: an entry is proposed once per
    # term, so a refusal is not proposed again by the next scheduled run.
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(status="proposed"), name="one_open_renewal_per_entry"
            ),
            models.UniqueConstraint(fields=["entry", "term_ends_on"], name="one_renewal_per_entry_and_term"),
        ]
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")

    def __str__(self):
        return f"{self.entry} {self.status}"

    def grades_shown(self) -> list[tuple]:
        """(year, grade label) of the grades in the term, for pages and exports."""
        return [
            (g.get("year"), Grade(g["grade"]).label if g.get("grade") in Grade.values else g.get("grade"))
            for g in self.grades or []
        ]
