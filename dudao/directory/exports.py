"""Rows for the people export, read with plain values() and streamed: the
people in the list's order through a server-side cursor, their certificates and
domains one chunk at a time, so memory stays flat for a province's million
rows. Whether the ID number shows in full is decided by the same rule as the
pages and the API (permissions.sees_full_id), on plain values."""

from collections import defaultdict
from itertools import islice
from types import SimpleNamespace

from dudao.core.scoping import CHAIN_FIELDS, scope_for
from dudao.core.validators import gender_from_id, mask_id_number

from .models import Certificate, Person
from .permissions import sees_full_id

CHUNK = 2000
FIELDS = (
    "pk",
    "name",
    "id_number",
    "education__name",
    "major",
    "phone",
    "frontline_since",
    "employer_id",
    "employer__name",
    "employed",
    *CHAIN_FIELDS,
)


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def people_rows(queryset, user):
    scope = scope_for(user)
    through = Person.service_domains.through
    for chunk in _chunks(queryset.values(*FIELDS).iterator(chunk_size=CHUNK), CHUNK):
        ids = [row["pk"] for row in chunk]
        certificates, domains = defaultdict(list), defaultdict(list)
        for person_id, level, number in (
            Certificate.objects.filter(person_id__in=ids)
            .order_by("-level__rank")
            .values_list("person_id", "level__name", "number")
        ):
            certificates[person_id].append(f"{level}({number})")
        for person_id, name in (
            through.objects.filter(person_id__in=ids)
            .order_by("servicedomain__order")
            .values_list("person_id", "servicedomain__name")
        ):
            domains[person_id].append(name)
        for row in chunk:
            full = sees_full_id(
                scope,
                person_id=row["pk"],
                employer_id=row["employer_id"],
                employed=row["employed"],
                chain={name: row[name] for name in CHAIN_FIELDS},
            )
            yield SimpleNamespace(
                name=row["name"],
                id_number=row["id_number"] if full else mask_id_number(row["id_number"]),
                gender=gender_from_id(row["id_number"]),
                education=row["education__name"] or "",
                major=row["major"],
                phone=row["phone"] if full else "",
                frontline_since=row["frontline_since"],
                employer=row["employer__name"] if row["employed"] else "",
                certificates="、".join(certificates[row["pk"]]),
                domains="、".join(domains[row["pk"]]),
            )


__all__ = ["people_rows"]
