"""Selection pages and API, persona by persona: the right role gets the page
and the change really happens, a record outside the persona's scope is a 404,
a record the persona may see but not act on is a 403. List pages filter, sort,
page and export, and their query count does not grow with the rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.selection import services
from dudao.selection.models import Evidence, Nomination, Round, Trainee
from tests.conftest import ALL_PERSONAS
from tests.excel import xlsx_rows
from tests.factories import OrganizationFactory

from .helpers import PDF, hire, hire_many, make_round, nominate, refreshed, zh

S = Nomination.Status
READERS = {"city_admin", "district_admin", "erqi_admin", "association", "hrss", "finance"}


def every(value, **overrides):
    return {name: overrides.get(name, value) for name in ALL_PERSONAS}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def fifteen(world):
    """world.agency with 15 certified staff (quota 2); the 14 added ones."""
    return hire_many(world.agency, 14)


@pytest.fixture
def submitted(world, round_, fifteen):
    """One jinshui nomination awaiting district review."""
    return nominate(world, round_, fifteen[0])


@pytest.fixture
def erqi_nomination(world, round_):
    """One 二七区 nomination awaiting district review."""
    people = hire_many(world.erqi_agency, 7)
    return nominate(world, round_, people[0], org=world.erqi_agency, actor=world.outsider)


# --- rounds ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_signed_in_user_sees_the_round_list(world, login, round_, persona):
    response = login(world.persona(persona)).get(reverse("selection:round_list"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["object_list"]] == [round_.pk]
    assert response.context["can_create"] is (persona == "city_admin")


def test_the_round_list_sorts_and_exports(world, login, round_):
    older = make_round(world.city_admin, world.city, year=2025, snapshot=dt.date(2025, 9, 30))
    client = login(world.city_admin)
    assert [r.year for r in client.get(reverse("selection:round_list")).context["object_list"]] == [2026, 2025]
    assert [r.year for r in client.get(reverse("selection:round_list"), {"sort": "year"}).context["object_list"]] == [
        2025,
        2026,
    ]
    rows = xlsx_rows(client.get(reverse("selection:round_list"), {"export": "xlsx", "sort": "year"}))
    assert [r[0] for r in rows[1:]] == [2025, 2026]
    assert rows[1][1] == older.title


def test_anonymous_visitors_are_sent_to_sign_in(client, round_):
    for url in (
        reverse("selection:round_list"),
        reverse("selection:round_detail", args=[round_.pk]),
        reverse("selection:queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize(("persona", "status"), every(403, city_admin=200).items())
def test_only_the_city_admin_opens_the_round_form(world, login, persona, status):
    assert login(world.persona(persona)).get(reverse("selection:round_create")).status_code == status


def test_the_city_admin_opens_a_round_in_the_page(world, login):
    response = login(world.city_admin).post(
        reverse("selection:round_create"),
        {
            "year": "2027",
            "title": "2027年度推荐",
            "snapshot_date": "2027-03-31",
            "submission_deadline": "2027-04-30T17:00",
            "district_review_deadline": "2027-05-15T17:00",
            "city_review_deadline": "2027-05-31T17:00",
        },
    )
    created = Round.objects.get(year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("selection:round_detail", args=[created.pk])
    assert (created.jurisdiction, created.snapshot_date) == (world.city, dt.date(2027, 3, 31))
    assert timezone.localtime(created.submission_deadline).hour == 17


def test_a_round_with_deadlines_out_of_order_is_refused_in_the_page(world, login):
    response = login(world.city_admin).post(
        reverse("selection:round_create"),
        {
            "year": "2027",
            "title": "2027",
            "snapshot_date": "2027-03-31",
            "submission_deadline": "2027-05-30T17:00",
            "district_review_deadline": "2027-05-15T17:00",
            "city_review_deadline": "2027-05-31T17:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Round.objects.filter(year=2027).exists()


def test_the_agency_round_page_says_how_many_may_be_nominated(world, login, round_, fifteen):
    nominate(world, round_, fifteen[0])
    response = login(world.agency_admin).get(reverse("selection:round_detail", args=[round_.pk]))
    assert response.status_code == 200
    assert "持证社工 15 人，可推荐 2 人，已推荐 1 人" in response.content.decode()
    assert [a["organization"] for a in response.context["agencies"]] == [world.agency]
    assert response.context["summary"] == []
    assert reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]) in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_signed_in_user_opens_the_round_page_with_what_concerns_them(world, login, round_, fifteen, persona):
    response = login(world.persona(persona)).get(reverse("selection:round_detail", args=[round_.pk]))
    assert response.status_code == 200
    agencies = [a["organization"].pk for a in response.context["agencies"]]
    assert agencies == {"agency_admin": [world.agency.pk], "outsider": [world.erqi_agency.pk]}.get(persona, [])
    assert bool(response.context["summary"]) is (persona in READERS)
    assert response.context["is_city_admin"] is (persona == "city_admin")


def test_the_district_summary_counts_by_district_and_scope(world, login, round_, fifteen):
    nominate(world, round_, fifteen[0])
    hire_many(world.erqi_agency, 7)
    city = {
        r["district"]: r
        for r in login(world.city_admin).get(reverse("selection:round_detail", args=[round_.pk])).context["summary"]
    }
    assert (
        city["金水区"]["certified"],
        city["金水区"]["quota"],
        city["金水区"]["nominated"],
        city["金水区"]["pending"],
    ) == (15, 2, 1, 1)
    assert (city["二七区"]["certified"], city["二七区"]["quota"], city["二七区"]["nominated"]) == (7, 1, 0)
    district = login(world.district_admin).get(reverse("selection:round_detail", args=[round_.pk])).context["summary"]
    assert {r["district"] for r in district} == {"金水区"}


@pytest.mark.parametrize(("persona", "status"), every(403, **dict.fromkeys(READERS, 200)).items())
def test_the_summary_exports_for_jurisdiction_roles_only(world, login, round_, fifteen, persona, status):
    response = login(world.persona(persona)).get(reverse("selection:round_summary_export", args=[round_.pk]))
    assert response.status_code == status
    if status == 200:
        rows = xlsx_rows(response)
        assert rows[0][0] == zh("District")
        jinshui = [r for r in rows[1:] if r[0] == "金水区"]
        assert persona == "erqi_admin" or jinshui[0][2:4] == (15, 2)


def test_the_summary_of_a_missing_round_is_404(world, login):
    assert login(world.city_admin).get(reverse("selection:round_summary_export", args=[999])).status_code == 404


@pytest.mark.parametrize(("persona", "status"), every(403, city_admin=302).items())
def test_only_the_city_admin_closes_a_round(world, login, round_, persona, status):
    response = login(world.persona(persona)).post(
        reverse("selection:round_close", args=[round_.pk]), {"reason": "到期"}
    )
    assert response.status_code == status
    assert Round.objects.get(pk=round_.pk).is_closed is (status == 302)


def test_closing_twice_shows_a_message(world, login, round_):
    client = login(world.city_admin)
    client.post(reverse("selection:round_close", args=[round_.pk]))
    response = client.post(reverse("selection:round_close", args=[round_.pk]), follow=True)
    assert any(zh("The round is already closed.") in str(m) for m in response.context["messages"])


# --- the nominate page -----------------------------------------------------------

NOMINATE_STATUS = every(403, agency_admin=200, outsider=404, erqi_admin=404, trainer=404)


@pytest.mark.parametrize(("persona", "status"), NOMINATE_STATUS.items())
def test_only_the_agency_admin_opens_its_nominate_page(world, login, round_, persona, status):
    response = login(world.persona(persona)).get(reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]))
    assert response.status_code == status


def test_the_nominate_page_checks_each_staff_member_rule_by_rule(world, login, round_, fifteen):
    hire(world.agency, level="assistant", name="助理甲")
    response = login(world.agency_admin).get(reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]))
    html = response.content.decode()
    assert "持证社工 16 人，可推荐 2 人，已推荐 0 人" in html  # 15 + the assistant
    rows = {r["person"].name: r for r in response.context["rows"]}
    assert rows["督导甲"]["eligible"]
    assert not rows["社工乙"]["eligible"]
    assert not rows["助理甲"]["eligible"]
    failed = [r for r in rows["助理甲"]["results"] if not r.passed]
    assert [r.code for r in failed] == ["certificate"]
    assert failed[0].detail in html
    assert "助理社会工作师" in failed[0].detail


def test_nominating_and_submitting_from_the_page_sends_it_to_the_district(world, login, round_, fifteen):
    person = fifteen[0]
    response = login(world.agency_admin).post(
        reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]),
        {"person": person.pk, "statement": "骨干社工", "action": "submit"},
    )
    n = Nomination.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("selection:nomination_detail", args=[n.pk])
    assert (n.status, n.statement) == (S.DISTRICT_REVIEW, "骨干社工")


def test_saving_a_draft_from_the_page_keeps_it_a_draft(world, login, round_, fifteen):
    login(world.agency_admin).post(
        reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]),
        {"person": fifteen[0].pk, "action": "draft"},
    )
    assert Nomination.objects.get(person=fifteen[0]).status == S.DRAFT


def test_the_page_refuses_a_third_nomination_with_the_quota_message(world, login, round_, fifteen):
    client = login(world.agency_admin)
    url = reverse("selection:round_nominate", args=[round_.pk, world.agency.pk])
    for person in fifteen[:2]:
        client.post(url, {"person": person.pk, "action": "submit"})
    response = client.post(url, {"person": fifteen[2].pk, "action": "submit"}, follow=True)
    texts = " ".join(str(m) for m in response.context["messages"])
    assert "持证社工 15 人" in texts
    assert "可推荐 2 人" in texts
    assert "已推荐 2 人" in texts
    assert Nomination.objects.filter(status=S.DISTRICT_REVIEW).count() == 2
    assert Nomination.objects.get(person=fifteen[2]).status == S.DRAFT
    assert "持证社工 15 人，可推荐 2 人，已推荐 2 人" in response.content.decode()


def test_the_page_refuses_an_ineligible_person_with_the_reasons(world, login, round_, fifteen):
    response = login(world.agency_admin).post(
        reverse("selection:round_nominate", args=[round_.pk, world.agency.pk]),
        {"person": world.social_worker_person.pk, "action": "submit"},
        follow=True,
    )
    texts = " ".join(str(m) for m in response.context["messages"])
    assert "社工乙" in texts
    assert Nomination.objects.get(person=world.social_worker_person).status == S.DRAFT


def test_nominating_someone_else_staff_from_the_page_is_404(world, login, round_, fifteen):
    stranger = hire(world.erqi_agency)
    client = login(world.agency_admin)
    url = reverse("selection:round_nominate", args=[round_.pk, world.agency.pk])
    assert client.post(url, {"person": stranger.pk, "action": "submit"}).status_code == 404
    assert client.post(url, {"person": "not-a-number", "action": "submit"}).status_code == 404
    assert client.post(url, {"action": "submit"}).status_code == 404
    assert not Nomination.objects.exists()


# --- direct entry ----------------------------------------------------------------

DIRECT_STATUS = every(403, agency_admin=200, outsider=200, district_admin=200, erqi_admin=200)


@pytest.mark.parametrize(("persona", "status"), DIRECT_STATUS.items())
def test_only_units_and_districts_open_the_direct_entry_form(world, login, round_, persona, status):
    assert login(world.persona(persona)).get(reverse("selection:direct_create", args=[round_.pk])).status_code == status


def test_the_agency_recommends_for_direct_entry_attaches_evidence_and_submits(world, login, round_, fifteen, media):
    doctor = fifteen[0]
    client = login(world.agency_admin)
    response = client.post(
        reverse("selection:direct_create", args=[round_.pk]),
        {"person_id_number": doctor.id_number.lower(), "category": "high_level_talent", "statement": "博士"},
    )
    n = Nomination.objects.get(person=doctor)
    assert response.status_code == 302
    assert (n.path, n.category, n.status) == (Nomination.Path.DIRECT, "high_level_talent", S.DRAFT)
    page = client.get(reverse("selection:nomination_detail", args=[n.pk]))
    assert not page.context["eligible"]
    fake = client.post(
        reverse("selection:nomination_evidence", args=[n.pk]),
        {"file": SimpleUploadedFile("假.pdf", b"plain text"), "description": ""},
        follow=True,
    )
    assert any(zh("Evidence must be a PDF, PNG or JPEG file.") in str(m) for m in fake.context["messages"])
    client.post(
        reverse("selection:nomination_evidence", args=[n.pk]),
        {"file": SimpleUploadedFile("博士学位.pdf", PDF), "description": "学位"},
    )
    assert Evidence.objects.get(nomination=n).original_name == "博士学位.pdf"
    client.post(reverse("selection:nomination_submit", args=[n.pk]))
    assert refreshed(n).status == S.CITY_REVIEW


def test_an_unknown_id_number_in_the_direct_form_is_a_field_error(world, login, round_):
    response = login(world.agency_admin).post(
        reverse("selection:direct_create", args=[round_.pk]),
        {"person_id_number": "410105199001019999", "category": "high_level_talent"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["person_id_number"]
    assert not Nomination.objects.exists()


def test_a_district_admin_choosing_a_category_it_may_not_recommend_gets_a_form_error(world, login, round_, fifteen):
    response = login(world.district_admin).post(
        reverse("selection:direct_create", args=[round_.pk]),
        {"person_id_number": fifteen[0].id_number, "category": "high_level_talent"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Nomination.objects.exists()


# --- nomination pages ------------------------------------------------------------

DETAIL_STATUS = every(404, city_admin=200, district_admin=200, agency_admin=200, association=200, hrss=200, finance=200)


@pytest.mark.parametrize(("persona", "status"), DETAIL_STATUS.items())
def test_a_submitted_nomination_page_opens_for_those_in_scope_only(world, login, submitted, persona, status):
    response = login(world.persona(persona)).get(reverse("selection:nomination_detail", args=[submitted.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["nomination"] == submitted
        assert [t.to_status for t in response.context["timeline"]] == [S.DRAFT, S.DISTRICT_REVIEW]
        assert (response.context["review_form"] is not None) is (persona == "district_admin")
        assert response.context["can_withdraw"] is (persona == "agency_admin")


def test_a_jinshui_district_admin_opening_an_erqi_nomination_gets_404_in_page_and_api(
    world, login, api, erqi_nomination
):
    assert (
        login(world.district_admin).get(reverse("selection:nomination_detail", args=[erqi_nomination.pk])).status_code
        == 404
    )
    assert api(world.district_admin).get(f"/api/v1/nominations/{erqi_nomination.pk}/").status_code == 404
    assert (
        login(world.erqi_admin).get(reverse("selection:nomination_detail", args=[erqi_nomination.pk])).status_code
        == 200
    )
    assert api(world.erqi_admin).get(f"/api/v1/nominations/{erqi_nomination.pk}/").status_code == 200


def test_a_draft_is_seen_by_its_agency_only(world, login, round_, fifteen):
    draft = nominate(world, round_, fifteen[0], submit=False)
    for persona, status in every(404, agency_admin=200).items():
        assert (
            login(world.persona(persona)).get(reverse("selection:nomination_detail", args=[draft.pk])).status_code
            == status
        ), persona


def test_the_nominee_sees_their_own_submitted_nomination(world, login, round_):
    hire_many(world.agency, 6)
    n = nominate(world, round_, world.supervisor_person)
    assert login(world.supervisor).get(reverse("selection:nomination_detail", args=[n.pk])).status_code == 200
    assert login(world.social_worker).get(reverse("selection:nomination_detail", args=[n.pk])).status_code == 404


SUBMIT_STATUS = every(404, agency_admin=302)


@pytest.mark.parametrize(("persona", "status"), SUBMIT_STATUS.items())
def test_only_the_agency_submits_its_draft(world, login, round_, fifteen, persona, status):
    draft = nominate(world, round_, fifteen[0], submit=False)
    assert (
        login(world.persona(persona)).post(reverse("selection:nomination_submit", args=[draft.pk])).status_code
        == status
    )
    assert refreshed(draft).status == (S.DISTRICT_REVIEW if status == 302 else S.DRAFT)


@pytest.mark.parametrize(("persona", "status"), every(404, agency_admin=302).items())
def test_only_the_agency_edits_its_draft(world, login, round_, fifteen, persona, status):
    draft = nominate(world, round_, fifteen[0], submit=False)
    response = login(world.persona(persona)).post(
        reverse("selection:nomination_edit", args=[draft.pk]), {"statement": "新理由"}
    )
    assert response.status_code == status
    assert (refreshed(draft).statement == "新理由") is (status == 302)


WITHDRAW_STATUS = every(
    403, agency_admin=302, erqi_admin=404, outsider=404, supervisor=404, social_worker=404, trainer=404
)


@pytest.mark.parametrize(("persona", "status"), WITHDRAW_STATUS.items())
def test_only_the_agency_withdraws_its_nomination(world, login, submitted, persona, status):
    response = login(world.persona(persona)).post(
        reverse("selection:nomination_withdraw", args=[submitted.pk]), {"reason": "本人放弃"}
    )
    assert response.status_code == status
    assert refreshed(submitted).status == (S.WITHDRAWN if status == 302 else S.DISTRICT_REVIEW)


REVIEW_STATUS = every(
    403, district_admin=302, erqi_admin=404, outsider=404, supervisor=404, social_worker=404, trainer=404
)


@pytest.mark.parametrize(("persona", "status"), REVIEW_STATUS.items())
def test_only_the_district_admin_reviews_at_the_district_stage(world, login, submitted, persona, status):
    response = login(world.persona(persona)).post(
        reverse("selection:nomination_review", args=[submitted.pk]),
        {"decision": "approve", "reason": "", "expected_status": S.DISTRICT_REVIEW},
    )
    assert response.status_code == status
    assert refreshed(submitted).status == (S.CITY_REVIEW if status == 302 else S.DISTRICT_REVIEW)


def test_returning_without_a_reason_in_the_page_shows_why_and_changes_nothing(world, login, submitted):
    response = login(world.district_admin).post(
        reverse("selection:nomination_review", args=[submitted.pk]),
        {"decision": "return", "reason": "", "expected_status": S.DISTRICT_REVIEW},
        follow=True,
    )
    assert any(zh("Give a reason when returning or rejecting.") in str(m) for m in response.context["messages"])
    assert refreshed(submitted).status == S.DISTRICT_REVIEW


def test_a_review_post_without_the_form_fields_is_answered_with_a_message(world, login, submitted):
    response = login(world.district_admin).post(
        reverse("selection:nomination_review", args=[submitted.pk]), {}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert refreshed(submitted).status == S.DISTRICT_REVIEW


def test_the_city_reviews_in_the_page_after_the_district(world, login, submitted):
    services.review(actor=world.district_admin, nomination=submitted, decision="approve")
    client = login(world.city_admin)
    page = client.get(reverse("selection:nomination_detail", args=[submitted.pk]))
    assert page.context["review_form"] is not None
    assert page.context["review_form"].initial["expected_status"] == S.CITY_REVIEW
    client.post(
        reverse("selection:nomination_review", args=[submitted.pk]),
        {"decision": "approve", "reason": "", "expected_status": S.CITY_REVIEW},
    )
    assert refreshed(submitted).status == S.APPROVED
    assert Trainee.objects.get().nomination == submitted


@pytest.fixture
def direct_submitted(world, round_, fifteen, media):
    n = nominate(world, round_, fifteen[1], submit=False, path=Nomination.Path.DIRECT, category="district_selected")
    evidence = services.add_evidence(
        actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("区级评选.pdf", PDF)
    )
    services.submit(actor=world.agency_admin, nomination=n)
    return n, evidence


EVIDENCE_STATUS = every(
    404, city_admin=200, district_admin=200, agency_admin=200, association=200, hrss=200, finance=200
)


@pytest.mark.parametrize(("persona", "status"), EVIDENCE_STATUS.items())
def test_evidence_downloads_for_those_who_see_the_nomination(world, login, direct_submitted, persona, status):
    n, evidence = direct_submitted
    response = login(world.persona(persona)).get(reverse("selection:evidence_download", args=[n.pk, evidence.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


def test_evidence_of_another_nomination_is_404(world, login, direct_submitted, submitted):
    _n, evidence = direct_submitted
    assert (
        login(world.agency_admin)
        .get(reverse("selection:evidence_download", args=[submitted.pk, evidence.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize(("persona", "status"), every(404, agency_admin=302).items())
def test_only_the_agency_attaches_evidence(world, login, round_, fifteen, media, persona, status):
    n = nominate(world, round_, fifteen[1], submit=False, path=Nomination.Path.DIRECT, category="high_level_talent")
    response = login(world.persona(persona)).post(
        reverse("selection:nomination_evidence", args=[n.pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF), "description": ""},
    )
    assert response.status_code == status
    assert Evidence.objects.filter(nomination=n).count() == (1 if status == 302 else 0)


def test_get_on_an_action_url_is_not_allowed(world, login, submitted):
    for name in (
        "nomination_submit",
        "nomination_review",
        "nomination_withdraw",
        "nomination_edit",
        "nomination_evidence",
    ):
        assert login(world.agency_admin).get(reverse(f"selection:{name}", args=[submitted.pk])).status_code == 405


# --- lists -----------------------------------------------------------------------


def bulk(world, round_, count, *, status=S.DISTRICT_REVIEW, org=None, prefix="批量", start=0):
    """Nominations written straight to the table: the list pages only read them."""
    org = org or world.agency
    made = []
    for i in range(count):
        person = hire(org, name=f"{prefix}{start + i:02d}")
        made.append(
            Nomination.objects.create(
                round=round_,
                person=person,
                organization=org,
                path=Nomination.Path.QUOTA,
                status=status,
                submitted_at=timezone.now(),
            )
        )
    return made


LIST_COUNTS = {
    "city_admin": 4,
    "district_admin": 3,
    "erqi_admin": 1,
    "agency_admin": 4,
    "outsider": 1,
    "association": 4,
    "hrss": 4,
    "finance": 4,
    "supervisor": 0,
    "social_worker": 0,
    "trainer": 0,
}


@pytest.mark.parametrize(("persona", "count"), LIST_COUNTS.items())
def test_the_nomination_list_shows_each_persona_its_scope(world, login, round_, persona, count):
    bulk(world, round_, 3)
    bulk(world, round_, 1, status=S.DRAFT, prefix="草稿")
    bulk(world, round_, 1, org=world.erqi_agency, prefix="二七")
    response = login(world.persona(persona)).get(reverse("selection:nomination_list"))
    assert response.status_code == 200
    names = [n.person.name for n in response.context["object_list"]]
    assert len(names) == count
    assert ("草稿00" in names) is (persona == "agency_admin")
    assert ("二七00" in names) is (
        persona in {"city_admin", "erqi_admin", "outsider", "association", "hrss", "finance"}
    )


def test_the_nomination_list_filters_sorts_pages_and_exports(world, login, round_):
    bulk(world, round_, 28, prefix="甲")
    bulk(world, round_, 2, status=S.CITY_REVIEW, prefix="甲", start=28)
    bulk(world, round_, 1, org=world.erqi_agency, prefix="甲", start=30)
    client = login(world.city_admin)
    url = reverse("selection:nomination_list")
    first = client.get(url, {"sort": "name"})
    assert first.context["page_obj"].total.value == 31
    assert [n.person.name for n in first.context["object_list"]] == [f"甲{i:02d}" for i in range(25)]
    second = client.get(url, {"sort": "name", "page": 2})
    assert [n.person.name for n in second.context["object_list"]] == [f"甲{i:02d}" for i in range(25, 31)]
    assert [
        n.person.name for n in client.get(url, {"status": S.CITY_REVIEW, "sort": "-name"}).context["object_list"]
    ] == ["甲29", "甲28"]
    assert [n.person.name for n in client.get(url, {"jurisdiction": world.erqi.pk}).context["object_list"]] == ["甲30"]
    assert [n.person.name for n in client.get(url, {"organization": world.erqi_agency.pk}).context["object_list"]] == [
        "甲30"
    ]
    assert [n.person.name for n in client.get(url, {"q": "甲29"}).context["object_list"]] == ["甲29"]
    assert client.get(url, {"round": round_.pk}).context["page_obj"].total.value == 31
    assert client.get(url, {"path": "direct"}).context["page_obj"].total.value == 0
    rows = xlsx_rows(client.get(url, {"status": S.CITY_REVIEW, "sort": "name", "export": "xlsx"}))
    assert rows[0][:2] == (zh("Round"), zh("Nominee"))
    assert [r[1] for r in rows[1:]] == ["甲28", "甲29"]
    assert rows[1][3] == world.agency.name
    assert rows[1][7] == zh("Awaiting city review")
    partial = client.get(url, {"status": S.CITY_REVIEW}, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "selection/_nomination_table.html"


def test_the_nomination_filter_offers_only_organisations_in_scope(world, login, round_):
    response = login(world.district_admin).get(reverse("selection:nomination_list"))
    choices = set(response.context["filter"].form.fields["organization"].queryset)
    assert world.agency in choices
    assert world.erqi_agency not in choices
    filtered = login(world.district_admin).get(
        reverse("selection:nomination_list"), {"organization": world.erqi_agency.pk}
    )
    assert list(filtered.context["object_list"]) == []


@pytest.mark.parametrize(
    ("persona", "status", "stages"),
    [
        ("city_admin", 200, {S.CITY_REVIEW}),
        ("district_admin", 200, {S.DISTRICT_REVIEW}),
        ("erqi_admin", 200, set()),
        *[(p, 403, None) for p in ALL_PERSONAS if p not in {"city_admin", "district_admin", "erqi_admin"}],
    ],
)
def test_the_review_queue_holds_what_the_reviewer_must_decide(world, login, round_, persona, status, stages):
    bulk(world, round_, 2)
    bulk(world, round_, 1, status=S.CITY_REVIEW, prefix="市")
    bulk(world, round_, 1, status=S.APPROVED, prefix="批")
    bulk(world, round_, 1, status=S.RETURNED, prefix="退")
    response = login(world.persona(persona)).get(reverse("selection:queue"))
    assert response.status_code == status
    if status == 200:
        assert {n.status for n in response.context["object_list"]} == stages
        assert response.context["queue"] is True


def test_the_queue_exports_only_the_queue(world, login, round_):
    bulk(world, round_, 2)
    bulk(world, round_, 1, status=S.CITY_REVIEW, prefix="市")
    rows = xlsx_rows(login(world.district_admin).get(reverse("selection:queue"), {"export": "xlsx"}))
    assert sorted(r[1] for r in rows[1:]) == ["批量00", "批量01"]


def approve_all(world, round_, nominations):
    for n in nominations:
        n.status = S.APPROVED
        n.save()
        Trainee.objects.create(round=round_, person=n.person, nomination=n)


TRAINEE_COUNTS = {
    "city_admin": 3,
    "district_admin": 2,
    "erqi_admin": 1,
    "agency_admin": 2,
    "outsider": 1,
    "association": 3,
    "hrss": 3,
    "finance": 3,
    "supervisor": 0,
    "social_worker": 0,
    "trainer": 0,
}


@pytest.mark.parametrize(("persona", "count"), TRAINEE_COUNTS.items())
def test_the_trainee_list_shows_each_persona_its_scope(world, login, round_, persona, count):
    approve_all(world, round_, bulk(world, round_, 2) + bulk(world, round_, 1, org=world.erqi_agency, prefix="二七"))
    response = login(world.persona(persona)).get(reverse("selection:trainee_list"))
    assert response.status_code == 200
    assert len(response.context["object_list"]) == count


def test_the_trainee_list_filters_sorts_and_exports(world, login, round_):
    approve_all(world, round_, bulk(world, round_, 3) + bulk(world, round_, 1, org=world.erqi_agency, prefix="二七"))
    client = login(world.city_admin)
    url = reverse("selection:trainee_list")
    assert [
        t.person.name
        for t in client.get(url, {"jurisdiction": world.jinshui.pk, "sort": "-name"}).context["object_list"]
    ] == ["批量02", "批量01", "批量00"]
    assert [t.person.name for t in client.get(url, {"jurisdiction": world.erqi.pk}).context["object_list"]] == [
        "二七00"
    ]
    assert [t.person.name for t in client.get(url, {"q": "批量01"}).context["object_list"]] == ["批量01"]
    assert client.get(url, {"round": round_.pk, "path": "quota"}).context["page_obj"].total.value == 4
    rows = xlsx_rows(client.get(url, {"jurisdiction": world.jinshui.pk, "sort": "name", "export": "xlsx"}))
    assert [r[1] for r in rows[1:]] == ["批量00", "批量01", "批量02"]


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page", ["selection:nomination_list", "selection:queue", "selection:trainee_list", "selection:round_list"]
)
@pytest.mark.parametrize("persona", ["city_admin", "district_admin"])
def test_list_pages_use_the_same_number_of_queries_for_3_or_15_rows(world, login, round_, page, persona):
    client = login(world.persona(persona))
    status = S.DISTRICT_REVIEW if persona == "district_admin" else S.CITY_REVIEW
    other = OrganizationFactory(jurisdiction=world.jinshui)
    few = bulk(world, round_, 3, status=status, prefix="少")
    approve_all(world, round_, bulk(world, round_, 1, prefix="甲"))
    client.get(reverse(page))  # warm caches (content types, sessions)
    small = queries(client, reverse(page))
    small_export = queries(client, reverse(page), {"export": "xlsx"})
    bulk(world, round_, 12, status=status, org=other, prefix="多")
    approve_all(world, round_, bulk(world, round_, 12, org=other, prefix="乙"))
    make_round(world.city_admin, world.city, year=2025, snapshot=dt.date(2025, 9, 30))
    assert few
    assert queries(client, reverse(page)) == small
    assert queries(client, reverse(page), {"export": "xlsx"}) == small_export


def test_the_round_page_uses_the_same_number_of_queries_for_few_or_many_agencies(world, login, round_):
    client = login(world.city_admin)
    hire_many(world.agency, 3)
    client.get(reverse("selection:round_detail", args=[round_.pk]))
    small = queries(client, reverse("selection:round_detail", args=[round_.pk]))
    for district in (world.jinshui, world.erqi):
        for _ in range(4):
            hire_many(OrganizationFactory(jurisdiction=district), 2)
    assert queries(client, reverse("selection:round_detail", args=[round_.pk])) == small


# --- API -------------------------------------------------------------------------


def round_payload(**overrides):
    now = timezone.now()
    payload = {
        "jurisdiction": "410100",
        "year": 2027,
        "title": "2027年度推荐",
        "snapshot_date": now.date().isoformat(),
        "submission_deadline": (now + dt.timedelta(days=10)).isoformat(),
        "district_review_deadline": (now + dt.timedelta(days=20)).isoformat(),
        "city_review_deadline": (now + dt.timedelta(days=30)).isoformat(),
    }
    return {**payload, **overrides}


def test_the_api_lists_and_reads_rounds_for_everyone(world, api, round_):
    body = api(world.social_worker).get("/api/v1/rounds/").json()
    assert [r["id"] for r in body["results"]] == [round_.pk]
    one = api(world.trainer).get(f"/api/v1/rounds/{round_.pk}/").json()
    assert (one["year"], one["jurisdiction"], one["accepts_submissions"], one["closed_at"]) == (
        2026,
        "410100",
        True,
        None,
    )
    assert api().get("/api/v1/rounds/").status_code in (401, 403)


@pytest.mark.parametrize(("persona", "status"), every(403, city_admin=201).items())
def test_only_the_city_admin_creates_a_round_through_the_api(world, api, persona, status):
    response = api(world.persona(persona)).post("/api/v1/rounds/", round_payload(), format="json")
    assert response.status_code == status
    assert Round.objects.filter(year=2027).exists() is (status == 201)
    if status == 201:
        assert response.json()["title"] == "2027年度推荐"


def test_a_round_with_bad_dates_or_a_repeated_year_is_400(world, api, round_):
    client = api(world.city_admin)
    now = timezone.now()
    bad = client.post(
        "/api/v1/rounds/", round_payload(city_review_deadline=(now + dt.timedelta(days=1)).isoformat()), format="json"
    )
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()
    again = client.post("/api/v1/rounds/", round_payload(year=2026), format="json")
    assert again.status_code == 400
    assert "year" in again.json()


def test_the_api_closes_a_round_for_the_city_only(world, api, round_):
    assert (
        api(world.district_admin).post(f"/api/v1/rounds/{round_.pk}/close/", {"reason": "x"}, format="json").status_code
        == 403
    )
    response = api(world.city_admin).post(f"/api/v1/rounds/{round_.pk}/close/", {"reason": "到期"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None
    assert response.json()["accepts_submissions"] is False
    assert api(world.city_admin).post(f"/api/v1/rounds/{round_.pk}/close/", {}, format="json").status_code == 400


def test_the_quota_action_reports_each_unit(world, api, round_, fifteen):
    nominate(world, round_, fifteen[0])
    mine = api(world.agency_admin).get(f"/api/v1/rounds/{round_.pk}/quota/")
    assert mine.status_code == 200
    assert mine.json() == [
        {"organization": world.agency.pk, "certified": 15, "ratio": 7, "quota": 2, "used": 1, "remaining": 1}
    ]
    district = api(world.district_admin).get(f"/api/v1/rounds/{round_.pk}/quota/", {"organization": world.agency.pk})
    assert district.json()[0]["quota"] == 2
    assert (
        api(world.erqi_admin).get(f"/api/v1/rounds/{round_.pk}/quota/", {"organization": world.agency.pk}).status_code
        == 404
    )
    assert api(world.hrss).get(f"/api/v1/rounds/{round_.pk}/quota/").json() == []


def test_the_summary_action_is_for_jurisdiction_roles(world, api, round_, fifteen):
    body = api(world.city_admin).get(f"/api/v1/rounds/{round_.pk}/summary/").json()
    jinshui = next(r for r in body if r["district"] == "金水区")
    assert (jinshui["certified"], jinshui["quota"]) == (15, 2)
    assert api(world.agency_admin).get(f"/api/v1/rounds/{round_.pk}/summary/").status_code == 403


def test_the_eligibility_preview_checks_a_person_without_nominating(world, api, round_, fifteen):
    client = api(world.agency_admin)
    good = client.get(f"/api/v1/rounds/{round_.pk}/eligibility/", {"person": fifteen[0].pk})
    assert good.status_code == 200
    assert [r["code"] for r in good.json()] == [
        "employer",
        "employed_on_snapshot",
        "certificate",
        "frontline_years",
        "discipline",
    ]
    assert all(r["passed"] for r in good.json())
    bad = client.get(f"/api/v1/rounds/{round_.pk}/eligibility/", {"person": world.social_worker_person.pk}).json()
    assert [r["code"] for r in bad if not r["passed"]] == ["certificate"]
    direct = client.get(
        f"/api/v1/rounds/{round_.pk}/eligibility/",
        {"person": fifteen[0].pk, "path": "direct", "category": "high_level_talent"},
    ).json()
    assert [r["code"] for r in direct if not r["passed"]] == ["evidence"]
    assert client.get(f"/api/v1/rounds/{round_.pk}/eligibility/", {"person": "x"}).status_code == 400
    assert client.get(f"/api/v1/rounds/{round_.pk}/eligibility/").status_code == 400
    assert (
        api(world.erqi_admin).get(f"/api/v1/rounds/{round_.pk}/eligibility/", {"person": fifteen[0].pk}).status_code
        == 404
    )
    assert not Nomination.objects.exists()


def test_the_api_creates_a_draft_and_submits_it(world, api, round_, fifteen):
    client = api(world.agency_admin)
    draft = client.post(
        "/api/v1/nominations/", {"round": round_.pk, "person": fifteen[0].pk, "statement": "骨干"}, format="json"
    )
    assert draft.status_code == 201
    body = draft.json()
    assert (body["status"], body["path"], body["organization"], body["person_name"]) == (
        S.DRAFT,
        "quota",
        world.agency.pk,
        fifteen[0].name,
    )
    assert [t["to_status"] for t in body["transitions"]] == [S.DRAFT]
    submitted = client.post(f"/api/v1/nominations/{body['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == S.DISTRICT_REVIEW
    assert {r["code"] for r in submitted.json()["eligibility"]} >= {"certificate", "frontline_years"}
    at_once = client.post(
        "/api/v1/nominations/", {"round": round_.pk, "person": fifteen[1].pk, "submit": True}, format="json"
    )
    assert at_once.json()["status"] == S.DISTRICT_REVIEW


def test_the_api_refuses_a_submission_over_the_quota_with_the_message(world, api, round_, fifteen):
    client = api(world.agency_admin)
    for person in fifteen[:2]:
        assert (
            client.post(
                "/api/v1/nominations/", {"round": round_.pk, "person": person.pk, "submit": True}, format="json"
            ).status_code
            == 201
        )
    refused = client.post(
        "/api/v1/nominations/", {"round": round_.pk, "person": fifteen[2].pk, "submit": True}, format="json"
    )
    assert refused.status_code == 400
    message = refused.json()["non_field_errors"][0]
    assert "可推荐 2 人" in message
    assert "已推荐 2 人" in message
    assert Nomination.objects.filter(status=S.DISTRICT_REVIEW).count() == 2


def test_the_api_refuses_nominating_outside_the_unit(world, api, round_, fifteen):
    assert (
        api(world.outsider)
        .post("/api/v1/nominations/", {"round": round_.pk, "person": fifteen[0].pk}, format="json")
        .status_code
        == 404
    )
    assert (
        api(world.hrss)
        .post("/api/v1/nominations/", {"round": round_.pk, "person": fifteen[0].pk}, format="json")
        .status_code
        == 403
    )
    assert not Nomination.objects.exists()


def test_the_api_edits_a_draft_and_refuses_editing_a_submitted_one(world, api, round_, fifteen):
    client = api(world.agency_admin)
    draft = nominate(world, round_, fifteen[0], submit=False)
    response = client.patch(f"/api/v1/nominations/{draft.pk}/", {"statement": "补充理由"}, format="json")
    assert response.status_code == 200
    assert response.json()["statement"] == "补充理由"
    services.submit(actor=world.agency_admin, nomination=draft)
    assert client.patch(f"/api/v1/nominations/{draft.pk}/", {"statement": "再改"}, format="json").status_code == 400


def test_the_api_runs_both_reviews_to_a_trainee(world, api, submitted):
    url = f"/api/v1/nominations/{submitted.pk}/review/"
    assert api(world.erqi_admin).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert api(world.city_admin).post(url, {"decision": "approve"}, format="json").status_code == 403
    no_reason = api(world.district_admin).post(url, {"decision": "return"}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert api(world.district_admin).post(url, {"decision": "maybe"}, format="json").status_code == 400
    district = api(world.district_admin).post(
        url, {"decision": "approve", "expected_status": S.DISTRICT_REVIEW}, format="json"
    )
    assert district.status_code == 200
    assert district.json()["status"] == S.CITY_REVIEW
    stale = api(world.district_admin).post(
        url, {"decision": "reject", "reason": "x", "expected_status": S.DISTRICT_REVIEW}, format="json"
    )
    assert stale.status_code == 400
    assert "已由" in stale.json()["non_field_errors"][0]
    city = api(world.city_admin).post(url, {"decision": "approve", "reason": "同意"}, format="json")
    assert city.json()["status"] == S.APPROVED
    assert [t["actor"] for t in city.json()["transitions"]] == [
        "agency_admin",
        "agency_admin",
        "jinshui_admin",
        "city_admin",
    ]
    trainees = api(world.agency_admin).get("/api/v1/trainees/").json()["results"]
    assert [(t["person"], t["organization"], t["path"], t["nomination"]) for t in trainees] == [
        (submitted.person_id, world.agency.pk, "quota", submitted.pk)
    ]
    assert api(world.erqi_admin).get("/api/v1/trainees/").json()["results"] == []


def test_the_api_withdraws_a_nomination_for_its_unit_only(world, api, submitted):
    assert (
        api(world.district_admin).post(f"/api/v1/nominations/{submitted.pk}/withdraw/", {}, format="json").status_code
        == 403
    )
    response = api(world.agency_admin).post(
        f"/api/v1/nominations/{submitted.pk}/withdraw/", {"reason": "放弃"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == S.WITHDRAWN
    assert response.json()["transitions"][-1]["reason"] == "放弃"
    assert (
        api(world.agency_admin).post(f"/api/v1/nominations/{submitted.pk}/withdraw/", {}, format="json").status_code
        == 400
    )


def test_the_api_takes_evidence_and_refuses_a_disguised_file(world, api, round_, fifteen, media):
    n = nominate(world, round_, fifteen[0], submit=False, path=Nomination.Path.DIRECT, category="high_level_talent")
    client = api(world.agency_admin)
    url = f"/api/v1/nominations/{n.pk}/evidence/"
    ok = client.post(url, {"file": SimpleUploadedFile("学位.pdf", PDF), "description": "学位证"}, format="multipart")
    assert ok.status_code == 201
    assert ok.json()["name"] == "学位.pdf"
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf")}, format="multipart").status_code == 400
    assert client.post(url, {"description": "没有文件"}, format="multipart").status_code == 400
    assert (
        api(world.outsider).post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart").status_code == 404
    )
    assert Evidence.objects.filter(nomination=n).count() == 1
    submitted = client.post(f"/api/v1/nominations/{n.pk}/submit/")
    assert submitted.json()["status"] == S.CITY_REVIEW


def test_the_api_nomination_list_is_scoped_and_filtered(world, api, round_, erqi_nomination, submitted):
    def ids(user, **params):
        return [n["id"] for n in api(user).get("/api/v1/nominations/", params).json()["results"]]

    assert ids(world.district_admin) == [submitted.pk]
    assert ids(world.erqi_admin) == [erqi_nomination.pk]
    assert sorted(ids(world.city_admin)) == sorted([submitted.pk, erqi_nomination.pk])
    assert ids(world.city_admin, jurisdiction=world.erqi.pk) == [erqi_nomination.pk]
    assert ids(world.city_admin, status=S.CITY_REVIEW) == []
    assert ids(world.supervisor) == []
