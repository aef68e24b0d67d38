"""The versioned reference data: idempotent loads, the province with its
cities (Zhengzhou, Luoyang), one city loaded beside another without touching it,
and codes that disappear from a newer version are archived, never deleted."""

import copy
import datetime as dt
import json

import pytest
from django.db.models import ProtectedError

from dudao.accounts.models import Role
from dudao.core.models import ReferenceDataVersion
from dudao.directory import cities, reference_data, selectors
from dudao.directory.models import (
    CertificateLevel,
    City,
    EducationLevel,
    Jurisdiction,
    OrganizationType,
    ServiceDomain,
)

from ..factories import OrganizationFactory, PersonFactory, staff, user_with_role

pytestmark = pytest.mark.django_db

MODELS = (Jurisdiction, OrganizationType, ServiceDomain, EducationLevel, CertificateLevel)


def _snapshot():
    return {model.__name__: sorted(model.objects.values_list()) for model in MODELS}


def _shipped(city="zhengzhou"):
    return json.loads(reference_data.CITY_FILES[city].read_text(encoding="utf-8"))


def _common():
    return json.loads(reference_data.COMMON_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, data, name="reference.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_first_load_reports_every_data_set_loaded():
    outcome = reference_data.load()
    assert outcome == {
        "jurisdictions:410100": "loaded v1",
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


def test_the_zhengzhou_tree_has_16_jurisdictions_under_the_city_under_the_province(reference):
    assert Jurisdiction.objects.count() == 18
    province = Jurisdiction.objects.get(parent=None)
    assert (province.code, province.name, province.kind, province.path) == ("410000", "河南省", "province", "410000/")
    city = reference["410100"]
    assert (city.name, city.kind, city.path, city.depth, city.parent_id) == (
        "郑州市",
        "city",
        "410000/410100/",
        1,
        province.pk,
    )
    assert city.is_city_level
    others = Jurisdiction.objects.exclude(pk__in=[province.pk, city.pk])
    assert all(j.parent_id == city.pk for j in others)
    assert all(j.path == f"410000/410100/{j.code}/" and j.depth == 2 for j in others)
    assert all(
        j.chain() == {"scope_j0": province.pk, "scope_j1": city.pk, "scope_j2": j.pk, "scope_j3": None} for j in others
    )
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
    assert kinds == {"province": 1, "city": 1, "district": 6, "county_city": 5, "county": 1, "zone": 4}


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

    data = copy.deepcopy(_shipped()) | copy.deepcopy(_common())
    data["jurisdictions"]["version"] = 2
    data["jurisdictions"]["rows"] = [r for r in data["jurisdictions"]["rows"] if r["code"] != "410171"]
    data["service_domains"]["version"] = 2
    data["service_domains"]["rows"] = [r for r in data["service_domains"]["rows"] if r["code"] != "other"]
    for row in data["service_domains"]["rows"]:
        if row["code"] == "elderly":
            row["name"] = "养老服务"

    outcome = reference_data.load(_write(tmp_path, data))

    assert outcome["jurisdictions:410100"] == "loaded v2"
    assert outcome["service_domains"] == "loaded v2"
    assert outcome["organization_types"] == "v1 up to date"
    # Archived, still there, still referenced.
    assert Jurisdiction.objects.count() == 18
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
    assert Jurisdiction.objects.filter(is_active=True).count() == 17
    assert not selectors.jurisdictions_for(None).filter(pk=airport.pk).exists()
    assert ReferenceDataVersion.objects.get(dataset="jurisdictions:410100").version == 2


def test_an_archived_code_that_comes_back_is_reactivated(reference, tmp_path):
    data = copy.deepcopy(_common())
    data["service_domains"]["version"] = 2
    data["service_domains"]["rows"] = [r for r in data["service_domains"]["rows"] if r["code"] != "drug"]
    reference_data.load(_write(tmp_path, data, "v2.json"))
    assert not ServiceDomain.objects.get(code="drug").is_active

    data = copy.deepcopy(_common())
    data["service_domains"]["version"] = 3
    reference_data.load(_write(tmp_path, data, "v3.json"))
    assert ServiceDomain.objects.get(code="drug").is_active
    assert ServiceDomain.objects.filter(is_active=True).count() == 9


def test_an_older_or_equal_version_is_not_applied(reference, tmp_path):
    data = copy.deepcopy(_common())
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
    assert new.path == "410000/410100/410100XX/"
    assert Jurisdiction.objects.count() == 19


def test_a_jurisdiction_in_use_cannot_be_deleted(reference):
    org = OrganizationFactory(jurisdiction=reference["410102"])
    with pytest.raises(ProtectedError):
        reference["410102"].delete()
    assert org.jurisdiction.pk == reference["410102"].pk


def test_loading_luoyang_adds_the_city_beside_zhengzhou_and_archives_nothing_of_it(reference):
    zhengzhou_active = set(Jurisdiction.objects.filter(is_active=True).values_list("code", flat=True))

    outcome = reference_data.load(reference_data.CITY_FILES["luoyang"])

    assert outcome == {"jurisdictions:410300": "loaded v1"}
    assert set(Jurisdiction.objects.filter(is_active=True).values_list("code", flat=True)) >= zhengzhou_active
    province = Jurisdiction.objects.get(code="410000")
    luoyang = Jurisdiction.objects.get(code="410300")
    assert (luoyang.name, luoyang.parent_id, luoyang.path, luoyang.depth) == (
        "洛阳市",
        province.pk,
        "410000/410300/",
        1,
    )
    under = Jurisdiction.objects.filter(parent=luoyang)
    assert dict(under.values_list("code", "name")) == {
        "410302": "老城区",
        "410303": "西工区",
        "410304": "瀍河回族区",
        "410305": "涧西区",
        "410307": "偃师区",
        "410308": "孟津区",
        "410311": "洛龙区",
        "410323": "新安县",
        "410324": "栾川县",
        "410325": "嵩县",
        "410326": "汝阳县",
        "410327": "宜阳县",
        "410328": "洛宁县",
        "410329": "伊川县",
    }
    assert all(j.scope_j0 == province.pk and j.scope_j1 == luoyang.pk and j.scope_j2 == j.pk for j in under)
    assert Jurisdiction.objects.filter(parent=None).get() == province


def test_a_newer_zhengzhou_version_archives_its_own_missing_codes_only(reference, tmp_path):
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    data = copy.deepcopy(_shipped())
    data["jurisdictions"]["version"] = 2
    data["jurisdictions"]["rows"] = [r for r in data["jurisdictions"]["rows"] if r["code"] != "410106"]

    reference_data.load(_write(tmp_path, data))

    archived = set(Jurisdiction.objects.filter(is_active=False).values_list("code", flat=True))
    assert archived == {"410106"}
    assert Jurisdiction.objects.filter(code__startswith="4103", is_active=True).count() == 15


def test_each_city_carries_its_attributes(reference):
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    zhengzhou, luoyang = City.objects.get(jurisdiction__code="410100"), City.objects.get(jurisdiction__code="410300")
    assert (zhengzhou.display_name, zhengzhou.entry_prefix, zhengzhou.policy_document) == (
        "郑州市",
        "ZZ",
        "郑民文〔2018〕22号",
    )
    assert zhengzhou.policy_date == dt.date(2018, 3, 13)
    assert zhengzhou.parameter_defaults == {}
    assert (luoyang.display_name, luoyang.entry_prefix) == ("洛阳市", "LY")
    assert luoyang.parameter_defaults == {"selection.nomination_ratio": 5}
    assert not City.objects.filter(jurisdiction__code="410000").exists()


def test_the_city_of_any_row_is_the_city_above_it(reference):
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    j = {x.code: x for x in Jurisdiction.objects.all()}
    org = OrganizationFactory(jurisdiction=j["410311"])
    assert cities.city_of(j["410105"]).entry_prefix == "ZZ"
    assert cities.city_of(j["410100"]).entry_prefix == "ZZ"
    assert cities.city_of(j["410100ZD"]).display_name == "郑州市"
    assert cities.city_of(org).display_name == "洛阳市"
    assert cities.city_of(j["410300"]).jurisdiction == j["410300"]
    assert cities.city_of(j["410000"]) is None
    assert cities.city_of(None) is None


def test_a_city_file_with_a_row_outside_its_city_is_refused_whole(reference, tmp_path):
    data = copy.deepcopy(_shipped("luoyang"))
    data["jurisdictions"]["rows"].append(
        {"code": "410199", "name": "别处", "kind": "district", "parent": "410100", "order": 99}
    )
    with pytest.raises(reference_data.ReferenceDataError):
        reference_data.load(_write(tmp_path, data))
    assert not Jurisdiction.objects.filter(code__in=["410300", "410199"]).exists()


def test_a_tree_rooted_at_the_city_gets_the_province_above_it_and_every_chain_follows(tmp_path):
    old = copy.deepcopy(_shipped())
    old["jurisdictions"]["rows"] = [r for r in old["jurisdictions"]["rows"] if r["code"] != "410000"]
    old["jurisdictions"]["rows"][0]["parent"] = None
    reference_data.load(reference_data.COMMON_FILE, _write(tmp_path, old))
    city, jinshui = Jurisdiction.objects.get(code="410100"), Jurisdiction.objects.get(code="410105")
    assert (city.depth, jinshui.chain()) == (
        0,
        {"scope_j0": city.pk, "scope_j1": jinshui.pk, "scope_j2": None, "scope_j3": None},
    )
    org = OrganizationFactory(jurisdiction=jinshui)
    person = staff(org)
    city_admin = user_with_role(Role.CITY_ADMIN, username="c", jurisdiction=city)
    district_admin = user_with_role(Role.DISTRICT_ADMIN, username="d", jurisdiction=jinshui)

    new = copy.deepcopy(_shipped())
    new["jurisdictions"]["version"] = 2
    reference_data.load(_write(tmp_path, new, "v2.json"))

    province = Jurisdiction.objects.get(code="410000")
    city.refresh_from_db()
    assert (city.parent_id, city.depth, city.path) == (province.pk, 1, "410000/410100/")
    chain = {"scope_j0": province.pk, "scope_j1": city.pk, "scope_j2": jinshui.pk, "scope_j3": None}
    jinshui.refresh_from_db()
    org.refresh_from_db()
    person.refresh_from_db()
    assert jinshui.chain() == org.chain() == person.chain() == chain
    for user in (city_admin, district_admin):
        user = type(user).objects.get(pk=user.pk)  # a new request: the scope is built afresh
        assert list(selectors.people_for(user)) == [person]
        assert list(selectors.organizations_for(user)) == [org]


def test_the_command_loads_one_city_all_of_them_or_refuses_a_bad_file(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    call_command("load_reference_data", "--city", "luoyang")
    assert "jurisdictions:410300: loaded v1" in capsys.readouterr().out
    assert not Jurisdiction.objects.filter(code="410100").exists()
    call_command("load_reference_data", "--all")
    out = capsys.readouterr().out
    assert "jurisdictions:410100: loaded v1" in out and "jurisdictions:410300: v1 up to date" in out
    assert Jurisdiction.objects.filter(parent__code="410000").count() == 2
    bad = copy.deepcopy(_shipped("luoyang"))
    del bad["jurisdictions"]["city"]
    bad["jurisdictions"]["version"] = 2
    with pytest.raises(CommandError, match="one city at a time"):
        call_command("load_reference_data", "--file", str(_write(tmp_path, bad)))
