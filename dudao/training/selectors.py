"""Reads for training, through the user's scope. A trainer works only on the
programmes commissioned to its organisation; anything else is not found."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from dudao.core.scoping import nodes_q, scope_for
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.policy.selectors import resolve_many
from dudao.selection.models import Trainee
from dudao.selection.selectors import rounds_for

from . import permissions
from .models import Activity, Attendance, Cohort, Member, Module, Programme, Response, Session, Survey

RESULT_KEYS = [
    "training.theory_weight",
    "training.pass_mark",
    "training.min_attendance_share",
    "training.excused_absence_counts",
]


def programmes_for(user) -> QuerySet[Programme]:
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.read_nodes, "jurisdiction__")) is not None:
        conditions.append(q)
    if trainer_orgs := permissions.trainer_org_ids(user):
        conditions.append(Q(trainer_id__in=trainer_orgs))
    if scope.person_id:
        conditions.append(Q(cohorts__members__trainee__person_id=scope.person_id))
    if not conditions:
        return Programme.objects.none()
    ids = Programme.objects.filter(reduce(or_, conditions)).values("pk")
    return Programme.objects.filter(pk__in=ids).select_related("jurisdiction", "trainer")


def cohorts_for(user) -> QuerySet[Cohort]:
    """The city and the read-only bureaus see every cohort of their programmes,
    the trainer those of the programmes it is commissioned for, a trainee only
    their own cohort (not the other cohorts of the programme)."""
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.read_nodes, "programme__jurisdiction__")) is not None:
        conditions.append(q)
    if trainer_orgs := permissions.trainer_org_ids(user):
        conditions.append(Q(programme__trainer_id__in=trainer_orgs))
    if scope.person_id:
        conditions.append(Q(members__trainee__person_id=scope.person_id))
    if not conditions:
        return Cohort.objects.none()
    ids = Cohort.objects.filter(reduce(or_, conditions)).values("pk")
    return Cohort.objects.filter(pk__in=ids).select_related("programme__trainer", "programme__jurisdiction", "round")


def _programme_reader_q(user, prefix: str) -> list[Q]:
    """Conditions under which a user reads everything of a programme: a bureau
    reading its jurisdiction, or the commissioned trainer."""
    conditions = []
    if (q := nodes_q(scope_for(user).read_nodes, f"{prefix}jurisdiction__")) is not None:
        conditions.append(q)
    if trainer_orgs := permissions.trainer_org_ids(user):
        conditions.append(Q(**{f"{prefix}trainer_id__in": trainer_orgs}))
    return conditions


def trainees_trained_q(user) -> Q | None:
    """The trainees a trainer reads on the selection's list: those in a cohort
    of a programme commissioned to it (selection.selectors.register_trainee_reader)."""
    trainer_orgs = permissions.trainer_org_ids(user)
    if not trainer_orgs:
        return None
    return Q(Exists(Member.objects.filter(trainee_id=OuterRef("pk"), programme__trainer_id__in=trainer_orgs)))


def modules_for(user) -> QuerySet[Module]:
    return Module.objects.filter(programme__in=programmes_for(user)).select_related("domain")


def sessions_for(user) -> QuerySet[Session]:
    return Session.objects.filter(cohort__in=cohorts_for(user)).select_related("module", "cohort")


def members_for(user) -> QuerySet[Member]:
    """Scores are read by the city, the bureaus and the trainer; a trainee reads
    only their own membership, not their classmates' scores."""
    scope = scope_for(user)
    conditions = _programme_reader_q(user, "cohort__programme__")
    if scope.person_id:
        conditions.append(Q(trainee__person_id=scope.person_id))
    if not conditions:
        return Member.objects.none()
    ids = Member.objects.filter(reduce(or_, conditions)).values("pk")
    return Member.objects.filter(pk__in=ids).select_related(
        "cohort", "trainee__person", "trainee__nomination__organization"
    )


def surveys_for(user) -> QuerySet[Survey]:
    """Drafts to whoever runs or reads the programme; a trainee sees the
    surveys sent to their programme."""
    scope = scope_for(user)
    conditions = _programme_reader_q(user, "programme__")
    if scope.person_id:
        conditions.append(Q(programme__cohorts__members__trainee__person_id=scope.person_id, sent_at__isnull=False))
    if not conditions:
        return Survey.objects.none()
    ids = Survey.objects.filter(reduce(or_, conditions)).values("pk")
    return Survey.objects.filter(pk__in=ids).select_related("programme__jurisdiction").prefetch_related("questions")


def member_for(user, programme: Programme) -> Member | None:
    """The user's own place in the programme, if they are one of its trainees."""
    person_id = scope_for(user).person_id
    if not person_id:
        return None
    return (
        Member.objects.filter(cohort__programme=programme, trainee__person_id=person_id)
        .select_related("cohort")
        .first()
    )


def available_trainees(programme: Programme, round_) -> QuerySet[Trainee]:
    """Trainees of the round who are not yet in a cohort of the programme."""
    if round_ is None:
        return Trainee.objects.none()
    return (
        Trainee.objects.filter(round=round_)
        .exclude(memberships__cohort__programme=programme)
        .select_related("person", "nomination__organization__jurisdiction")
        .order_by("person__name", "pk")
    )


def programme_summary(programme: Programme) -> list[dict]:
    """Per cohort: members, scored, confirmed and passed, in one query."""
    rows = (
        programme.cohorts.annotate(
            member_count=Count("members", distinct=True),
            scored_count=Count(
                "members",
                filter=Q(members__theory_score__isnull=False, members__practice_score__isnull=False),
                distinct=True,
            ),
            confirmed_count=Count("members", filter=Q(members__confirmed_at__isnull=False), distinct=True),
            passed_count=Count("members", filter=Q(members__passed=True), distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .select_related("round")
        .order_by("name")
    )
    return list(rows)


@dataclass(frozen=True)
class Result:
    member: Member
    attended_hours: Decimal
    total_hours: Decimal
    share: Decimal | None  # percent
    overall: Decimal | None
    pass_mark: int
    min_share: int
    # The unrounded weighted score: the pass decision uses it, so 59.95 does not pass a mark of 60.
    exact_overall: Decimal | None = None
    # Hours of sessions the trainee was excused from (请假), and whether the policy counts them as attended.
    excused_hours: Decimal = Decimal(0)
    excused_counts: bool = False

    @property
    def counted_hours(self) -> Decimal:
        """The hours the attendance share is taken of."""
        return self.attended_hours + (self.excused_hours if self.excused_counts else 0)

    @property
    def scored(self) -> bool:
        return self.overall is not None

    @property
    def attendance_ok(self) -> bool:
        # Compared on the exact hours, not the rounded share: 79.95 % is not 80 %.
        return bool(self.total_hours) and self.counted_hours * 100 >= self.min_share * self.total_hours

    @property
    def passes(self) -> bool:
        exact = self.exact_overall if self.exact_overall is not None else self.overall
        return self.scored and self.attendance_ok and exact >= self.pass_mark

    @property
    def confirmed(self) -> bool:
        return self.member.confirmed_at is not None

    @property
    def outcome(self) -> bool | None:
        """The recorded result once the city confirmed it (later changes of the
        parameters or the timetable do not rewrite it); the live one before."""
        if self.confirmed:
            return self.member.passed
        return self.passes if self.scored else None


def result_parameters(programme: Programme, on=None) -> dict:
    return {k: v for k, (v, _s) in resolve_many(RESULT_KEYS, programme.jurisdiction, on).items()}


def practice_weight(theory_weight: int) -> int:
    """Policy 四(三): theory and practice make up the whole score; the theory
    share is policy data, the practice share what is left of 100."""
    return 100 - theory_weight


def result_rules(params: dict) -> dict:
    """The assessment rules in force, as the scores page states them."""
    return {
        "theory_weight": params["training.theory_weight"],
        "practice_weight": practice_weight(params["training.theory_weight"]),
        "pass_mark": params["training.pass_mark"],
        "min_share": params["training.min_attendance_share"],
        "excused_counts": params["training.excused_absence_counts"],
    }


def exact_overall_score(theory, practice, theory_weight: int) -> Decimal | None:
    if theory is None or practice is None:
        return None
    return (Decimal(theory) * theory_weight + Decimal(practice) * practice_weight(theory_weight)) / 100


def overall_score(theory, practice, theory_weight: int) -> Decimal | None:
    """The overall score as shown: one decimal."""
    value = exact_overall_score(theory, practice, theory_weight)
    return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def results(cohort: Cohort, params: dict | None = None) -> list[Result]:
    """Hours, attendance share, overall score and pass for every member; a
    fixed number of queries for the whole cohort."""
    params = params or result_parameters(cohort.programme)
    tenth = Decimal("0.1")
    total = (Session.objects.filter(cohort=cohort).aggregate(h=Sum("hours"))["h"] or Decimal(0)).quantize(tenth)
    attended, excused = {}, {}
    for member_id, present, hours in (
        Attendance.objects.filter(session__cohort=cohort)
        .filter(Q(present=True) | Q(excused=True))
        .values("member_id", "present")
        .annotate(h=Sum("session__hours"))
        .values_list("member_id", "present", "h")
        .order_by()
    ):
        (attended if present else excused)[member_id] = hours
    counts = bool(params["training.excused_absence_counts"])
    out = []
    for member in cohort.members.select_related(
        "trainee__person__education", "trainee__nomination__organization__jurisdiction"
    ):
        hours = Decimal(attended.get(member.pk) or 0).quantize(tenth)
        leave = Decimal(excused.get(member.pk) or 0).quantize(tenth)
        counted = hours + (leave if counts else 0)
        # Rounded down, so the share shown never reads as reaching the minimum when it does not.
        share = (counted * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_DOWN) if total else None
        out.append(
            Result(
                member=member,
                attended_hours=hours,
                total_hours=total,
                share=share,
                overall=overall_score(member.theory_score, member.practice_score, params["training.theory_weight"]),
                pass_mark=params["training.pass_mark"],
                min_share=params["training.min_attendance_share"],
                exact_overall=exact_overall_score(
                    member.theory_score, member.practice_score, params["training.theory_weight"]
                ),
                excused_hours=leave,
                excused_counts=counts,
            )
        )
    return out


def activities_for(user) -> QuerySet[Activity]:
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.read_nodes)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(organization_id__in=scope.org_ids))
    if scope.person_id:
        conditions.append(
            Q(
                Exists(
                    Activity.participants.through.objects.filter(activity_id=OuterRef("pk"), person_id=scope.person_id)
                )
            )
        )
    if not conditions:
        return Activity.objects.none()
    return Activity.objects.filter(reduce(or_, conditions)).select_related("organization", "jurisdiction", "domain")


def with_participant_counts(activities: list) -> list:
    """Set `participant_count` on a page of activities: one query for the page."""
    through = Activity.participants.through
    counts = dict(
        through.objects.filter(activity_id__in=[a.pk for a in activities])
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    for activity in activities:
        activity.participant_count = counts.get(activity.pk, 0)
    return activities


def organiser_choices(user) -> tuple[QuerySet[Organization], QuerySet[Jurisdiction]]:
    """Who a user may record an own training activity for: the agencies they
    administer and the districts (or the city) they administer."""
    scope = scope_for(user)
    organizations = Organization.objects.filter(pk__in=scope.managed_org_ids, is_active=True).order_by("name")
    nodes = permissions.organising_nodes(user)
    jurisdictions = Jurisdiction.objects.filter(pk__in=[n.id for n in nodes], is_active=True)
    return organizations, jurisdictions


def participant_choices(user) -> QuerySet[Person]:
    """People currently on a roster the user manages."""
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.manage_nodes)) is not None:
        conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(employer_id__in=scope.managed_org_ids))
    if not conditions:
        return Person.objects.none()
    return (
        Person.objects.filter(reduce(or_, conditions), employed=True).select_related("employer").order_by("name", "pk")
    )


def search_participants(user, text: str) -> QuerySet[Person]:
    """People on the rosters the user manages whose name or current unit
    contains what was typed (the participant picker)."""
    text = (text or "").strip()[:64]
    people = participant_choices(user)
    if text:
        people = people.filter(Q(name__contains=text) | Q(employer__name__contains=text))
    return people


def training_history(person) -> dict:
    """Everything a person was trained in: programme cohorts with hours and
    result, and the activities their agency or district recorded."""
    memberships = []
    for member in Member.objects.filter(trainee__person=person).select_related("cohort__programme__jurisdiction"):
        cohort_results = {r.member.pk: r for r in results(member.cohort)}
        memberships.append(cohort_results[member.pk])
    activities = list(
        person.training_activities.select_related("organization", "jurisdiction", "domain").order_by("-held_on", "-id")
    )
    return {
        "memberships": memberships,
        "activities": activities,
        # Hours of training actually held; plans are listed but not counted.
        "activity_hours": sum((a.hours for a in activities if not a.is_plan), Decimal(0)),
    }


# --- what the pages show ------------------------------------------------------------


def programme_jurisdiction_for(user) -> Jurisdiction | None:
    """The jurisdiction a programme this user commissions belongs to: their city."""
    node = permissions.programme_home_node(user)
    return Jurisdiction.objects.filter(pk=node.id).first() if node else None


def rounds_of_programme(user, programme: Programme):
    """The nomination rounds whose trainees may join the programme's cohorts."""
    return rounds_for(user).filter(jurisdiction__path__startswith=programme.jurisdiction.path).order_by("-year", "-id")


def programme_page(user, programme: Programme) -> dict:
    """Everything the programme page shows to this user, in a fixed number of queries."""
    can_see = permissions.can_see_results(user, programme)
    cohorts = (
        cohorts_for(user)
        .filter(programme=programme)
        .annotate(member_count=Count("members", distinct=True), session_count=Count("sessions", distinct=True))
        .order_by("name")
    )
    summary = programme_summary(programme) if can_see else []
    modules = list(programme.modules.select_related("domain"))
    surveys = programme.surveys.annotate(
        question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True)
    )
    if not can_see:
        surveys = surveys.filter(sent_at__isnull=False)
    return {
        "programme": programme,
        "can_run": permissions.can_run_programme(user, programme),
        "can_manage": permissions.can_manage_programme(user, programme),
        "can_see_results": can_see,
        "modules": modules,
        "module_hours": sum((m.hours for m in modules), 0),
        "cohorts": cohorts,
        "summary": summary,
        "totals": {
            key: sum(getattr(row, key) for row in summary)
            for key in ("member_count", "scored_count", "confirmed_count", "passed_count")
        },
        "trainee_count": Member.objects.filter(cohort__programme=programme).count(),
        "surveys": surveys,
        "member": member_for(user, programme),
    }


def cohort_page(user, cohort: Cohort) -> dict:
    programme = cohort.programme
    can_see = permissions.can_see_results(user, programme)
    sessions = cohort.sessions.select_related("module").annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        excused_count=Count("attendance", filter=Q(attendance__excused=True)),
        recorded_count=Count("attendance"),
    )
    return {
        "cohort": cohort,
        "programme": programme,
        "can_run": permissions.can_run_programme(user, programme),
        "can_see_results": can_see,
        "is_trainer": permissions.is_trainer_of(user, programme),
        "sessions": sessions,
        "today": timezone.localdate().isoformat(),
        "results": results(cohort) if can_see else [],
        "members": cohort.members.select_related("trainee__person", "trainee__nomination__organization__jurisdiction"),
    }


def attendance_sheet(session: Session) -> dict:
    states = {
        pk: "present" if present else "excused" if excused else "absent"
        for pk, present, excused in session.attendance.values_list("member_id", "present", "excused")
    }
    members = session.cohort.members.select_related("trainee__person", "trainee__nomination__organization")
    held_on = timezone.localdate(session.starts_at)
    return {
        "rows": [
            {
                "member": m,
                "present": states.get(m.pk) == "present",
                "excused": states.get(m.pk) == "excused",
            }
            for m in members
        ],
        "recorded": bool(states),
        "not_yet_held": held_on > timezone.localdate(),
        "held_on": held_on,
        "excused_counts": resolve_many(["training.excused_absence_counts"], session.cohort.programme.jurisdiction)[
            "training.excused_absence_counts"
        ][0],
    }


# Where a passing trainee's pool entry and certificate are shown, as the pools
# app answers it for this user: `finder(user, person_ids) -> {person_id: url}`,
# only for the people whose page the user may open.
POOL_LINK_FINDERS: list = []


def register_pool_link_finder(finder) -> None:
    if finder not in POOL_LINK_FINDERS:
        POOL_LINK_FINDERS.append(finder)


def pool_links(user, person_ids) -> dict:
    person_ids = list(person_ids)
    links: dict = {}
    if person_ids:
        for finder in POOL_LINK_FINDERS:
            links.update(finder(user, person_ids))
    return links


def unconfirmed_members(cohort: Cohort) -> QuerySet[Member]:
    return cohort.members.filter(confirmed_at__isnull=True)


def score_sheet(user, cohort: Cohort, submitted=None) -> dict:
    """The results table with the scores to edit; `submitted` keeps what the
    trainer typed when a save was refused."""
    programme = cohort.programme
    params = result_parameters(programme)
    rows = []
    cohort_results = results(cohort, params)
    links = pool_links(user, [r.member.trainee.person_id for r in cohort_results if r.confirmed and r.member.passed])
    for r in cohort_results:
        row = {
            "result": r,
            "theory": r.member.theory_score,
            "practice": r.member.practice_score,
            "pool_link": links.get(r.member.trainee.person_id),
        }
        if submitted is not None and not r.confirmed:
            row["theory"] = submitted.get(f"theory-{r.member.pk}", "")
            row["practice"] = submitted.get(f"practice-{r.member.pk}", "")
        rows.append(row)
    return {
        "cohort": cohort,
        "programme": programme,
        "rows": rows,
        "rules": result_rules(params),
        "is_trainer": permissions.is_trainer_of(user, programme),
        "can_confirm": permissions.can_manage_programme(user, programme),
        "pending": sum(1 for r in cohort_results if not r.confirmed),
        "all_scored": all(r.scored for r in cohort_results),
    }


def survey_counts(survey: Survey) -> dict:
    return {
        "response_count": survey.responses.count(),
        "invited": Member.objects.filter(cohort__programme=survey.programme).count(),
    }


def response_of(survey: Survey, member: Member):
    return Response.objects.filter(survey=survey, member=member).first()


def open_surveys_for(person) -> QuerySet[Survey]:
    """Surveys sent to the person's programmes, still open and not yet answered."""
    answered = Response.objects.filter(member__trainee__person=person).values("survey_id")
    return (
        Survey.objects.filter(programme__cohorts__members__trainee__person=person, sent_at__isnull=False)
        .exclude(pk__in=answered)
        .exclude(closes_at__lt=timezone.now())
        .distinct()
        .select_related("programme")
    )


# --- what waits on a programme (the 工作台's to-dos and the programme list's filter) ---

NEEDS = ("attendance", "scores", "confirmation")


def _unconfirmed(prefix_ref: str):
    return Member.objects.filter(**{prefix_ref: OuterRef("pk")}, confirmed_at__isnull=True)


def needing(queryset: QuerySet[Programme], need: str) -> QuerySet[Programme]:
    """Programmes with something of `need` waiting: a session held without
    attendance recorded; a trainee not yet confirmed who lacks a score; a
    cohort whose trainees are all scored and not all confirmed (the city's
    confirmation)."""
    if need == "attendance":
        held = Session.objects.filter(cohort__programme=OuterRef("pk"), starts_at__lte=timezone.now()).filter(
            ~Exists(Attendance.objects.filter(session=OuterRef("pk")))
        )
        return queryset.filter(Exists(held))
    if need == "scores":
        unscored = _unconfirmed("programme").filter(Q(theory_score__isnull=True) | Q(practice_score__isnull=True))
        return queryset.filter(Exists(unscored))
    if need == "confirmation":
        ready = Cohort.objects.filter(programme=OuterRef("pk")).filter(
            Exists(_unconfirmed("cohort")),
            ~Exists(_unconfirmed("cohort").filter(Q(theory_score__isnull=True) | Q(practice_score__isnull=True))),
        )
        return queryset.filter(Exists(ready))
    return queryset
