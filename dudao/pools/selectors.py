import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dudao.core.scoping import nodes_q, scope_for
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.directory.selectors import people_for

from . import permissions
from .models import CODE_ALPHABET, Entry


def entries_for(user) -> QuerySet[Entry]:
    """City and district pools to the jurisdictions that read them; a
    jurisdiction also sees every entry (the city pool's included) of the
    supervisors selected in it or working in it now; an agency sees its
    internal supervisors and every entry of its own staff; a person sees their
    own."""
    scope = scope_for(user)
    conditions = []
    # The keeper's, the home district's and the employed person's chains all
    # live on the entry (pools/scoping.py): index ranges on one table, no join.
    for prefix in ("", "home_", "person_"):
        if (q := nodes_q(scope.read_nodes, prefix)) is not None:
            conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(organization_id__in=scope.managed_org_ids))
        conditions.append(Q(person__employer_id__in=scope.managed_org_ids, person__employed=True))
    if scope.person_id:
        conditions.append(Q(person_id=scope.person_id))
    if not conditions:
        return Entry.objects.none()
    return (
        Entry.objects.filter(reduce(or_, conditions))
        .select_related("person__education", "jurisdiction", "organization", "home_district")
        .prefetch_related("domains")
    )


def kept_q(user) -> Q | None:
    """The entries of the pools the user keeps, as a condition: the city its
    pool, a district its own, an agency its internal supervisors
    (permissions.can_keep, for a whole list)."""
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.nodes_for(permissions.KEEP_CITY))) is not None:
        conditions.append(q & Q(level=Entry.Level.CITY))
    if (q := nodes_q(scope.nodes_for(permissions.KEEP_DISTRICT))) is not None:
        conditions.append(q & Q(level=Entry.Level.DISTRICT))
    if org_ids := permissions.designating_org_ids(user):
        conditions.append(Q(level=Entry.Level.AGENCY, organization_id__in=org_ids))
    return reduce(or_, conditions) if conditions else None


def flagged_for_keeper(queryset: QuerySet[Entry], user) -> QuerySet[Entry]:
    """The entries flagged for review in the pools the user keeps; a flag is
    the keeper's to see, so anyone else finds none."""
    kept = kept_q(user)
    return queryset.filter(kept, flagged_for_review=True) if kept is not None else queryset.none()


def with_flags(user, entries) -> list:
    """Set `show_flag` on each entry: flagged, and the user keeps its pool."""
    entries = list(entries)
    for entry in entries:
        entry.show_flag = entry.flagged_for_review and permissions.can_keep(user, entry)
    return entries


def discipline_for_keeper(user, person: Person, entries) -> list:
    """The person's disciplinary records, for a keeper of one of their entries."""
    if not any(permissions.can_keep(user, entry) for entry in entries):
        return []
    return list(person.disciplinary_records.order_by("-decided_on", "-id"))


def profile_links(user, person_ids) -> dict:
    """{person id: their profile's address} for the people among `person_ids`
    with an entry the user sees and a profile the user may open; nobody else
    gets a link (the training results page asks, training.selectors.pool_links)."""
    if not permissions.reads_pools(user):
        return {}
    with_entry = entries_for(user).filter(person_id__in=person_ids).values("person_id")
    openable = people_for(user).filter(pk__in=with_entry).values_list("pk", flat=True)
    return {pk: reverse("pools:profile", args=[pk]) for pk in openable}


def available(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    return queryset.filter(status=Entry.Status.ACTIVE, expires_on__gte=timezone.localdate())


def history_of(entry: Entry):
    return entry.history.select_related("actor")


def public_entry(code: str) -> Entry | None:
    """The entry a verification code names, found by the code alone. Anything
    that is not a well-formed code is simply not found."""
    code = (code or "")[:64].strip().upper().replace("-", "").replace(" ", "")
    if len(code) != 16 or any(c not in CODE_ALPHABET for c in code):
        return None
    return Entry.objects.select_related("person").filter(verification_code=code).first()


def with_status(queryset: QuerySet[Entry], status: str) -> QuerySet[Entry]:
    """Entries whose status as of today (Entry.effective_status) is `status`:
    an active entry past its term counts as expired, not active."""
    today = timezone.localdate()
    if status == Entry.Status.ACTIVE:
        return available(queryset)
    if status == Entry.Status.EXPIRED:
        return queryset.filter(Q(status=Entry.Status.EXPIRED) | Q(status=Entry.Status.ACTIVE, expires_on__lt=today))
    return queryset.filter(status=status)


def expiring(queryset: QuerySet[Entry], days: int) -> QuerySet[Entry]:
    """Active entries whose term ends within `days` from today (today included)."""
    today = timezone.localdate()
    return queryset.filter(
        status=Entry.Status.ACTIVE, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days)
    )


def unavailable(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    return queryset.exclude(status=Entry.Status.ACTIVE, expires_on__gte=timezone.localdate())


def is_available(entry: Entry) -> bool:
    """Active and within its term: the same test as available()."""
    return entry.effective_status == Entry.Status.ACTIVE


def admitting_districts(user) -> QuerySet[Jurisdiction]:
    """The districts whose pool the user keeps (as its district admin)."""
    ids = [node.id for node in permissions.admitting_nodes(user)]
    return Jurisdiction.objects.filter(pk__in=ids, is_active=True).exclude(
        kind__in=[Jurisdiction.Kind.PROVINCE, Jurisdiction.Kind.CITY]
    )


def district_for(user, person: Person) -> Jurisdiction | None:
    """Which of the user's districts the person works in now, if any."""
    if not person.employed:
        return None
    return next((d for d in admitting_districts(user) if person.in_chain([d])), None)


def designating_organizations(user) -> QuerySet[Organization]:
    """The agencies whose internal supervisors the user names (as their admin)."""
    return (
        Organization.objects.filter(pk__in=permissions.designating_org_ids(user))
        .select_related("jurisdiction")
        .order_by("name")
    )


def current_staff(organization: Organization) -> QuerySet[Person]:
    return Person.objects.filter(employer=organization, employed=True).order_by("name", "pk")


@dataclass(frozen=True)
class PublicRecord:
    """All the public verification page and API may show of an entry."""

    name: str
    entry_number: str
    level: str
    level_display: str
    status: str
    status_display: str
    term_start: dt.date
    term_end: dt.date


def public_record(code: str) -> PublicRecord | None:
    entry = public_entry(code)
    if entry is None:
        return None
    return PublicRecord(
        name=entry.person.name,
        entry_number=entry.entry_number,
        level=entry.level,
        level_display=entry.get_level_display(),
        status=entry.effective_status,
        status_display=entry.get_effective_status_display(),
        term_start=entry.admitted_on,
        term_end=entry.expires_on,
    )
