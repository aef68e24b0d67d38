from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from dudao.accounts.scopes import scope_for

from .models import Entry


def _path_q(prefix, paths):
    return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths)) if paths else None


def entries_for(user) -> QuerySet[Entry]:
    """City and district pools to the jurisdictions that read them; an agency
    sees its internal supervisors and every entry of its own staff; a person
    sees their own."""
    scope = scope_for(user)
    conditions = []
    if (q := _path_q("jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if (q := _path_q("organization__jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(organization_id__in=scope.managed_org_ids))
        conditions.append(Q(person__employments__organization_id__in=scope.managed_org_ids, person__employments__end_date=None))
    if scope.person_id:
        conditions.append(Q(person_id=scope.person_id))
    if not conditions:
        return Entry.objects.none()
    ids = Entry.objects.filter(reduce(or_, conditions)).values("pk")
    return (
        Entry.objects.filter(pk__in=ids)
        .select_related("person__education", "jurisdiction", "organization", "home_district")
        .prefetch_related("domains")
    )


def available(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    return queryset.filter(status=Entry.Status.ACTIVE, expires_on__gte=timezone.localdate())


def history_of(entry: Entry):
    return entry.history.select_related("actor")


def public_entry(code: str) -> Entry | None:
    """What the public verification page may show, found by the code alone."""
    code = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if len(code) != 16:
        return None
    return Entry.objects.select_related("person", "jurisdiction", "organization").filter(verification_code=code).first()


