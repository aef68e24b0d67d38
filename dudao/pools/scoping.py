"""Keeps the entries' reach columns true (models.Entry: home_scope_j*, the
home district's chain; person_scope_j*, the chain of the person's current
employer, NULL between jobs). Called by the receivers of the directory's
signals (apps.py), by the migration that adds the columns and by the
benchmark's bulk loader; one UPDATE however many rows."""

from django.db.models import OuterRef, Subquery

from dudao.core.scoping import CHAIN_FIELDS


def refresh_reach(entries, *, person_model, jurisdiction_model, home: bool = True, person: bool = True) -> int:
    """Copy the home district's and the employed person's chains onto
    `entries` (a queryset). The models are passed in so a migration can call
    this with its historical ones."""
    values = {}
    if home:
        own = jurisdiction_model.objects.filter(pk=OuterRef("home_district_id"))
        values |= {f"home_{name}": Subquery(own.values(name)[:1]) for name in CHAIN_FIELDS}
    if person:
        employed = person_model.objects.filter(pk=OuterRef("person_id"), employed=True)
        values |= {f"person_{name}": Subquery(employed.values(name)[:1]) for name in CHAIN_FIELDS}
    return entries.update(**values) if values else 0


def people_rescoped(person_ids) -> int:
    from dudao.directory.models import Jurisdiction, Person

    from .models import Entry

    return refresh_reach(
        Entry.objects.filter(person_id__in=list(person_ids)),
        person_model=Person,
        jurisdiction_model=Jurisdiction,
        home=False,
    )
