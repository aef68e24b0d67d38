"""The audit log over the API: the city administrator's alone, each entry with
its event's code and label, filtered by event; and the list of declared events."""

import pytest
from django.utils import translation

from dudao.core import audit
from tests.conftest import ALL_PERSONAS

URL = "/api/v1/audit/"


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "city_admin"])
def test_only_the_city_admin_reads_the_log_over_the_api(world, api, persona):
    audit.record(actor=world.city_admin, event="directory.organization_updated", obj=world.agency)
    client = api(world.persona(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "events/").status_code == 403
    assert api().get(URL).status_code in (401, 403)


def test_entries_carry_their_event_code_and_label_and_filter_by_event(world, api):
    audit.record(actor=world.district_admin, event="directory.organization_updated", obj=world.agency, reason="核实")
    audit.record(actor=world.city_admin, event="accounts.role_granted", obj=world.hrss, changes={"role": [None, "x"]})
    client = api(world.city_admin)
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert newest["event"] == "accounts.role_granted"
    assert newest["event_label"] == "授予角色"
    assert newest["action"] == "update"
    assert newest["object_type"] == "accounts.user"
    assert newest["actor"] == "city_admin"
    only = client.get(URL, {"event": "directory.organization_updated"}).json()["results"]
    assert [(e["object_repr"], e["reason"]) for e in only] == [("金水阳光社工中心", "核实")]
    assert client.get(URL, {"event": "no.such_event"}).status_code == 400


def test_the_events_endpoint_lists_every_declared_event(world, api):
    with translation.override("zh-hans"):
        expected = {e.code: str(e.label) for e in audit.events()}
    body = api(world.city_admin).get(URL + "events/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {e["code"]: e["label"] for e in body} == expected
    expired = next(e for e in body if e["code"] == "pools.entry_expired")
    assert (expired["action"], expired["legacy"]) == ("update", False)
