"""Rows for the people export, read with plain values() in chunks: building
model instances and prefetch caches for every row made a city-wide export
several times slower than writing the workbook itself."""

from collections import defaultdict
from types import SimpleNamespace

from dudao.core.validators import gender_from_id, mask_id_number

from .models import Certificate, Employment, Person
from .selectors import can_see_full_id

CHUNK = 2000


def people_rows(queryset, user):
    fields = ("pk", "name", "id_number", "education__name", "major", "phone", "frontline_since")
    ids = list(queryset.values_list("pk", flat=True))
    full_id_for = _full_id_checker(user)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        people = {row["pk"]: row for row in Person.objects.filter(pk__in=chunk).values(*fields)}
        certificates, domains, employers = defaultdict(list), defaultdict(list), {}
        for person_id, level, number in Certificate.objects.filter(person_id__in=chunk).order_by("-level__rank").values_list(
            "person_id", "level__name", "number"
        ):
            certificates[person_id].append(f"{level}({number})")
        through = Person.service_domains.through
        for person_id, name in through.objects.filter(person_id__in=chunk).order_by("servicedomain__order").values_list(
            "person_id", "servicedomain__name"
        ):
            domains[person_id].append(name)
        for person_id, org_id, org_name, path in Employment.objects.filter(person_id__in=chunk, end_date=None).values_list(
            "person_id", "organization_id", "organization__name", "organization__jurisdiction__path"
        ):
            employers[person_id] = (org_id, org_name, path)
        for pk in chunk:
            row = people[pk]
            employer = employers.get(pk)
            full = full_id_for(pk, employer)
            yield SimpleNamespace(
                name=row["name"],
                id_number=row["id_number"] if full else mask_id_number(row["id_number"]),
                gender=gender_from_id(row["id_number"]),
                education=row["education__name"] or "",
                major=row["major"],
                phone=row["phone"] if full else "",
                frontline_since=row["frontline_since"],
                employer=employer[1] if employer else "",
                certificates="、".join(certificates[pk]),
                domains="、".join(domains[pk]),
            )


def _full_id_checker(user):
    """The same rule as selectors.can_see_full_id, applied to plain values."""
    from dudao.accounts.scopes import scope_for

    scope = scope_for(user)

    def check(person_id, employer):
        if scope.person_id == person_id:
            return True
        if employer is None:
            return False
        org_id, _name, path = employer
        return scope.manages_path(path) or org_id in scope.managed_org_ids

    return check


__all__ = ["can_see_full_id", "people_rows"]
