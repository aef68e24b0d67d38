"""The rough edges of issue 12 on the nomination pages: one click saves and
resubmits, evidence on every path, the reviewer's context (the nominee's
profile, the unit's quota), batch approval of the queue (page and API), no
label on the hidden concurrency guard, and a nominate page that puts the
eligible staff first."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.core.models import AuditEntry
from dudao.selection import services
from dudao.selection.models import Evidence, Nomination

from .helpers import PDF, discipline, hire, hire_many, nominate, refreshed, zh

S = Nomination.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff(world):
    """world.agency with 15 certified staff (quota 2): the 14 added ones."""
    return hire_many(world.agency, 14)


@pytest.fixture
def returned(world, round_, staff):
    n = nominate(world, round_, staff[0], statement="骨干")
    services.review(actor=world.district_admin, nomination=n, decision="return", reason="请补充证书扫描件")
    return refreshed(n)


def detail(client, nomination):
    return client.get(reverse("selection:nomination_detail", args=[nomination.pk]))


# --- one action saves and resubmits -------------------------------------------------------


def test_save_and_resubmit_keeps_the_edited_recommendation_and_sends_it_to_the_district(world, login, returned):
    response = login(world.agency_admin).post(
        reverse("selection:nomination_edit", args=[returned.pk]),
        {"statement": "十年社区服务，主持三个督导项目", "action": "submit"},
        follow=True,
    )
    n = refreshed(returned)
    assert (n.status, n.statement) == (S.DISTRICT_REVIEW, "十年社区服务，主持三个督导项目")
    assert zh("Changes saved and submitted for review.") in response.content.decode()


def test_save_alone_keeps_it_returned(world, login, returned):
    login(world.agency_admin).post(
        reverse("selection:nomination_edit", args=[returned.pk]), {"statement": "补充", "action": "save"}
    )
    assert (refreshed(returned).status, refreshed(returned).statement) == (S.RETURNED, "补充")


def test_a_refused_resubmission_still_keeps_the_edit_and_says_why(world, login, returned):
    discipline(returned.person)
    response = login(world.agency_admin).post(
        reverse("selection:nomination_edit", args=[returned.pk]),
        {"statement": "已补充材料", "action": "submit"},
        follow=True,
    )
    n = refreshed(returned)
    assert (n.status, n.statement) == (S.RETURNED, "已补充材料")
    prefix = zh("Changes saved, but not submitted: %(reason)s", reason="").strip()
    assert any(str(m).startswith(prefix) for m in response.context["messages"])


def test_the_returned_page_offers_one_form_that_saves_and_resubmits(world, login, returned):
    html = detail(login(world.agency_admin), returned).content.decode()
    assert zh("Save and resubmit for review") in html
    assert reverse("selection:nomination_submit", args=[returned.pk]) not in html


# --- evidence on every path ------------------------------------------------------------------


def test_a_returned_quota_nomination_takes_evidence_and_the_reviewer_sees_it(world, login, returned, media):
    client = login(world.agency_admin)
    assert 'data-testid="attach-evidence"' in detail(client, returned).content.decode()
    client.post(
        reverse("selection:nomination_evidence", args=[returned.pk]),
        {"file": SimpleUploadedFile("证书扫描件.pdf", PDF), "description": "证书"},
    )
    assert Evidence.objects.get(nomination=returned).original_name == "证书扫描件.pdf"
    client.post(reverse("selection:nomination_edit", args=[returned.pk]), {"statement": "骨干", "action": "submit"})
    assert "证书扫描件.pdf" in detail(login(world.district_admin), returned).content.decode()


# --- the reviewer's page -------------------------------------------------------------------


def test_the_reviewer_sees_the_nominee_profile_link_and_the_unit_quota(world, login, round_, staff):
    n = nominate(world, round_, staff[0])
    html = detail(login(world.district_admin), n).content.decode()
    assert reverse("directory:person_detail", args=[staff[0].pk]) in html
    assert "持证社工 15 人，可推荐 2 人，已推荐 1 人" in html


def test_the_expected_status_guard_is_hidden_without_a_label(world, login, round_, staff):
    n = nominate(world, round_, staff[0])
    html = detail(login(world.district_admin), n).content.decode()
    assert 'type="hidden" name="expected_status" value="district_review"' in html
    assert "Expected status" not in html
    assert 'for="id_expected_status"' not in html


# --- batch approval ------------------------------------------------------------------------


@pytest.fixture
def three(world, round_):
    """Three jinshui nominations awaiting district review (21 certified staff: quota 3)."""
    people = hire_many(world.agency, 20)
    return [nominate(world, round_, p) for p in people[:3]]


def selected(nominations):
    return [f"{n.pk}:{n.status}" for n in nominations]


def test_the_queue_offers_batch_approval_to_reviewers(world, login, three):
    html = login(world.district_admin).get(reverse("selection:queue")).content.decode()
    assert 'data-testid="select-all"' in html
    assert html.count('data-testid="select-row"') == 3
    assert 'data-confirm="' in html


def test_batch_approval_sends_each_to_the_city_and_audits_each(world, login, three):
    response = login(world.district_admin).post(
        reverse("selection:queue_approve"), {"selected": selected(three), "reason": "材料齐全"}, follow=True
    )
    assert [refreshed(n).status for n in three] == [S.CITY_REVIEW] * 3
    assert (
        AuditEntry.objects.filter(event="selection.nomination_status_changed", actor=world.district_admin).count() == 3
    )
    assert all(refreshed(n).transitions.last().reason == "材料齐全" for n in three)
    assert not list(response.context["object_list"])


def test_a_batch_reports_each_failure_and_keeps_the_others(world, login, three, erqi_nomination_factory):
    stale = three[1]
    services.review(actor=world.district_admin, nomination=stale, decision="return", reason="补充")
    other = erqi_nomination_factory()
    items = [*selected([three[0]]), f"{stale.pk}:{S.DISTRICT_REVIEW}", f"{other.pk}:{S.DISTRICT_REVIEW}"]
    response = login(world.district_admin).post(reverse("selection:queue_approve"), {"selected": items}, follow=True)
    assert refreshed(three[0]).status == S.CITY_REVIEW
    assert refreshed(stale).status == S.RETURNED
    assert refreshed(other).status == S.DISTRICT_REVIEW
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 2
    assert any(stale.person.name in e for e in errors)
    assert any(f"#{other.pk}" in e for e in errors)  # out of scope: not named


def test_an_empty_batch_changes_nothing_and_says_so(world, login, three):
    response = login(world.district_admin).post(reverse("selection:queue_approve"), {}, follow=True)
    assert zh("Select at least one nomination to approve.") in response.content.decode()
    assert [refreshed(n).status for n in three] == [S.DISTRICT_REVIEW] * 3


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "hrss"])
def test_roles_that_review_nothing_get_403_from_the_batch(world, login, three, persona):
    response = login(world.persona(persona)).post(reverse("selection:queue_approve"), {"selected": selected(three)})
    assert response.status_code == 403
    assert [refreshed(n).status for n in three] == [S.DISTRICT_REVIEW] * 3


def test_the_batch_api_reports_per_item(world, api, three, erqi_nomination_factory):
    other = erqi_nomination_factory()
    response = api(world.district_admin).post(
        "/api/v1/nominations/approve-batch/",
        {"nominations": [three[0].pk, three[1].pk, other.pk], "expected_status": S.DISTRICT_REVIEW},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["approved"], body["failed"]) == (2, 1)
    by_id = {r["id"]: r for r in body["results"]}
    assert by_id[three[0].pk]["ok"] and by_id[three[0].pk]["status"] == S.CITY_REVIEW
    assert not by_id[other.pk]["ok"] and by_id[other.pk]["status"] is None
    assert refreshed(other).status == S.DISTRICT_REVIEW


def test_the_batch_api_refuses_roles_that_review_nothing(world, api, three):
    response = api(world.agency_admin).post(
        "/api/v1/nominations/approve-batch/", {"nominations": [three[0].pk]}, format="json"
    )
    assert response.status_code == 403


@pytest.fixture
def erqi_nomination_factory(world, round_):
    def make():
        people = hire_many(world.erqi_agency, 7)
        return nominate(world, round_, people[0], org=world.erqi_agency, actor=world.outsider)

    return make


# --- the nominate page -------------------------------------------------------------------------


def test_the_nominate_page_lists_the_eligible_first_and_folds_the_rest_with_reasons(world, login, round_, staff):
    hire(world.agency, level="assistant", name="助理甲")
    response = login(world.agency_admin).get(reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]))
    html = response.content.decode()
    ready = {r["person"].name for r in response.context["ready"]}
    others = {r["person"].name for r in response.context["others"]}
    assert "督导甲" in ready and "助理甲" in others and "社工乙" in others
    table, folded = html.split('data-testid="ineligible-staff"')
    assert 'data-person="助理甲"' in folded and 'data-person="助理甲"' not in table
    assert "助理社会工作师" in folded  # the reason it fails
    assert 'data-filter-rows="[data-person]"' in html
    assert "row_filter.js" in html
