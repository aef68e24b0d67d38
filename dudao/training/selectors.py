"""Reads for training, through the user's scope. A trainer works only on the
programmes commissioned to its organisation; anything else is not found."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet, Sum

from dudao.accounts.models import Role
from dudao.accounts.scopes import scope_for
from dudao.policy.selectors import resolve_many

from .models import Activity, Attendance, Cohort, Member, Programme, Session

RESULT_KEYS = ["training.theory_weight", "training.pass_mark", "training.min_attendance_share"]


def _path_q(prefix, paths):
    return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths)) if paths else None


def programmes_for(user) -> QuerySet[Programme]:
    scope = scope_for(user)
    conditions = []
    if (q := _path_q("jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if Role.TRAINER in scope.roles:
        conditions.append(Q(trainer_id__in=scope.org_ids))
    if scope.person_id:
        conditions.append(Q(cohorts__members__trainee__person_id=scope.person_id))
    if not conditions:
        return Programme.objects.none()
    ids = Programme.objects.filter(reduce(or_, conditions)).values("pk")
    return Programme.objects.filter(pk__in=ids).select_related("jurisdiction", "trainer")


def cohorts_for(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(programme__in=programmes_for(user)).select_related("programme__trainer", "round")


def can_manage_programme(user, programme: Programme) -> bool:
    """The city bureau that commissioned the programme."""
    scope = scope_for(user)
    return Role.CITY_ADMIN in scope.roles and scope.manages_path(programme.jurisdiction.path)


def is_trainer_of(user, programme: Programme) -> bool:
    scope = scope_for(user)
    return Role.TRAINER in scope.roles and programme.trainer_id in scope.org_ids


def can_run_programme(user, programme: Programme) -> bool:
    """Curriculum, cohorts, sessions and attendance: the city or its trainer."""
    return can_manage_programme(user, programme) or is_trainer_of(user, programme)


@dataclass(frozen=True)
class Result:
    member: Member
    attended_hours: Decimal
    total_hours: Decimal
    share: Decimal | None  # percent
    overall: Decimal | None
    pass_mark: int
    min_share: int

    @property
    def scored(self) -> bool:
        return self.overall is not None

    @property
    def passes(self) -> bool:
        return self.scored and self.share is not None and self.overall >= self.pass_mark and self.share >= self.min_share


def result_parameters(programme: Programme, on=None) -> dict:
    return {k: v for k, (v, _s) in resolve_many(RESULT_KEYS, programme.jurisdiction, on).items()}


def overall_score(theory, practice, theory_weight: int) -> Decimal | None:
    if theory is None or practice is None:
        return None
    value = (Decimal(theory) * theory_weight + Decimal(practice) * (100 - theory_weight)) / 100
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def results(cohort: Cohort, params: dict | None = None) -> list[Result]:
    """Hours, attendance share, overall score and pass for every member; a
    fixed number of queries for the whole cohort."""
    params = params or result_parameters(cohort.programme)
    total = Session.objects.filter(cohort=cohort).aggregate(h=Sum("hours"))["h"] or Decimal(0)
    attended = dict(
        Attendance.objects.filter(session__cohort=cohort, present=True)
        .values("member_id")
        .annotate(h=Sum("session__hours"))
        .values_list("member_id", "h")
    )
    out = []
    for member in cohort.members.select_related("trainee__person__education", "trainee__nomination__organization__jurisdiction"):
        hours = attended.get(member.pk, Decimal(0))
        share = (hours * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if total else None
        out.append(
            Result(
                member=member,
                attended_hours=hours,
                total_hours=total,
                share=share,
                overall=overall_score(member.theory_score, member.practice_score, params["training.theory_weight"]),
                pass_mark=params["training.pass_mark"],
                min_share=params["training.min_attendance_share"],
            )
        )
    return out


def activities_for(user) -> QuerySet[Activity]:
    scope = scope_for(user)
    conditions = []
    if (q := _path_q("organization__jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if (q := _path_q("jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(organization_id__in=scope.org_ids))
    if scope.person_id:
        conditions.append(Q(participants=scope.person_id))
    if not conditions:
        return Activity.objects.none()
    ids = Activity.objects.filter(reduce(or_, conditions)).values("pk")
    return Activity.objects.filter(pk__in=ids).select_related("organization", "jurisdiction", "domain")


def training_history(person) -> dict:
    """Everything a person was trained in: programme cohorts with hours and
    result, and the activities their agency or district recorded."""
    memberships = []
    for member in Member.objects.filter(trainee__person=person).select_related("cohort__programme__jurisdiction"):
        cohort_results = {r.member.pk: r for r in results(member.cohort)}
        memberships.append(cohort_results[member.pk])
    activities = person.training_activities.select_related("organization", "jurisdiction", "domain").order_by("-held_on")
    return {"memberships": memberships, "activities": list(activities)}
