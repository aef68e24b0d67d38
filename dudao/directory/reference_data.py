"""Loads the versioned reference data. Idempotent: a data set whose version is
already in the database is left alone; a newer one is applied row by row, and
codes it no longer lists are archived, never deleted.

The files in reference/: `common.json` holds what every city shares
(organisation types, service domains, education and certificate levels); each
city has its own file (`zhengzhou.json`, `luoyang.json`) with its jurisdictions
(the province above it, the city, its districts) and its attributes (the
`city` block, dudao.directory.models.City). A city's jurisdictions are
versioned per city (data set `jurisdictions:<city code>`), so loading one city
adds or updates that city and archives only codes under it that its file no
longer lists: one instance serves a province with as many cities as are
loaded. Replacing a version already loaded is recorded in the audit log; the
first load is part of the installation (migrations, load_reference_data) and
is not."""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from dudao.core import audit
from dudao.core.models import ReferenceDataVersion

from .models import CertificateLevel, City, EducationLevel, Jurisdiction, OrganizationType, ServiceDomain
from .scoping import chains, tree_changed

REFERENCE_DIR = Path(__file__).parent / "reference"
COMMON_FILE = REFERENCE_DIR / "common.json"
CITY_FILES = {
    "zhengzhou": REFERENCE_DIR / "zhengzhou.json",
    "luoyang": REFERENCE_DIR / "luoyang.json",
}
# What a plain `load_reference_data` loads: the shared sets and Zhengzhou.
DEFAULT_FILES = (COMMON_FILE, CITY_FILES["zhengzhou"])
ALL_FILES = (COMMON_FILE, *CITY_FILES.values())

SIMPLE_MODELS = {
    "organization_types": OrganizationType,
    "service_domains": ServiceDomain,
    "education_levels": EducationLevel,
    "certificate_levels": CertificateLevel,
}


class ReferenceDataError(ValueError):
    pass


def _load_jurisdictions(city: dict, rows) -> None:
    """A city's rows: the ancestors above it (the province), the city, and
    the jurisdictions under it. Nothing outside the city is archived."""
    before = chains()
    by_code = {}
    for row in rows:
        parent = by_code.get(row["parent"]) or (Jurisdiction.objects.get(code=row["parent"]) if row["parent"] else None)
        obj, _created = Jurisdiction.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "parent": parent,
                "order": row["order"],
                "is_active": True,
            },
        )
        by_code[obj.code] = obj
    root = by_code.get(city["code"])
    if root is None or root.kind != Jurisdiction.Kind.CITY:
        raise ReferenceDataError(f"{city['code']}: the city block names no city row of the file")
    for obj in by_code.values():
        # The file describes one city: the rows above it are its ancestors, the rest lie under it.
        if not (obj.path.startswith(root.path) or root.path.startswith(obj.path)):
            raise ReferenceDataError(f"{obj.code}: neither above nor under the city {root.code}")
    Jurisdiction.objects.filter(path__startswith=root.path).exclude(code__in=by_code).update(is_active=False)
    # A row re-parented by this version (or a city now under a province) moves
    # its whole subtree, the organisations and people under it and every row
    # the apps above store under them.
    tree_changed(before=before)
    City.objects.update_or_create(
        jurisdiction=root,
        defaults={
            "display_name": city["display_name"],
            "entry_prefix": city["entry_prefix"],
            "policy_document": city["policy_document"],
            "policy_title": city.get("policy_title", ""),
            "policy_date": dt.date.fromisoformat(city["policy_date"]),
            "parameter_defaults": city.get("parameter_defaults", {}),
        },
    )


def _load_simple(model, rows):
    codes = []
    for row in rows:
        defaults = {k: v for k, v in row.items() if k != "code"} | {"is_active": True}
        model.objects.update_or_create(code=row["code"], defaults=defaults)
        codes.append(row["code"])
    model.objects.exclude(code__in=codes).update(is_active=False)


def _load_file(path: Path) -> dict[str, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    outcome = {}
    for dataset, body in data.items():
        if dataset.startswith("_"):
            continue
        if dataset == "jurisdictions":
            if "city" not in body:
                raise ReferenceDataError(f"{path}: jurisdictions come one city at a time, with its city block")
            key = f"jurisdictions:{body['city']['code']}"
        elif dataset in SIMPLE_MODELS:
            key = dataset
        else:
            raise ReferenceDataError(f"{path}: unknown data set {dataset}")
        current = ReferenceDataVersion.objects.filter(dataset=key).first()
        if current and current.version >= body["version"]:
            outcome[key] = f"v{current.version} up to date"
            continue
        if dataset == "jurisdictions":
            _load_jurisdictions(body["city"], body["rows"])
        else:
            _load_simple(SIMPLE_MODELS[dataset], body["rows"])
        version, _created = ReferenceDataVersion.objects.update_or_create(
            dataset=key, defaults={"version": body["version"]}
        )
        if current is not None:
            audit.record(
                actor=None,
                event="directory.reference_data_updated",
                obj=version,
                changes={"version": [current.version, body["version"]]},
            )
        outcome[key] = f"loaded v{body['version']}"
    return outcome


@transaction.atomic
def load(*paths: Path) -> dict[str, str]:
    """Load these files in order (the shared sets and Zhengzhou when none are
    given); {data set: what happened}."""
    outcome = {}
    for path in paths or DEFAULT_FILES:
        outcome |= _load_file(path)
    return outcome
