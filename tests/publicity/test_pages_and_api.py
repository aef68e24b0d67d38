"""The 公示 pages and endpoints: every signed-in user reads the lists and may
object; the keeper alone decides (others 403, or 404 where the objection is
not theirs to see); the public page exists only while the policy allows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.policy.models import ParameterVersion
from dudao.publicity.models import Item, Objection
from dudao.selection.models import Nomination

from .conftest import end_period

pytestmark = pytest.mark.django_db


def test_every_signed_in_user_reads_the_list_with_name_unit_district_and_path_only(world, login, published):
    nomination, item = published
    for persona in ("supervisor", "trainer", "finance", "outsider"):
        client = login(world.persona(persona))
        assert client.get(reverse("publicity:notice_list")).status_code == 200
        page = client.get(reverse("publicity:notice_detail", args=[item.notice_id]))
        assert page.status_code == 200
        text = page.content.decode()
        assert nomination.person.name in text and world.agency.name in text
        assert nomination.person.id_number not in text


def test_the_lists_filter_sort_and_export(world, login, published):
    _nomination, item = published
    client = login(world.city_admin)
    url = reverse("publicity:notice_detail", args=[item.notice_id])
    assert len(client.get(url, {"q": item.name}).context["object_list"]) == 1
    assert len(client.get(url, {"q": "无此人"}).context["object_list"]) == 0
    assert client.get(url, {"sort": "-unit"}).status_code == 200
    export = client.get(url, {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    listing = client.get(reverse("publicity:notice_list"), {"running": "running", "export": "xlsx"})
    assert listing.status_code == 200


def test_a_user_lodges_an_objection_on_the_form_and_an_anonymous_one_is_marked(world, login, published):
    _nomination, item = published
    client = login(world.social_worker)
    url = reverse("publicity:objection_new", args=[item.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"text": "不实", "anonymous": "on"})
    assert refused.status_code == 200 and not Objection.objects.exists()
    client.post(url, {"text": "不实", "anonymous": "on", "contact": "13800000000"})
    objection = Objection.objects.get()
    assert objection.anonymous and objection.lodged_by is None
    queue = login(world.city_admin).get(reverse("publicity:objection_detail", args=[objection.pk]))
    assert "匿名" in queue.content.decode()


def test_the_keeper_decides_on_the_page_and_others_are_refused(world, login, published):
    nomination, item = published
    objection = Objection.objects.create(item=item, lodged_by=world.supervisor, text="不实")
    url = reverse("publicity:objection_detail", args=[objection.pk])
    # The lodger sees it but may not decide (403); someone else does not see it (404).
    assert login(world.supervisor).get(url).status_code == 200
    assert login(world.supervisor).post(url, {"decision": "upheld", "reason": "x"}).status_code == 403
    assert login(world.district_admin).get(url).status_code == 404
    assert login(world.social_worker).post(url, {"decision": "upheld", "reason": "x"}).status_code == 404
    response = login(world.city_admin).post(url, {"decision": "upheld", "reason": "经查属实"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.REJECTED
    record = login(world.agency_admin).get(reverse("selection:nomination_detail", args=[nomination.pk]))
    assert "经查属实" in record.content.decode()


def test_reading_the_nomination_after_the_period_makes_it_a_trainee(world, login, published):
    nomination, item = published
    page = login(world.agency_admin).get(reverse("selection:nomination_detail", args=[nomination.pk]))
    assert "公示中" in page.content.decode()
    end_period(item)
    page = login(world.agency_admin).get(reverse("selection:nomination_detail", args=[nomination.pk]))
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPROVED
    assert Item.objects.get().status == Item.Status.EFFECTIVE


def test_the_printable_notice_is_a_pdf(world, login, published):
    _nomination, item = published
    response = login(world.supervisor).get(reverse("publicity:notice_print", args=[item.notice_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_public_page_shows_running_notices_only_while_the_policy_allows(world, client, published):
    _nomination, item = published
    assert item.name in client.get(reverse("publicity:public_notice", args=[item.notice_id])).content.decode()
    assert client.get(reverse("publicity:public_list")).status_code == 200
    # The signed-in pages are not public.
    assert client.get(reverse("publicity:notice_detail", args=[item.notice_id])).status_code == 302
    ParameterVersion.objects.create(
        key="publicity.public_page", jurisdiction=world.city, value=False, effective_from=timezone.localdate()
    )
    assert client.get(reverse("publicity:public_notice", args=[item.notice_id])).status_code == 404
    assert client.get(reverse("publicity:public_print", args=[item.notice_id])).status_code == 404
    assert item.name not in client.get(reverse("publicity:public_list")).content.decode()


def test_the_api_lists_lodges_and_decides(world, api, published):
    _nomination, item = published
    reader = api(world.trainer)
    assert reader.get("/api/v1/publicity-notices/").json()["count"] == 1
    items = reader.get(f"/api/v1/publicity-items/?notice={item.notice_id}").json()["results"]
    assert [i["name"] for i in items] == [item.name] and "id_number" not in items[0]
    lodged = reader.post("/api/v1/publicity-objections/", {"item": item.pk, "text": "不实"}, format="json")
    assert lodged.status_code == 201, lodged.json()
    pk = lodged.json()["id"]
    anonymous = api(world.finance).post(
        "/api/v1/publicity-objections/", {"item": item.pk, "text": "不实", "anonymous": True}, format="json"
    )
    assert anonymous.status_code == 400
    decide = f"/api/v1/publicity-objections/{pk}/decide/"
    assert reader.post(decide, {"decision": "dismissed", "reason": "x"}, format="json").status_code == 403
    assert (
        api(world.district_admin).post(decide, {"decision": "dismissed", "reason": "x"}, format="json").status_code
        == 404
    )
    done = api(world.city_admin).post(decide, {"decision": "dismissed", "reason": "不属实"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert api(world.city_admin).get("/api/v1/publicity-objections/?status=pending").json()["count"] == 0
    assert api().get("/api/v1/publicity-notices/").status_code in (401, 403)
