"""The directory's list pages: filters, sorting, paging, the htmx partial, the
Excel export and query counts that do not grow with rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from dudao.directory.models import (
    CertificateLevel,
    EducationLevel,
    Employment,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)
from tests.excel import xlsx_rows
from tests.factories import CertificateFactory, OrganizationFactory, rescope, staff

from .pages import (
    count_queries,
    grow_directory,
    names,
)

# --- list pages: filters, sorting, paging, htmx, export ----------------------------


def test_organization_list_filters(world, login):
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk}))) == {"金水阳光社工中心", "金水馨和社工中心"}
    assert set(names(client.get(url, {"jurisdiction": world.erqi.pk}))) == {"二七同心社工中心"}
    # The city contains every district.
    assert len(names(client.get(url, {"jurisdiction": world.city.pk}))) == 4
    trainer = OrganizationType.objects.get(code="trainer")
    assert names(client.get(url, {"type": trainer.pk})) == ["启明培训"]
    assert names(client.get(url, {"q": "阳光"})) == ["金水阳光社工中心"]
    assert names(client.get(url, {"q": world.erqi_agency.credit_code})) == ["二七同心社工中心"]
    assert names(client.get(url, {"q": "不存在"})) == []
    Organization.objects.filter(pk=world.other_agency_same_district.pk).update(is_active=False)
    assert names(client.get(url, {"is_active": "false"})) == ["金水馨和社工中心"]
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk, "is_active": "true"}))) == {"金水阳光社工中心"}


def test_filters_do_not_widen_the_scope(world, login):
    client = login(world.district_admin)
    response = client.get(reverse("directory:organization_list"), {"jurisdiction": world.erqi.pk})
    assert response.status_code == 200
    assert names(response) == []
    staff(world.erqi_agency, name="二七员工")
    # The city is above the district admin's scope, so it is not offered; asking
    # for it anyway shows nobody rather than the whole city.
    response = client.get(reverse("directory:person_list"), {"jurisdiction": world.city.pk})
    assert response.status_code == 200
    assert names(response) == []
    assert world.city not in response.context["filter"].form.fields["jurisdiction"].queryset
    response = client.get(reverse("directory:person_list"), {"jurisdiction": world.jinshui.pk})
    assert set(names(response)) == {"督导甲", "社工乙"}


def test_an_invalid_filter_value_does_not_break_the_page(world, login):
    client = login(world.city_admin)
    for url in (reverse("directory:organization_list"), reverse("directory:person_list")):
        response = client.get(url, {"sort": "nonsense", "page": "x"})
        assert response.status_code == 200
        assert names(response)
        # A filter that cannot be applied shows no rows and says why; it never
        # falls back to the unfiltered list.
        response = client.get(url, {"jurisdiction": "abc", "q": "阳光"})
        assert response.status_code == 200
        assert names(response) == []
        assert 'data-testid="filter-error-jurisdiction"' in response.content.decode()
        assert xlsx_rows(client.get(url, {"jurisdiction": "abc", "export": "xlsx"}))[1:] == []


def test_person_list_filters(world, login):
    erqi_person = staff(world.erqi_agency, certified=True, name="二七督导")
    senior = CertificateLevel.objects.get(code="senior")
    CertificateFactory(person=world.social_worker_person, level=senior)
    world.social_worker_person.service_domains.set([ServiceDomain.objects.get(code="drug")])
    master = EducationLevel.objects.get(code="master")
    Person.objects.filter(pk=erqi_person.pk).update(education=master)
    left = staff(world.agency, name="已离职")
    Employment.objects.filter(person=left).update(end_date=dt.date(2023, 1, 1))
    rescope(left)

    client = login(world.city_admin)
    url = reverse("directory:person_list")
    everyone = set(names(client.get(url)))
    assert {"督导甲", "社工乙", "二七督导"} <= everyone
    # Whether a person between jobs stays listed is the selectors' call; the
    # filters below are about current employers and always leave them out.
    assert everyone <= {"督导甲", "社工乙", "二七督导", "已离职"}
    assert names(client.get(url, {"jurisdiction": world.erqi.pk})) == ["二七督导"]
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk}))) == {"督导甲", "社工乙"}
    assert set(names(client.get(url, {"organization": world.agency.pk}))) == {"督导甲", "社工乙"}
    intermediate = CertificateLevel.objects.get(code="intermediate")
    assert set(names(client.get(url, {"certificate_level": intermediate.pk}))) == {"督导甲", "二七督导"}
    assert names(client.get(url, {"certificate_level": senior.pk})) == ["社工乙"]
    assert names(client.get(url, {"domain": ServiceDomain.objects.get(code="drug").pk})) == ["社工乙"]
    assert names(client.get(url, {"education": master.pk})) == ["二七督导"]
    assert set(names(client.get(url, {"q": "督导"}))) == {"二七督导", "督导甲"}
    assert names(client.get(url, {"q": world.supervisor_person.id_number.lower()})) == ["督导甲"]
    agency_type = OrganizationType.objects.get(code="agency")
    assert len(names(client.get(url, {"organization_type": agency_type.pk}))) == 3
    # Combined filters narrow each other.
    assert names(client.get(url, {"jurisdiction": world.jinshui.pk, "certificate_level": senior.pk})) == ["社工乙"]


def test_person_list_organization_filter_only_offers_organizations_in_scope(world, login):
    client = login(world.district_admin)
    url = reverse("directory:person_list")
    response = client.get(url, {"organization": world.erqi_agency.pk})
    assert response.status_code == 200
    choices = {o.pk for o in response.context["filter"].form.fields["organization"].queryset}
    assert world.erqi_agency.pk not in choices
    assert world.agency.pk in choices
    # Asking for an organisation outside the scope is an invalid filter: no
    # rows (not the whole unfiltered list), and the export is empty too.
    assert names(response) == []
    assert 'data-testid="filter-error-organization"' in response.content.decode()
    rows = xlsx_rows(client.get(url, {"organization": world.erqi_agency.pk, "export": "xlsx"}))
    assert rows[1:] == []


def _extra_orgs(world, count):
    return [
        OrganizationFactory(name=f"机构{i:02d}", jurisdiction=world.jinshui if i % 2 else world.erqi)
        for i in range(count)
    ]


def test_organization_list_sorting(world, login):
    _extra_orgs(world, 6)
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    ascending = names(client.get(url, {"sort": "name"}))
    descending = names(client.get(url, {"sort": "-name"}))
    assert ascending == list(Organization.objects.order_by("name", "pk").values_list("name", flat=True))
    assert descending == list(reversed(ascending))
    response = client.get(url, {"sort": "-name"})
    assert response.context["sort"] == "-name"
    # An unknown key falls back to the default, never to an arbitrary ORM lookup.
    response = client.get(url, {"sort": "credit_code"})
    assert response.status_code == 200
    assert response.context["sort"] == "name"
    # Grouped by district in the reference data's order (districts are loaded in that order).
    by_district = [o.jurisdiction.order for o in client.get(url, {"sort": "jurisdiction"}).context["object_list"]]
    assert by_district == sorted(by_district)


def test_person_list_sorting(world, login):
    for i in range(5):
        staff(world.agency, name=f"员工{i}", frontline_since=dt.date(2010 + i, 1, 1))
    client = login(world.city_admin)
    url = reverse("directory:person_list")
    ascending = names(client.get(url, {"sort": "name"}))
    assert ascending == list(Person.objects.order_by("name", "pk").values_list("name", flat=True))
    assert names(client.get(url, {"sort": "-name"})) == list(reversed(ascending))
    since = [p.frontline_since for p in client.get(url, {"sort": "-frontline"}).context["object_list"]]
    assert since == sorted(since, reverse=True)


def test_organization_list_paging(world, login):
    _extra_orgs(world, 30)  # 34 in all: 25 + 9
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    first = client.get(url, {"sort": "name"})
    second = client.get(url, {"sort": "name", "page": 2})
    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 9
    assert first.context["page_obj"].total.value == 34
    assert not set(names(first)) & set(names(second))
    assert sorted(names(first) + names(second)) == sorted(Organization.objects.values_list("name", flat=True))
    # Paging keeps the filter and the sort in its links.
    assert "sort=name" in first.context["querystring"]
    assert "page=2" in first.content.decode()
    # Out-of-range and junk page numbers land on a real page.
    assert client.get(url, {"page": 99}).context["page_obj"].number == 2
    assert client.get(url, {"page": "x"}).context["page_obj"].number == 1


def test_person_list_paging_keeps_filters(world, login):
    for i in range(30):
        staff(world.agency, name=f"员工{i:02d}")
    client = login(world.city_admin)
    url = reverse("directory:person_list")
    response = client.get(url, {"organization": world.agency.pk, "page": 2})
    assert response.context["page_obj"].total.value == 32
    assert len(response.context["object_list"]) == 7
    assert f"organization={world.agency.pk}" in response.context["querystring"]


@pytest.mark.parametrize(
    "url_name,testid",
    [("directory:organization_list", "organization-table"), ("directory:person_list", "person-table")],
)
def test_htmx_request_gets_only_the_table(world, login, url_name, testid):
    client = login(world.city_admin)
    url = reverse(url_name)
    full = client.get(url)
    assert "<html" in full.content.decode()
    partial = client.get(url, {"q": "阳光"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    content = partial.content.decode()
    assert "<html" not in content
    assert f'data-testid="{testid}"' in content
    assert 'id="filter-form"' not in content
    # A boosted navigation is a full page.
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.content.decode()


def test_organization_export_has_the_filtered_rows(world, login):
    _extra_orgs(world, 30)
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    response = client.get(url, {"jurisdiction": world.jinshui.pk, "sort": "name", "export": "xlsx"})
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    expected = list(
        Organization.objects.filter(jurisdiction=world.jinshui)
        .order_by("name", "pk")
        .values_list("name", "credit_code")
    )
    # Every matching row, not only the first page.
    assert len(expected) > 10
    assert [(r[0], r[1]) for r in rows[1:]] == expected
    with translation.override("zh-hans"):
        assert rows[0][0] == pgettext("organisation", "Name") == "名称"


def test_person_export_masks_id_numbers_for_hrss(world, login):
    url = reverse("directory:person_list")
    people = {p.name: p for p in Person.objects.all()}
    hrss_rows = xlsx_rows(login(world.hrss).get(url, {"export": "xlsx"}))[1:]
    assert {r[0] for r in hrss_rows} == {"督导甲", "社工乙"}
    for row in hrss_rows:
        assert row[1] == people[row[0]].masked_id_number
        assert row[1] != people[row[0]].id_number
        assert "*" in row[1]
    page = login(world.hrss).get(url).content.decode()
    for person in people.values():
        assert person.id_number not in page
        assert person.masked_id_number in page

    city_rows = xlsx_rows(login(world.city_admin).get(url, {"export": "xlsx"}))[1:]
    for row in city_rows:
        assert row[1] == people[row[0]].id_number


def test_person_export_follows_the_filter(world, login):
    staff(world.erqi_agency, certified=True, name="二七督导")
    intermediate = CertificateLevel.objects.get(code="intermediate")
    rows = xlsx_rows(
        login(world.city_admin).get(
            reverse("directory:person_list"), {"certificate_level": intermediate.pk, "export": "xlsx"}
        )
    )[1:]
    assert sorted(r[0] for r in rows) == sorted(["督导甲", "二七督导"])
    by_name = {r[0]: r for r in rows}
    assert by_name["二七督导"][5] == "二七同心社工中心"
    assert "社会工作师" in by_name["督导甲"][6]


def test_export_respects_the_scope(world, login):
    rows = xlsx_rows(login(world.outsider).get(reverse("directory:organization_list"), {"export": "xlsx"}))[1:]
    assert [r[0] for r in rows] == ["二七同心社工中心"]
    rows = xlsx_rows(login(world.outsider).get(reverse("directory:person_list"), {"export": "xlsx"}))[1:]
    assert rows == []


# --- query counts ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_admin", "hrss"])
@pytest.mark.parametrize(
    "url_name,params",
    [
        ("directory:organization_list", {}),
        ("directory:organization_list", {"export": "xlsx"}),
        ("directory:organization_list", {"jurisdiction": "JINSHUI", "sort": "-name"}),
        ("directory:person_list", {}),
        ("directory:person_list", {"export": "xlsx"}),
        ("directory:person_list", {"domain": "ELDERLY", "sort": "-name"}),
    ],
)
def test_list_page_queries_do_not_grow_with_rows(world, login, persona, url_name, params):
    params = dict(params)
    if params.get("jurisdiction") == "JINSHUI":
        params["jurisdiction"] = world.jinshui.pk
    if params.get("domain") == "ELDERLY":
        params["domain"] = ServiceDomain.objects.get(code="elderly").pk
    client = login(world.persona(persona))
    url = reverse(url_name)
    grow_directory(world, 3)  # 5 agencies in 金水区, 5 people there
    client.get(url, params)  # warm caches (content types, sessions)
    few = count_queries(client, url, params)
    grow_directory(world, 35)  # 40 of each: more than a page
    many = count_queries(client, url, params)
    assert few == many


def test_detail_page_queries_do_not_grow_with_staff(world, login):
    client = login(world.city_admin)
    url = reverse("directory:organization_detail", args=[world.agency.pk])
    client.get(url)
    few = count_queries(client, url)
    for _i in range(20):
        staff(world.agency, certified=True)
    assert count_queries(client, url) == few


def test_list_page_stays_under_a_fixed_query_budget(world, login, django_assert_max_num_queries):
    grow_directory(world, 40)
    client = login(world.city_admin)
    with django_assert_max_num_queries(20):
        client.get(reverse("directory:person_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("directory:organization_list"))
