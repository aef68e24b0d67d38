"""Reads of practice hours and ability assessments, scoped to the user
(supervision.permissions), and the to-dos they put on the home page."""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from dudao.core.scoping import nodes_q
from dudao.directory.models import Person
from dudao.policy.selectors import value as policy_value

from .. import permissions
from ..models import Assessment, Engagement, PracticeLog


def _any(conditions) -> Q | None:
    conditions = [c for c in conditions if c is not None]
    return reduce(or_, conditions) if conditions else None


def practice_for(user) -> QuerySet[PracticeLog]:
    """A supervisor their own logs, an agency those done at its organisations,
    a jurisdiction those done in it; nobody else any."""
    supervisor_id = permissions.supervisor_person_id(user)
    managed = permissions.managed_org_ids(user)
    condition = _any(
        [
            Q(supervisor_id=supervisor_id) if supervisor_id is not None else None,
            Q(organization_id__in=managed) if managed else None,
            nodes_q(permissions.coverage_nodes(user)),
        ]
    )
    if condition is None:
        return PracticeLog.objects.none()
    return PracticeLog.objects.filter(condition).select_related("supervisor", "organization", "decided_by")


def assessments_for(user) -> QuerySet[Assessment]:
    """A supervisor the assessments they made, a supervisee their own, the using
    agency those under its engagements, a jurisdiction those of its organisations."""
    supervisor_id = permissions.supervisor_person_id(user)
    supervisee_id = permissions.supervisee_person_id(user)
    managed = permissions.managed_org_ids(user)
    condition = _any(
        [
            Q(supervisor_id=supervisor_id) if supervisor_id is not None else None,
            Q(supervisee_id=supervisee_id) if supervisee_id is not None else None,
            Q(engagement__organization_id__in=managed) if managed else None,
            nodes_q(permissions.coverage_nodes(user), "engagement__"),
        ]
    )
    if condition is None:
        return Assessment.objects.none()
    return Assessment.objects.filter(condition).select_related("supervisor", "supervisee", "engagement__organization")


def competencies(engagement: Engagement, on: dt.date | None = None) -> list[str]:
    """The items a supervisee of this engagement is scored on (policy at the using organisation)."""
    return list(policy_value("supervision.competencies", engagement.organization.jurisdiction, on))


def covers(engagement: Engagement, person: Person) -> bool:
    """Whether the engagement supervises this person (never the supervisor themself)."""
    if person.pk == engagement.supervisor_id:
        return False
    if engagement.covers_all_staff:
        return person.employed and person.employer_id == engagement.organization_id
    return engagement.supervisees.filter(pk=person.pk).exists()


def live_engagements(supervisor_id: int, on: dt.date | None = None) -> QuerySet[Engagement]:
    on = on or timezone.localdate()
    return Engagement.objects.filter(
        supervisor_id=supervisor_id, status=Engagement.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on
    ).select_related("organization__jurisdiction")


def assessable_engagements(supervisor_id: int) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        supervisor_id=supervisor_id, status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED]
    ).select_related("organization__jurisdiction")


def covered_people(engagements) -> QuerySet[Person]:
    """Everyone the engagements supervise: their named supervisees, and the
    current staff of the organisations an engagement covers wholly."""
    engagements = list(engagements)
    whole = {e.organization_id for e in engagements if e.covers_all_staff}
    named = [e.pk for e in engagements if not e.covers_all_staff]
    supervisor_ids = {e.supervisor_id for e in engagements}
    condition = _any(
        [
            Q(employer_id__in=whole, employed=True) if whole else None,
            Q(pk__in=Engagement.supervisees.through.objects.filter(engagement_id__in=named).values("person_id"))
            if named
            else None,
        ]
    )
    if condition is None:
        return Person.objects.none()
    return Person.objects.filter(condition).exclude(pk__in=supervisor_ids).order_by("name", "pk")


def assessments_due(supervisor_id: int, year: int | None = None) -> list[tuple[Engagement, Person]]:
    """(engagement, supervisee) pairs of the supervisor's live engagements with
    no start assessment this year, in three queries however many."""
    year = year or timezone.localdate().year
    engagements = list(live_engagements(supervisor_id))
    if not engagements:
        return []
    whole = {e.organization_id: e for e in engagements if e.covers_all_staff}
    pairs = []
    named = Engagement.supervisees.through.objects.filter(
        engagement_id__in=[e.pk for e in engagements if not e.covers_all_staff]
    ).select_related("person")
    by_pk = {e.pk: e for e in engagements}
    pairs += [(by_pk[link.engagement_id], link.person) for link in named]
    if whole:
        staff = Person.objects.filter(employer_id__in=whole, employed=True).exclude(pk=supervisor_id)
        pairs += [(whole[p.employer_id], p) for p in staff]
    started = set(
        Assessment.objects.filter(
            supervisor_id=supervisor_id, year=year, phase=Assessment.Phase.START, engagement__in=engagements
        ).values_list("engagement_id", "supervisee_id")
    )
    due = [(e, p) for e, p in pairs if (e.pk, p.pk) not in started and p.pk != supervisor_id]
    return sorted(due, key=lambda pair: (pair[0].organization.name, pair[1].name, pair[1].pk))
