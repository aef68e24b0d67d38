"""The versioned reference data: idempotent loads, the Zhengzhou tree, and
codes that disappear from a newer version are archived, never deleted."""

import copy
import json

import pytest
from django.db.models import ProtectedError

from dudao.core.models import ReferenceDataVersion
from dudao.directory import reference_data, selectors
from dudao.directory.models import (
    CertificateLevel,
    EducationLevel,
    Jurisdiction,
    OrganizationType,
    ServiceDomain,
)

from ..factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

MODELS = (Jurisdiction, OrganizationType, ServiceDomain, EducationLevel, CertificateLevel)


def _snapshot():
    return {model.__name__: sorted(model.objects.values_list()) for model in MODELS}


def _shipped():
    return json.loads(reference_data.DEFAULT_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, data, name="reference.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_first_load_reports_every_data_set_loaded():
    outcome = reference_data.load()
    assert outcome == {
        "jurisdictions": "loaded v1",
        "organization_types": "loaded v1",
        "service_domains": "loaded v1",
        "education_levels": "loaded v1",
        "certificate_levels": "loaded v1",
    }
    assert ReferenceDataVersion.objects.count() == 5


def test_loading_twice_changes_no_rows_and_reports_up_to_date(reference):
    before = _snapshot()
    versions = list(ReferenceDataVersion.objects.values_list("dataset", "version"))

    outcome = reference_data.load()

    assert set(outcome.values()) == {"v1 up to date"}
    assert _snapshot() == before
    assert list(ReferenceDataVersion.objects.values_list("dataset", "version")) == versions


def test_the_zhengzhou_tree_has_17_jurisdictions_under_the_city(reference):
    assert Jurisdiction.objects.count() == 17
    root = Jurisdiction.objects.get(parent=None)
    assert (root.code, root.name, root.kind, root.path) == ("410100", "郑州市", "city", "410100/")
    assert root.is_city_level
    others = Jurisdiction.objects.exclude(pk=root.pk)
    assert all(j.parent_id == root.pk for j in others)
    assert all(j.path == f"410100/{j.code}/" for j in others)
    assert reference["410105"].name == "金水区"
    assert reference["410103"].name == "二七区"


def test_the_four_development_zones_are_there():
    reference_data.load()
    zones = Jurisdiction.objects.filter(kind=Jurisdiction.Kind.ZONE)
    assert sorted(zones.values_list("name", flat=True)) == sorted(
        ["郑东新区", "郑州经济技术开发区", "郑州高新技术产业开发区", "郑州航空港经济综合实验区"]
    )
    assert not any(z.is_city_level for z in zones)


def test_the_kinds_of_jurisdiction_add_up(reference):
    kinds = {kind: Jurisdiction.objects.filter(kind=kind).count() for kind in Jurisdiction.Kind.values}
    assert kinds == {"province": 0, "city": 1, "district": 6, "county_city": 5, "county": 1, "zone": 4}


def test_the_simple_reference_sets_are_loaded(reference):
    assert OrganizationType.objects.filter(code="agency", name="社会工作服务机构").exists()
    assert ServiceDomain.objects.count() == 9
    assert list(EducationLevel.objects.order_by("rank").values_list("name", flat=True)) == [
        "大专",
        "本科",
        "硕士",
        "博士",
    ]
    assert list(CertificateLevel.objects.order_by("rank").values_list("code", flat=True)) == [
        "assistant",
        "intermediate",
        "senior",
    ]


def test_a_version_bump_with_a_removed_code_archives_it_instead_of_deleting(reference, tmp_path):
    airport = reference["410171"]
    org = OrganizationFactory(jurisdiction=airport)
    other = ServiceDomain.objects.get(code="other")
    person = PersonFactory()
    person.service_domains.add(other)

    data = copy.deepcopy(_shipped())
    data["jurisdictions"]["version"] = 2
    data["jurisdictions"]["rows"] = [r for r in data["jurisdictions"]["rows"] if r["code"] != "410171"]
    data["service_domains"]["version"] = 2
    data["service_domains"]["rows"] = [r for r in data["service_domains"]["rows"] if r["code"] != "other"]
    for row in data["service_domains"]["rows"]:
        if row["code"] == "elderly":
            row["name"] = "养老服务"

    outcome = reference_data.load(_write(tmp_path, data))

    assert outcome["jurisdictions"] == "loaded v2"
    assert outcome["service_domains"] == "loaded v2"
    assert outcome["organization_types"] == "v1 up to date"
    # Archived, still there, still referenced.
    assert Jurisdiction.objects.count() == 17
    airport.refresh_from_db()
    assert airport.is_active is False
    org.refresh_from_db()
    assert org.jurisdiction == airport
    assert ServiceDomain.objects.count() == 9
    other.refresh_from_db()
    assert other.is_active is False
    assert list(person.service_domains.all()) == [other]
    # Changed rows are updated in place; the rest stay active.
    assert ServiceDomain.objects.get(code="elderly").name == "养老服务"
    assert Jurisdiction.objects.filter(is_active=True).count() == 16
    assert not selectors.jurisdictions_for(None).filter(pk=airport.pk).exists()
    assert ReferenceDataVersion.objects.get(dataset="jurisdictions").version == 2


def test_an_archived_code_that_comes_back_is_reactivated(reference, tmp_path):
    data = copy.deepcopy(_shipped())
    data["service_domains"]["version"] = 2
    data["service_domains"]["rows"] = [r for r in data["service_domains"]["rows"] if r["code"] != "drug"]
    reference_data.load(_write(tmp_path, data, "v2.json"))
    assert not ServiceDomain.objects.get(code="drug").is_active

    data = copy.deepcopy(_shipped())
    data["service_domains"]["version"] = 3
    reference_data.load(_write(tmp_path, data, "v3.json"))
    assert ServiceDomain.objects.get(code="drug").is_active
    assert ServiceDomain.objects.filter(is_active=True).count() == 9


def test_an_older_or_equal_version_is_not_applied(reference, tmp_path):
    data = copy.deepcopy(_shipped())
    data["service_domains"]["rows"] = [r for r in data["service_domains"]["rows"] if r["code"] != "drug"]
    outcome = reference_data.load(_write(tmp_path, data))
    assert outcome["service_domains"] == "v1 up to date"
    assert ServiceDomain.objects.get(code="drug").is_active


def test_a_new_jurisdiction_in_a_newer_version_is_added_under_its_parent(reference, tmp_path):
    data = copy.deepcopy(_shipped())
    data["jurisdictions"]["version"] = 2
    data["jurisdictions"]["rows"].append(
        {"code": "410100XX", "name": "示例新区", "kind": "zone", "parent": "410100", "order": 17}
    )
    reference_data.load(_write(tmp_path, data))
    new = Jurisdiction.objects.get(code="410100XX")
    assert new.parent == reference["410100"]
    assert new.path == "410100/410100XX/"
    assert Jurisdiction.objects.count() == 18


def test_a_jurisdiction_in_use_cannot_be_deleted(reference):
    org = OrganizationFactory(jurisdiction=reference["410102"])
    with pytest.raises(ProtectedError):
        reference["410102"].delete()
    assert org.jurisdiction.pk == reference["410102"].pk
