"""Loads the versioned reference data. Idempotent: a data set whose version is
already in the database is left alone; a newer one is applied row by row, and
codes it no longer lists are archived, never deleted. Replacing a version
already loaded is recorded in the audit log; the first load is part of the
installation (migrations, load_reference_data) and is not."""

import json
from pathlib import Path

from django.db import transaction

from dudao.core import audit
from dudao.core.models import ReferenceDataVersion

from .models import CertificateLevel, EducationLevel, Jurisdiction, OrganizationType, ServiceDomain
from .scoping import tree_changed

DEFAULT_FILE = Path(__file__).parent / "reference" / "zhengzhou.json"

SIMPLE_MODELS = {
    "organization_types": OrganizationType,
    "service_domains": ServiceDomain,
    "education_levels": EducationLevel,
    "certificate_levels": CertificateLevel,
}


def _load_jurisdictions(rows):
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
    Jurisdiction.objects.exclude(code__in=by_code).update(is_active=False)
    # A row re-parented by this version moves its whole subtree, and the
    # organisations and people stored under it.
    tree_changed()


def _load_simple(model, rows):
    codes = []
    for row in rows:
        defaults = {k: v for k, v in row.items() if k != "code"} | {"is_active": True}
        model.objects.update_or_create(code=row["code"], defaults=defaults)
        codes.append(row["code"])
    model.objects.exclude(code__in=codes).update(is_active=False)


@transaction.atomic
def load(path: Path = DEFAULT_FILE) -> dict[str, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    outcome = {}
    for dataset, body in data.items():
        if dataset.startswith("_"):
            continue
        current = ReferenceDataVersion.objects.filter(dataset=dataset).first()
        if current and current.version >= body["version"]:
            outcome[dataset] = f"v{current.version} up to date"
            continue
        if dataset == "jurisdictions":
            _load_jurisdictions(body["rows"])
        else:
            _load_simple(SIMPLE_MODELS[dataset], body["rows"])
        version, _created = ReferenceDataVersion.objects.update_or_create(
            dataset=dataset, defaults={"version": body["version"]}
        )
        if current is not None:
            audit.record(
                actor=None,
                event="directory.reference_data_updated",
                obj=version,
                changes={"version": [current.version, body["version"]]},
            )
        outcome[dataset] = f"loaded v{body['version']}"
    return outcome
