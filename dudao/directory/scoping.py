"""Keeps the stored scope of people and organisations true (dudao.core.scoping).

Called by every service that changes what they derive from: employment
(hire, leave, transfer, import), an organisation's jurisdiction, and the
jurisdiction tree itself. Each function takes the ids it must fix and costs a
fixed number of queries however many there are."""

from django.db.models import OuterRef, Subquery

from dudao.core.scoping import CHAIN_FIELDS, MAX_DEPTH

from . import signals
from .models import Employment, Jurisdiction, Organization, Person

ORG_CHAIN = tuple(f"organization__{name}" for name in CHAIN_FIELDS)


def derive(employments) -> dict:
    """The stored scope of one person from their employment rows (dicts with
    organization_id, end_date, start_date, pk and the organisation's chain):
    the current employer, else the latest by start date."""
    if not employments:
        return {"employer_id": None, "employed": False, **dict.fromkeys(CHAIN_FIELDS)}
    current = [e for e in employments if e["end_date"] is None]
    chosen = current[0] if current else max(employments, key=lambda e: (e["start_date"], e["pk"]))
    return {
        "employer_id": chosen["organization_id"],
        "employed": bool(current),
        **{name: chosen[f"organization__{name}"] for name in CHAIN_FIELDS},
    }


def refresh_people(person_ids) -> int:
    """Recompute employer, employed and the chain of these people; returns
    how many rows changed."""
    ids = list({int(pk) for pk in person_ids})
    if not ids:
        return 0
    by_person: dict[int, list] = {pk: [] for pk in ids}
    for row in Employment.objects.filter(person_id__in=ids).values(
        "person_id", "organization_id", "end_date", "start_date", "pk", *ORG_CHAIN
    ):
        by_person[row["person_id"]].append(row)
    fields = ["employer_id", "employed", *CHAIN_FIELDS]
    people = list(Person.objects.filter(pk__in=ids).only("pk", *fields))
    changed = []
    for person in people:
        wanted = derive(by_person[person.pk])
        if any(getattr(person, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(person, k, v)
            changed.append(person)
    Person.objects.bulk_update(changed, ["employer", "employed", *CHAIN_FIELDS], batch_size=1000)
    if changed:
        signals.people_rescoped.send(sender=Person, person_ids=[p.pk for p in changed])
    return len(changed)


def refresh_person(person: Person) -> None:
    """refresh_people for one person, and the instance in hand brought up to date."""
    if refresh_people([person.pk]):
        person.refresh_from_db(fields=["employer", "employed", *CHAIN_FIELDS])


def organization_moved(organization: Organization) -> None:
    """An organisation now under another jurisdiction takes its people along
    (staff, and former staff whose last employer it is), and every app's rows
    stored under it (directory.signals.organization_moved)."""
    Person.objects.filter(employer_id=organization.pk).update(**organization.chain())
    signals.organization_moved.send(sender=Organization, organization=organization)
    moved = list(Person.objects.filter(employer_id=organization.pk).values_list("pk", flat=True))
    if moved:
        signals.people_rescoped.send(sender=Person, person_ids=moved)


def tree_changed(before: dict | None = None) -> list[int]:
    """After jurisdictions are re-parented or a root is added above them (a
    reference data reload): rebuild every jurisdiction's path, depth and chain
    from the roots down, then move the organisations and people under any
    jurisdiction whose chain changed, and tell the apps above
    (signals.jurisdictions_moved) to move their rows. `before` is {pk: chain}
    as stored before the change, for a caller that saved some rows itself
    (their stored chain is already new, yet what hangs below them is not).
    Returns the ids of the jurisdictions that moved."""
    by_parent: dict = {}
    for j in Jurisdiction.objects.all().only("pk", "parent_id", "code", "path", "depth", *CHAIN_FIELDS):
        by_parent.setdefault(j.parent_id, []).append(j)
    before = before or {}
    changed, moved = [], []
    stack = [(j, None) for j in by_parent.get(None, [])]
    while stack:
        j, parent = stack.pop()
        stored = (j.path, j.depth, j.chain())
        j.path = (parent.path if parent else "") + j.code + "/"
        j.depth = parent.depth + 1 if parent else 0
        if j.depth > MAX_DEPTH:
            raise ValueError(f"{j.code}: jurisdictions may nest at most {MAX_DEPTH} levels below the root")
        j.set_chain(parent)
        setattr(j, f"scope_j{j.depth}", j.pk)
        if (j.path, j.depth, j.chain()) != stored:
            changed.append(j)
        if j.chain() != before.get(j.pk, stored[2]):
            moved.append(j.pk)
        stack.extend((child, j) for child in by_parent.get(j.pk, []))
    if changed:
        Jurisdiction.objects.bulk_update(changed, ["path", "depth", *CHAIN_FIELDS])
    if not moved:
        return []
    own = Jurisdiction.objects.filter(pk=OuterRef("jurisdiction_id"))
    Organization.objects.filter(jurisdiction_id__in=moved).update(
        **{name: Subquery(own.values(name)[:1]) for name in CHAIN_FIELDS}
    )
    employer = Organization.objects.filter(pk=OuterRef("employer_id"))
    Person.objects.filter(employer__jurisdiction_id__in=moved).update(
        **{name: Subquery(employer.values(name)[:1]) for name in CHAIN_FIELDS}
    )
    signals.jurisdictions_moved.send(sender=Jurisdiction, jurisdiction_ids=moved)
    return moved


def chains() -> dict:
    """{pk: chain} of every jurisdiction as stored, for tree_changed(before=...)."""
    return {
        row["pk"]: {name: row[name] for name in CHAIN_FIELDS}
        for row in Jurisdiction.objects.values("pk", *CHAIN_FIELDS)
    }


def follow_moved(queryset, jurisdiction_ids, *, via: str) -> int:
    """For the apps' jurisdictions_moved receivers: copy the chain again onto
    the rows of `queryset` that hang off a moved jurisdiction, from the
    organisation (`via="organization"`) or the jurisdiction (`via="jurisdiction"`)
    they point at. One UPDATE however many rows."""
    source = {"organization": Organization, "jurisdiction": Jurisdiction}[via]
    place = "organization__jurisdiction_id__in" if via == "organization" else "jurisdiction_id__in"
    own = source.objects.filter(pk=OuterRef(f"{via}_id"))
    return queryset.filter(**{place: list(jurisdiction_ids)}).update(
        **{name: Subquery(own.values(name)[:1]) for name in CHAIN_FIELDS}
    )
