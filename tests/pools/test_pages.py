"""The pool pages, persona by persona: the search with its filters, sorting,
htmx partial, export and a query count that does not grow; the entry page
with the keeper's status form; district admission; internal designation; and
the supervisor profile. A record outside a persona's scope is a 404, a page
for another role is a 403."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.core.excel import XLSX_TYPE
from dudao.pools import services
from dudao.pools.models import Entry, StatusChange
from dudao.training.models import Activity
from tests.conftest import ALL_PERSONAS
from tests.excel import xlsx_rows
from tests.factories import OrganizationFactory, staff

from .conftest import VISIBLE, bulk_entries, domain

S = Entry.Status


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return html.escape(text % params if params else text)


def url(name, *args):
    return reverse(f"pools:{name}", args=args)


def numbers(response) -> set[str]:
    return {e.entry_number for e in response.context["object_list"]}


def expected(pools, keys) -> set[str]:
    return {getattr(pools, k).entry_number for k in keys}


# --- the search ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_entry_list_shows_what_each_persona_may_see(world, pools, login, persona):
    response = login(world.persona(persona)).get(url("entry_list"))
    assert response.status_code == 200
    assert numbers(response) == expected(pools, VISIBLE[persona])


def test_entry_list_needs_login(world, client):
    response = client.get(url("entry_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_entry_list_filters(world, pools, login):
    client = login(world.city_admin)
    get = lambda **params: numbers(client.get(url("entry_list"), params))  # noqa: E731
    assert get(level="city") == expected(pools, ["city"])
    assert get(level="district") == expected(pools, ["district", "erqi"])
    assert get(level="agency") == expected(pools, ["agency"])
    assert get(domain="community") == expected(pools, ["city", "district"])
    assert get(domain="drug") == expected(pools, ["erqi"])
    assert get(home_district=world.erqi.code) == expected(pools, ["erqi"])
    assert get(home_district=world.jinshui.code) == expected(pools, ["city", "district", "agency"])
    assert get(q="督导甲") == expected(pools, ["city", "district"])
    assert get(q=pools.agency.entry_number.lower()) == expected(pools, ["agency"])
    assert get(q="ZZ-410103") == expected(pools, ["erqi"])
    assert get(level="district", home_district=world.jinshui.code) == expected(pools, ["district"])


def test_entry_list_status_and_availability_filters(world, pools, login):
    services.change_status(actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="暂停")
    Entry.objects.filter(pk=pools.city.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )  # past term, not yet recorded
    client = login(world.city_admin)
    get = lambda **params: numbers(client.get(url("entry_list"), params))  # noqa: E731
    assert get(status="active") == expected(pools, ["agency", "erqi"])
    assert get(status="suspended") == expected(pools, ["district"])
    assert get(status="expired") == expected(pools, ["city"])
    assert get(status="retired") == set()
    assert get(available="true") == expected(pools, ["agency", "erqi"])
    assert get(available="false") == expected(pools, ["city", "district"])
    body = client.get(url("entry_list"), {"q": "督导甲"}).content.decode()
    assert zh("Expired") in body and zh("Suspended") in body


def test_an_invalid_filter_value_shows_nothing(world, pools, login):
    response = login(world.city_admin).get(url("entry_list"), {"level": "province"})
    assert response.status_code == 200 and numbers(response) == set()


def test_entry_list_sorting_and_paging(world, pools, login):
    client = login(world.city_admin)
    bulk_entries(world, 26, level=Entry.Level.AGENCY, prefix=f"ZZ-JG{world.agency.pk}-2025-")
    first = client.get(url("entry_list"))
    assert len(first.context["object_list"]) == 25 and first.context["page_obj"].total.value == 30
    ordered = [e.entry_number for e in client.get(url("entry_list"), {"sort": "number"}).context["object_list"]]
    assert ordered == sorted(ordered)
    Entry.objects.filter(pk=pools.erqi.pk).update(admitted_on=dt.date(2020, 1, 1), expires_on=dt.date(2022, 12, 31))
    assert client.get(url("entry_list"), {"sort": "admitted"}).context["object_list"][0] == pools.erqi
    assert client.get(url("entry_list"), {"sort": "expires"}).context["object_list"][0] == pools.erqi
    assert client.get(url("entry_list"), {"sort": "-expires"}).context["object_list"][0] != pools.erqi
    assert client.get(url("entry_list"), {"sort": "person__id_number"}).context["sort"] == "number"  # only known keys
    second = client.get(url("entry_list"), {"page": 2})
    assert len(second.context["object_list"]) == 5


def test_htmx_request_gets_only_the_table(world, pools, login):
    client = login(world.city_admin)
    assert "<html" in client.get(url("entry_list")).content.decode()
    content = client.get(url("entry_list"), {"level": "city"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in content and 'data-testid="entry-table"' in content and 'id="filter-form"' not in content
    assert pools.city.entry_number in content and pools.erqi.entry_number not in content


def test_export_has_the_filtered_rows(world, pools, login):
    services.change_status(actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="暂停")
    response = login(world.district_admin).get(url("entry_list"), {"export": "xlsx", "q": "督导甲"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    rows = xlsx_rows(response)
    assert len(rows) == 3
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == expected(pools, ["city", "district"])
    city, district = by_number[pools.city.entry_number], by_number[pools.district.entry_number]
    assert city[1] == "督导甲" and city[3] == "郑州市" and city[4] == "金水区" and city[5] == "养老、社区"
    assert district[8] == gettext("Suspended") and district[9] == gettext("No")
    assert city[9] == gettext("Yes")


def _grow(world, count):
    bulk_entries(world, count, organization=OrganizationFactory(jurisdiction=world.jinshui))


def _queries(client, path, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("city_admin", {}),
        ("city_admin", {"export": "xlsx"}),
        ("city_admin", {"domain": "elderly", "status": "active", "sort": "-expires"}),
        ("district_admin", {}),
        ("district_admin", {"available": "true", "home_district": "410105", "sort": "admitted"}),
        ("district_admin", {"flagged": "true"}),
    ],
)
def test_list_queries_do_not_grow_with_rows(world, pools, login, persona, params):
    client = login(world.persona(persona))
    _grow(world, 3)
    client.get(url("entry_list"), params)
    few = _queries(client, url("entry_list"), params)
    _grow(world, 30)
    assert _queries(client, url("entry_list"), params) == few


def test_api_list_queries_do_not_grow_with_rows(world, pools, api):
    client = api(world.city_admin)
    _grow(world, 3)
    client.get("/api/v1/pool-entries/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/pool-entries/")
    _grow(world, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/pool-entries/").status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_list_buttons_follow_the_role(world, login):
    assert url("district_admit") in login(world.district_admin).get(url("entry_list")).content.decode()
    agency = login(world.agency_admin).get(url("entry_list")).content.decode()
    assert url("designate") in agency and url("district_admit") not in agency
    city = login(world.city_admin).get(url("entry_list")).content.decode()
    assert url("designate") not in city and url("district_admit") not in city


# --- the entry page -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("key", ["city", "district", "agency", "erqi"])
def test_entry_detail_is_scoped(world, pools, login, persona, key):
    response = login(world.persona(persona)).get(url("entry_detail", getattr(pools, key).pk))
    assert response.status_code == (200 if key in VISIBLE[persona] else 404)


def test_entry_detail_shows_the_entry_and_its_history(world, pools, login):
    services.change_status(
        actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="年度评价不合格"
    )
    response = login(world.supervisor).get(url("entry_detail", pools.district.pk))
    body = response.content.decode()
    for text in [
        "督导甲",
        pools.district.entry_number,
        "金水区",
        "社区",
        "年度评价不合格",
        "金水区2026年度督导选拔",
        zh("Suspended"),
        url("certificate", pools.district.pk),
    ]:
        assert text in body, text
    assert response.context["status_form"] is None  # the supervisor keeps no pool
    assert [h.to_status for h in response.context["history"]] == [S.ACTIVE, S.SUSPENDED]


@pytest.mark.parametrize(
    ("persona", "key", "keeper"),
    [
        ("city_admin", "city", True),
        ("city_admin", "district", False),
        ("district_admin", "district", True),
        ("district_admin", "city", False),
        ("agency_admin", "agency", True),
        ("agency_admin", "district", False),
        ("hrss", "city", False),
    ],
)
def test_the_status_form_is_for_the_keeper(world, pools, login, persona, key, keeper):
    response = login(world.persona(persona)).get(url("entry_detail", getattr(pools, key).pk))
    form = response.context["status_form"]
    assert (form is not None) == keeper
    body = response.content.decode()
    assert ('data-testid="status-form"' in body) == keeper
    if keeper:
        assert "data-confirm=" in body
        assert [c for c, _l in form.fields["to_status"].choices] == [S.SUSPENDED, S.RETIRED]


def test_keeper_changes_status_on_the_page(world, pools, login):
    client = login(world.district_admin)
    response = client.post(
        url("entry_status", pools.district.pk), {"to_status": "suspended", "reason": "年度评价不合格"}
    )
    assert response.status_code == 302 and response["Location"] == url("entry_detail", pools.district.pk)
    assert Entry.objects.get(pk=pools.district.pk).status == S.SUSPENDED
    change = StatusChange.objects.filter(entry=pools.district).last()
    assert (change.to_status, change.reason, change.actor) == (S.SUSPENDED, "年度评价不合格", world.district_admin)
    page = client.get(url("entry_detail", pools.district.pk))
    assert [c for c, _l in page.context["status_form"].fields["to_status"].choices] == [S.ACTIVE, S.RETIRED]


def test_status_change_without_reason_changes_nothing(world, pools, login):
    client = login(world.city_admin)
    response = client.post(url("entry_status", pools.city.pk), {"to_status": "suspended", "reason": ""}, follow=True)
    assert zh("Give a reason for the change.") in response.content.decode()
    assert Entry.objects.get(pk=pools.city.pk).status == S.ACTIVE


def test_forbidden_transition_on_the_page(world, pools, login):
    client = login(world.city_admin)
    client.post(url("entry_status", pools.city.pk), {"to_status": "retired", "reason": "退出"})
    client.post(url("entry_status", pools.city.pk), {"to_status": "active", "reason": "恢复"}, follow=True)
    assert Entry.objects.get(pk=pools.city.pk).status == S.RETIRED
    assert pools.city.history.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("agency_admin", 403), ("supervisor", 403), ("city_admin", 403), ("erqi_admin", 404), ("outsider", 404)],
)
def test_status_change_by_others(world, pools, login, persona, status):
    response = login(world.persona(persona)).post(
        url("entry_status", pools.district.pk), {"to_status": "suspended", "reason": "无权"}
    )
    assert response.status_code == status
    assert Entry.objects.get(pk=pools.district.pk).status == S.ACTIVE


def test_status_change_is_post_only(world, pools, login):
    assert login(world.district_admin).get(url("entry_status", pools.district.pk)).status_code == 405


# --- district admission -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_district_admit_is_for_district_admins(world, login, persona):
    response = login(world.persona(persona)).get(url("district_admit"))
    assert response.status_code == (200 if persona in ("district_admin", "erqi_admin") else 403)


def test_district_admit_shows_the_rules_then_admits(world, login):
    client = login(world.district_admin)
    person = world.supervisor_person
    person.service_domains.set([domain("elderly")])
    response = client.get(url("district_admit"), {"id_number": person.id_number.lower()})
    assert response.status_code == 200
    assert response.context["person"] == person and response.context["district"] == world.jinshui
    assert response.context["eligible"]
    codes = [r.code for r in response.context["results"]]
    assert codes[0] == "district" and "certificate" in codes and "frontline_years" in codes
    assert [d.code for d in response.context["form"].initial["domains"]] == ["elderly"]
    assert 'data-testid="eligibility"' in response.content.decode()

    response = client.post(
        url("district_admit"), {"person": person.pk, "domains": [domain("school").pk], "reason": "金水区第一批"}
    )
    entry = Entry.objects.get(level=Entry.Level.DISTRICT, person=person)
    assert response.status_code == 302 and response["Location"] == url("entry_detail", entry.pk)
    assert entry.jurisdiction == world.jinshui and entry.source == "金水区第一批"
    assert [d.code for d in entry.domains.all()] == ["school"]


def test_district_admit_refuses_an_ineligible_person(world, login):
    client = login(world.district_admin)
    person = world.social_worker_person
    response = client.get(url("district_admit"), {"id_number": person.id_number})
    assert not response.context["eligible"]
    body = response.content.decode()
    assert "disabled" in body
    failed = [r for r in response.context["results"] if not r.passed]
    assert failed and html.escape(failed[0].detail) in body
    response = client.post(url("district_admit"), {"person": person.pk})
    assert response.status_code == 200
    assert html.escape(failed[0].label) in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.parametrize("who", ["erqi staff", "unknown", "malformed"])
def test_district_admit_finds_only_its_own_people(world, login, who):
    id_number = {
        "erqi staff": staff(world.erqi_agency, certified=True).id_number,
        "unknown": "110101199001011237",
        "malformed": "abc",
    }[who]
    response = login(world.district_admin).get(url("district_admit"), {"id_number": id_number})
    assert response.status_code == 200
    assert response.context["person"] is None
    assert response.context["lookup"].errors


def test_district_admit_post_for_someone_out_of_scope_is_404(world, login):
    erqi_person = staff(world.erqi_agency, certified=True)
    client = login(world.district_admin)
    assert client.post(url("district_admit"), {"person": erqi_person.pk}).status_code == 404
    assert client.post(url("district_admit"), {"person": "x"}).status_code == 404
    assert not Entry.objects.exists()


def test_district_admit_twice_says_so(world, pools, login):
    response = login(world.district_admin).post(url("district_admit"), {"person": world.supervisor_person.pk})
    assert response.status_code == 200
    assert "督导甲" in str(response.context["form"].non_field_errors())
    assert Entry.objects.filter(level=Entry.Level.DISTRICT, person=world.supervisor_person).count() == 1


# --- internal designation ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_designate_is_for_agency_admins(world, login, persona):
    response = login(world.persona(persona)).get(url("designate"))
    assert response.status_code == (200 if persona in ("agency_admin", "outsider") else 403)


def test_designate_offers_current_staff_and_designates(world, login):
    client = login(world.agency_admin)
    response = client.get(url("designate"))
    assert response.context["organization"] == world.agency
    assert set(response.context["form"].fields["person"].queryset) == {
        world.supervisor_person,
        world.social_worker_person,
    }
    response = client.post(
        url("designate"),
        {
            "organization": world.agency.pk,
            "person": world.social_worker_person.pk,
            "domains": [domain("children").pk],
            "reason": "机构内部督导",
        },
    )
    entry = Entry.objects.get(level=Entry.Level.AGENCY)
    assert response.status_code == 302 and response["Location"] == url("entry_detail", entry.pk)
    assert (entry.person, entry.organization, entry.source) == (
        world.social_worker_person,
        world.agency,
        "机构内部督导",
    )
    assert "社工乙" in client.get(url("designate")).content.decode()


def test_designate_refuses_other_agencies_staff(world, login):
    other = staff(world.other_agency_same_district)
    response = login(world.agency_admin).post(url("designate"), {"organization": world.agency.pk, "person": other.pk})
    assert response.status_code == 200 and response.context["form"].errors["person"]
    assert not Entry.objects.exists()


def test_designate_for_an_agency_not_administered_is_404(world, login):
    client = login(world.agency_admin)
    assert client.get(url("designate"), {"organization": world.erqi_agency.pk}).status_code == 404
    assert (
        client.post(
            url("designate"), {"organization": world.erqi_agency.pk, "person": world.social_worker_person.pk}
        ).status_code
        == 404
    )
    assert not Entry.objects.exists()


# --- the supervisor profile ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("district_admin", 200),
        ("agency_admin", 200),
        ("supervisor", 200),
        ("hrss", 200),
        ("erqi_admin", 404),
        ("outsider", 404),
        ("social_worker", 404),
        ("trainer", 404),
    ],
)
def test_profile_is_scoped(world, pools, login, persona, status):
    assert login(world.persona(persona)).get(url("profile", world.supervisor_person.pk)).status_code == status


def test_profile_shows_qualifications_training_and_entries(world, pools, login):
    activity = Activity.objects.create(
        organization=world.agency,
        title="社会工作职业伦理专题培训",
        kind=Activity.Kind.ETHICS,
        held_on=dt.date(2026, 5, 20),
        hours=Decimal(3),
    )
    activity.participants.add(world.supervisor_person)
    response = login(world.agency_admin).get(url("profile", world.supervisor_person.pk))
    body = response.content.decode()
    person = world.supervisor_person
    certificate = person.certificates.get()
    for text in [
        person.name,
        person.education.name,
        "2015-07-01",
        certificate.number,
        certificate.level.name,
        "养老",
        world.agency.name,
    ]:
        assert text in body, text
    assert {e.entry_number for e in response.context["entries"]} == expected(pools, ["city", "district"])
    assert {"memberships", "activities"} <= set(response.context["history"])
    assert 'data-testid="training-history"' in body
    assert "社会工作职业伦理专题培训" in body
    assert person.id_number not in body


def test_profile_lists_only_entries_the_viewer_may_see(world, pools, login):
    response = login(world.erqi_admin).get(url("profile", pools.erqi_person.pk))
    assert {e.entry_number for e in response.context["entries"]} == expected(pools, ["erqi"])
    response = login(world.social_worker).get(url("profile", world.social_worker_person.pk))
    assert {e.entry_number for e in response.context["entries"]} == expected(pools, ["agency"])


def test_profile_falls_back_to_its_own_history_table(world, pools, login, monkeypatch):
    from dudao.pools import views

    monkeypatch.setattr(views, "_history_template", lambda: "pools/_training_history.html")
    activity = Activity.objects.create(
        organization=world.agency,
        title="个案督导实务训练",
        kind=Activity.Kind.PRACTICE,
        held_on=dt.date(2026, 4, 2),
        hours=Decimal(4),
    )
    activity.participants.add(world.supervisor_person)
    body = login(world.supervisor).get(url("profile", world.supervisor_person.pk)).content.decode()
    assert 'data-testid="training-history"' in body and "个案督导实务训练" in body and world.agency.name in body


# --- issue 12: a disciplinary record flags the entry for the keeper's review -----------------------


def _discipline(world, person, *, actor=None):
    from dudao.directory import services as directory

    return directory.add_disciplinary_record(
        actor=actor or world.district_admin,
        person=person,
        decided_on=dt.date(2025, 6, 1),
        description="服务记录造假，通报批评",
        authority="金水区民政局",
    )


def test_a_disciplinary_record_flags_the_entries_and_the_keeper_sees_it(world, pools, login):
    _discipline(world, world.supervisor_person)
    city, district = Entry.objects.get(pk=pools.city.pk), Entry.objects.get(pk=pools.district.pk)
    assert city.flagged_for_review and district.flagged_for_review
    assert "服务记录造假" in city.review_note
    # The city keeps the city pool: the marker on the list, the filter, the record on the profile and the entry.
    client = login(world.city_admin)
    listed = client.get(url("entry_list"), {"flagged": "true"})
    assert [e.pk for e in listed.context["object_list"]] == [pools.city.pk]
    assert listed.content.decode().count('data-testid="review-flag"') == 1
    profile = client.get(url("profile", world.supervisor_person.pk)).content.decode()
    assert 'data-testid="discipline"' in profile and "服务记录造假" in profile
    detail = client.get(url("entry_detail", pools.city.pk)).content.decode()
    assert 'data-testid="discipline"' in detail and 'data-testid="clear-flag-form"' in detail
    # Readers who keep none of the person's entries see neither the flag nor the record.
    hrss = login(world.hrss)
    assert not list(hrss.get(url("entry_list"), {"flagged": "true"}).context["object_list"])
    assert 'data-testid="review-flag"' not in hrss.get(url("entry_list")).content.decode()
    assert "服务记录造假" not in hrss.get(url("profile", world.supervisor_person.pk)).content.decode()


def test_an_entry_admitted_with_a_disciplinary_record_is_flagged(world, login):
    person = staff(world.agency, certified=True, name="待复核丁")
    from dudao.directory.models import DisciplinaryRecord

    DisciplinaryRecord.objects.create(person=person, decided_on=dt.date(2025, 1, 5), description="违规收费")
    from .conftest import city_entry

    entry = city_entry(world, person)
    assert entry.flagged_for_review and "违规收费" in entry.review_note


@pytest.mark.parametrize(("persona", "status"), [("city_admin", 302), ("hrss", 403), ("erqi_admin", 404)])
def test_the_keeper_records_the_review_and_clears_the_flag(world, pools, login, persona, status):
    _discipline(world, world.supervisor_person)
    client = login(world.persona(persona))
    response = client.post(url("entry_clear_flag", pools.city.pk), {"reason": "处分已期满，经研究继续保留"})
    assert response.status_code == status
    assert Entry.objects.get(pk=pools.city.pk).flagged_for_review is (status != 302)
    if status == 302:
        page = client.get(url("entry_detail", pools.city.pk)).content.decode()
        assert 'data-testid="clear-flag-form"' not in page and 'data-testid="review-flag"' not in page
        # The record itself stays visible to the keeper.
        assert 'data-testid="discipline"' in page


def test_clearing_a_flag_needs_a_reason(world, pools, login):
    _discipline(world, world.supervisor_person)
    login(world.city_admin).post(url("entry_clear_flag", pools.city.pk), {"reason": ""})
    assert Entry.objects.get(pk=pools.city.pk).flagged_for_review
