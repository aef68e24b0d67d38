"""Keeps models.OrganizationCoverage in step with the need against supply
(need.py), and lets an agency correct a staff member's supervisee type."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.directory.models import Organization, Person

from .. import permissions, signals
from ..models import OrganizationCoverage, SuperviseeProfile, SuperviseeType
from ..need import need_of
from ..types import is_corrected, types_of

# --- the stored rows ------------------------------------------------------------------


def refresh(organization_ids, on: dt.date | None = None) -> int:
    """Recompute the coverage rows of these organisations; returns how many."""
    on = on or timezone.localdate()
    organizations = Organization.objects.filter(pk__in=list(organization_ids)).select_related("jurisdiction")
    done = 0
    for organization in organizations:
        need = need_of(organization, on)
        # update_or_create: two refreshes of a new organisation at once must not both insert.
        OrganizationCoverage.objects.update_or_create(
            organization=organization,
            defaults={
                "month": need.month,
                "staff": need.staff,
                "need_hours": need.need_hours,
                "supply_hours": need.supply_hours,
                "internal_hours": need.internal_hours,
                "received_hours": need.received_hours,
                "uncovered": need.uncovered,
                "shortfall": need.shortfall,
            },
        )
        done += 1
    return done


def refresh_all(*, batch_size: int = 500, on: dt.date | None = None) -> int:
    """Every active organisation, in batches of ids (the nightly run: a new
    month, staff whose first year ended, engagements whose term ran out)."""
    done, last = 0, 0
    while True:
        ids = list(
            Organization.objects.filter(is_active=True, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        with transaction.atomic():
            done += refresh(ids, on)
        last = ids[-1]


# --- supervisee types -----------------------------------------------------------------


@transaction.atomic
def set_supervisee_type(*, actor, person: Person, type: str | None) -> str:
    """The employer's agency admin corrects a staff member's supervisee type
    where the data reads it wrongly; an empty type clears the correction, so the
    type is read from the data again. Returns the type now in force."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.employed or not permissions.manages_organization(actor, person.employer_id):
        raise PermissionDenied(_("Only the agency that employs this person sets their supervisee type."))
    if type and type not in SuperviseeType.values:
        raise ValidationError({"type": _("Choose one of the supervisee types.")})
    before = types_of([person.pk])[person.pk]
    was_corrected = bool(is_corrected([person.pk]))
    if type:
        SuperviseeProfile.objects.update_or_create(person=person, defaults={"type": type, "set_by": actor})
    else:
        SuperviseeProfile.objects.filter(person=person).delete()
    after = types_of([person.pk])[person.pk]
    audit.record(
        actor=actor,
        event="supervision.supervisee_type_set",
        obj=person,
        changes={
            "type": [before, after],
            "corrected": [was_corrected, bool(type)],
        },
    )
    signals.changed({person.employer_id})
    return after
