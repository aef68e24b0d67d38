"""Reading policy values: the deepest jurisdiction on the path that has a
version in force on the date wins, so a district inherits the city's value
until it sets its own."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from dudao.accounts.scopes import scope_for
from dudao.directory.models import Jurisdiction

from .models import ParameterVersion
from .registry import BY_KEY


def _ancestor_codes(jurisdiction: Jurisdiction) -> list[str]:
    return [code for code in jurisdiction.path.split("/") if code]


def resolve(key: str, jurisdiction: Jurisdiction, on: dt.date | None = None) -> tuple[object, ParameterVersion | None]:
    """(value, the version it comes from); the registry default if none is stored."""
    return resolve_many([key], jurisdiction, on)[key]


def resolve_many(keys, jurisdiction: Jurisdiction, on: dt.date | None = None) -> dict:
    on = on or timezone.localdate()
    codes = _ancestor_codes(jurisdiction)
    versions = (
        ParameterVersion.objects.filter(key__in=keys, jurisdiction__code__in=codes, effective_from__lte=on)
        .select_related("jurisdiction")
        .order_by("-effective_from")
    )
    return _pick(keys, codes, versions)


def _pick(keys, codes: list[str], versions) -> dict:
    """From versions in force (newest first), the deepest jurisdiction's per key."""
    depth = {code: i for i, code in enumerate(codes)}
    best: dict[str, ParameterVersion] = {}
    for version in versions:
        if version.jurisdiction.code not in depth:
            continue
        if BY_KEY[version.key].district_may_override is False and not version.jurisdiction.is_city_level:
            continue
        current = best.get(version.key)
        if current is None or depth[version.jurisdiction.code] > depth[current.jurisdiction.code]:
            best[version.key] = version
    return {key: (best[key].value, best[key]) if key in best else (BY_KEY[key].default, None) for key in keys}


def value_by_jurisdiction(key: str, jurisdictions, on: dt.date | None = None) -> dict:
    """{jurisdiction pk: value in force there}, in one query for any number of jurisdictions."""
    on = on or timezone.localdate()
    jurisdictions = list(jurisdictions)
    chains = {j.pk: _ancestor_codes(j) for j in jurisdictions}
    all_codes = {code for codes in chains.values() for code in codes}
    versions = list(
        ParameterVersion.objects.filter(key=key, jurisdiction__code__in=all_codes, effective_from__lte=on)
        .select_related("jurisdiction")
        .order_by("-effective_from")
    )
    return {pk: _pick([key], codes, versions)[key][0] for pk, codes in chains.items()}


def value(key: str, jurisdiction: Jurisdiction, on: dt.date | None = None):
    return resolve(key, jurisdiction, on)[0]


def versions_for(user, key: str) -> QuerySet[ParameterVersion]:
    """The history a user may read: every signed-in user reads the cities'
    versions (the rules are public); district versions only inside the scope."""
    scope = scope_for(user)
    visible = ParameterVersion.objects.filter(key=key).select_related("jurisdiction", "created_by")
    allowed = [v.pk for v in visible if v.jurisdiction.is_city_level or scope.reads_path(v.jurisdiction.path)]
    return visible.filter(pk__in=allowed).order_by("jurisdiction__path", "-effective_from")


def settable_jurisdictions(user, key: str) -> QuerySet[Jurisdiction]:
    scope = scope_for(user)
    parameter = BY_KEY[key]
    candidates = [
        j.pk
        for j in Jurisdiction.objects.filter(is_active=True)
        if scope.manages_path(j.path)
        and (j.is_city_level or parameter.district_may_override)
        # A district admin sets its own district's rules, never the city's.
        and (not j.is_city_level or any(p == j.path for p in scope.manage_paths))
    ]
    return Jurisdiction.objects.filter(pk__in=candidates)
