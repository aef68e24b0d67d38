"""The audit log page: the city administrator's alone, with filters, sorting,
the htmx partial and the Excel export; and a change made on a page shows up in
it with who made it and what changed."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.core import audit
from dudao.core.excel import XLSX_TYPE
from dudao.core.models import AuditEntry
from dudao.core.validators import mask_id_number
from dudao.directory.models import Organization, Person
from tests.conftest import ALL_PERSONAS
from tests.excel import xlsx_rows

URL = "/core/audit/"


def entries(response):
    return list(response.context["object_list"])


def record(world, obj, *, actor=None, event="directory.organization_updated", changes=None, reason=""):
    return audit.record(
        actor=actor or world.city_admin, event=event, obj=obj, changes=changes or {"x": [1, 2]}, reason=reason
    )


def test_the_audit_url():
    assert reverse("core:audit_list") == URL


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "city_admin"])
def test_everyone_but_the_city_admin_gets_403(world, login, persona):
    record(world, world.agency)
    client = login(world.persona(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "xlsx"}).status_code == 403
    assert client.get(URL, headers={"HX-Request": "true"}).status_code == 403


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_city_admin_browses_the_log(world, login):
    record(world, world.agency, changes={"address": ["", "花园路"]}, reason="核实地址")
    record(world, world.supervisor_person, actor=world.district_admin, event="directory.person_created")
    response = login(world.city_admin).get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="audit-table"' in content
    # Newest first by default.
    assert [e.object_repr for e in entries(response)] == ["督导甲", "金水阳光社工中心"]
    assert "花园路" in content
    assert "核实地址" in content
    assert "jinshui_admin" in content
    assert response.context["page_obj"].total.value == 2


def test_audit_filters(world, login):
    record(world, world.agency, actor=world.district_admin, changes={"contact_name": ["", "王五"]})
    record(world, world.erqi_agency, actor=world.erqi_admin, event="directory.organization_archived")
    record(world, world.supervisor_person, actor=world.agency_admin, event="directory.person_created")
    old = record(world, world.social_worker_person, actor=world.agency_admin, event="directory.person_updated")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=30))

    client = login(world.city_admin)
    repr_of = lambda params: sorted(e.object_repr for e in entries(client.get(URL, params)))  # noqa: E731
    assert repr_of({"q": "金水"}) == ["金水阳光社工中心"]
    assert repr_of({"actor": "agency_admin"}) == ["督导甲", "社工乙"]
    assert repr_of({"actor": "JINSHUI_ADMIN"}) == ["金水阳光社工中心"]
    assert repr_of({"action": "archive"}) == ["二七同心社工中心"]
    person_type = ContentType.objects.get_for_model(Person)
    assert repr_of({"content_type": person_type.pk}) == ["督导甲", "社工乙"]
    org_type = ContentType.objects.get_for_model(Organization)
    assert repr_of({"content_type": org_type.pk, "actor": "erqi_admin"}) == ["二七同心社工中心"]
    today = timezone.localdate()
    assert repr_of({"since": (today - dt.timedelta(days=1)).isoformat()}) == [
        "二七同心社工中心",
        "督导甲",
        "金水阳光社工中心",
    ]
    assert repr_of({"until": (today - dt.timedelta(days=7)).isoformat()}) == ["社工乙"]
    assert repr_of({"actor": "nobody"}) == []
    # A bad value does not break the page.
    assert client.get(URL, {"action": "explode", "since": "not-a-date"}).status_code == 200


def test_audit_sorting(world, login):
    for actor in (world.hrss, world.city_admin, world.district_admin):
        record(world, world.agency, actor=actor)
    client = login(world.city_admin)
    by_actor = [e.actor.username for e in entries(client.get(URL, {"sort": "actor"}))]
    assert by_actor == ["city_admin", "hrss", "jinshui_admin"]
    assert [e.actor.username for e in entries(client.get(URL, {"sort": "-actor"}))] == list(reversed(by_actor))
    oldest_first = [e.pk for e in entries(client.get(URL, {"sort": "at"}))]
    assert oldest_first == sorted(oldest_first)


def test_audit_paging_and_htmx(world, login):
    for i in range(30):
        record(world, world.agency, changes={"n": [i, i + 1]})
    client = login(world.city_admin)
    first = client.get(URL)
    assert len(entries(first)) == 25
    assert len(entries(client.get(URL, {"page": 2}))) == 5
    partial = client.get(URL, {"page": 2}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    content = partial.content.decode()
    assert "<html" not in content
    assert 'data-testid="audit-table"' in content


def test_audit_export(world, login):
    record(world, world.agency, actor=world.district_admin, changes={"contact_name": ["", "王五"]}, reason="换人")
    record(world, world.erqi_agency, actor=world.erqi_admin)
    for _i in range(30):
        record(world, world.supervisor_person, actor=world.district_admin)
    response = login(world.city_admin).get(URL, {"actor": "jinshui_admin", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    body = rows[1:]
    # Every matching entry, not only the first page.
    assert len(body) == AuditEntry.objects.filter(actor=world.district_admin).count() == 31
    assert {r[1] for r in body} == {"jinshui_admin"}
    assert {r[2] for r in body} == {"金水区 · 县（市、区）民政部门"}
    org_row = next(r for r in body if r[5] == "金水阳光社工中心")
    assert org_row[6] == "联系人：— → 王五"
    assert org_row[7] == "换人"
    assert isinstance(org_row[0], dt.datetime)


def test_a_change_made_on_a_page_appears_in_the_log(world, login):
    org = world.agency
    edit = login(world.district_admin).post(
        reverse("directory:organization_edit", args=[org.pk]),
        {
            "name": org.name,
            "credit_code": org.credit_code,
            "type": org.type.pk,
            "jurisdiction": org.jurisdiction.pk,
            "address": "",
            "contact_name": "王五",
            "contact_phone": "0371-62345678",
            "reason": "联系人变更",
        },
    )
    assert edit.status_code == 302

    response = login(world.city_admin).get(URL, {"q": org.name})
    [entry] = entries(response)
    assert entry.actor == world.district_admin
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"contact_name": ["", "王五"], "contact_phone": ["", "0371-62345678"]}
    assert entry.reason == "联系人变更"
    content = response.content.decode()
    for text in ("jinshui_admin", "联系人", "王五", "0371-62345678", "联系人变更"):
        assert text in content
    assert "contact_name" not in content


def test_a_person_created_on_a_page_appears_in_the_log(world, login):
    from dudao.directory.models import EducationLevel
    from tests.factories import id_number

    new_id = id_number(9, "410102")
    response = login(world.agency_admin).post(
        reverse("directory:person_create"),
        {
            "name": "审计新人",
            "id_number": new_id,
            "education": EducationLevel.objects.get(code="bachelor").pk,
            "employer": world.agency.pk,
            "start_date": "2023-03-01",
        },
    )
    assert response.status_code == 302
    response = login(world.city_admin).get(URL, {"action": "create", "actor": "agency_admin"})
    [entry] = entries(response)
    assert entry.object_repr == "审计新人"
    assert entry.changes["id_number"] == [None, mask_id_number(new_id)]
    assert entry.changes["employer"] == [None, "金水阳光社工中心"]


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"export": "xlsx"}, {"sort": "actor", "action": "update"}])
def test_audit_page_queries_do_not_grow_with_rows(world, login, params):
    actors = [world.city_admin, world.district_admin, world.agency_admin, None]
    objects = [world.agency, world.supervisor_person, world.erqi_agency]
    client = login(world.city_admin)

    def add(count):
        for i in range(count):
            audit.record(
                actor=actors[i % 4], event="directory.person_updated", obj=objects[i % 3], changes={"n": [i, 0]}
            )

    add(5)
    client.get(URL, params)
    few = _queries(client, params)
    add(35)
    assert _queries(client, params) == few


def test_the_log_shows_each_entrys_event_and_filters_by_it(world, login):
    record(world, world.agency, event="directory.organization_updated")
    record(world, world.erqi_agency, event="directory.organization_archived")
    record(world, world.supervisor_person, event="directory.person_created")
    client = login(world.city_admin)
    response = client.get(URL)
    content = response.content.decode()
    for label in ("修改机构信息", "机构已归档", "新增人员"):
        assert label in content
    # The filter offers every declared event, grouped by app, older-entry events among them.
    offered = dict(
        code_label
        for _group, options in response.context["filter"].form.fields["event"].choices
        if isinstance(options, list | tuple)
        for code_label in options
    )
    assert set(offered) == {e.code for e in audit.events()}
    assert str(offered["accounts.role_granted"]) == "授予角色"
    assert 'value="pools.entry_expired"' in content
    repr_of = lambda params: sorted(e.object_repr for e in entries(client.get(URL, params)))  # noqa: E731
    assert repr_of({"event": "directory.organization_archived"}) == ["二七同心社工中心"]
    assert repr_of({"event": "directory.person_created"}) == ["督导甲"]
    assert repr_of({"event": "pools.entry_expired"}) == []
    # An undeclared event is a form error, not a crash, and filters nothing out silently.
    bad = client.get(URL, {"event": "no.such_event"})
    assert bad.status_code == 200
    assert "event" in bad.context["filter"].form.errors


def test_an_older_entry_without_an_event_still_shows(world, login):
    entry = record(world, world.agency)
    AuditEntry.objects.filter(pk=entry.pk).update(event="")
    response = login(world.city_admin).get(URL)
    assert [e.event_label for e in entries(response)] == ["修改"]


def test_the_export_carries_the_events_label_and_code(world, login):
    record(world, world.agency, event="directory.organization_archived", reason="停业")
    response = login(world.city_admin).get(URL, {"export": "xlsx"})
    rows = xlsx_rows(response)
    assert rows[0][3] == "事件" and rows[0][8] == "事件代码"
    [row] = rows[1:]
    assert (row[3], row[8]) == ("机构已归档", "directory.organization_archived")


def test_the_log_reads_as_a_person_would_write_it(world, login):
    """Field labels, not field names; a choice's label, not its code; 是/否, not
    True/False; dates and times as dates, in local time; the actor by name and
    unit; the whole reason. The API keeps the stored values."""
    world.district_admin.display_name = "李区管"
    world.district_admin.save()
    reason = "经核实，" + "该辖区已调整为开发区管理，" * 20 + "特此记录。"
    record(
        world,
        world.jinshui,
        actor=world.district_admin,
        changes={
            "kind": ["district", "zone"],
            "is_active": [True, False],
            "closed_at": [None, "2026-11-30 17:30:00+00:00"],
            "expires_on": ["2026-01-31", "2027-01-31"],
        },
        reason=reason,
    )
    client = login(world.city_admin)
    response = client.get(URL)
    content = response.content.decode()
    [entry] = entries(response)
    assert entry.readable_changes == [
        ("类别", "县（市、区）", "开发区"),
        ("有效", "是", "否"),
        # A key that is no field of the model keeps its name, its value still reads as a time.
        ("closed_at", "—", "2026-12-01 01:30"),
        ("expires_on", "2026-01-31", "2027-01-31"),
    ]
    for raw in ("<code>kind</code>", ">district<", "True", "False", "+00:00"):
        assert raw not in content
    assert "李区管" in content and "金水区 · 县（市、区）民政部门" in content
    assert len(entries(client.get(URL, {"actor": "李区管"}))) == 1
    assert reason in content
    assert "2026-12-01 01:30" in content  # 17:30 UTC is 01:30 the next day in Shanghai
    # The export reads the same way.
    rows = xlsx_rows(client.get(URL, {"export": "xlsx"}))
    [row] = rows[1:]
    assert row[1:3] == ("李区管", "金水区 · 县（市、区）民政部门")
    assert "开发区" in row[6] and "district" not in row[6] and row[7] == reason
    # The API hands out the entry as stored.
    api = client.get(f"/api/v1/audit/{entry.pk}/")
    assert api.status_code == 200
    assert api.json()["changes"]["kind"] == ["district", "zone"]
