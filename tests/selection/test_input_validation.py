"""What selection accepts (issue 8, items 2 and 11): no control or invisible
characters in titles, statements, reasons and file names; a round's year and
dates within what can be true. Through the API, the pages and the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dudao.selection import services
from dudao.selection.models import Evidence, Nomination, Round

from .helpers import PDF, hire_many, nominate


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(world, round_):
    return nominate(world, round_, hire_many(world.agency, 7)[0], submit=False, statement="原推荐理由")


def round_body(world, **overrides):
    now = timezone.now()
    body = {
        "jurisdiction": world.city.code,
        "year": 2027,
        "title": "2027年度推荐",
        "snapshot_date": (now + dt.timedelta(days=10)).date().isoformat(),
        "submission_deadline": (now + dt.timedelta(days=30)).isoformat(),
        "district_review_deadline": (now + dt.timedelta(days=45)).isoformat(),
        "city_review_deadline": (now + dt.timedelta(days=60)).isoformat(),
    }
    return body | overrides


def test_a_sane_round_is_accepted(world, api):
    assert api(world.city_admin).post("/api/v1/rounds/", round_body(world), format="json").status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", 99999999999),
        ("year", 30000),
        ("year", 2017),
        ("title", "2027\x01年度"),
        ("title", "2027\u202e年度"),
        ("snapshot_date", "0001-01-01"),
        ("snapshot_date", "1900-01-01"),
        ("city_review_deadline", "9999-12-31T23:59:00+08:00"),
    ],
)
def test_an_absurd_round_is_refused_by_the_api(world, api, field, value):
    response = api(world.city_admin).post("/api/v1/rounds/", round_body(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert not Round.objects.filter(year=2027).exists()


def test_the_service_refuses_a_round_year_of_99999999999(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.open_round(
            actor=world.city_admin,
            jurisdiction=world.city,
            year=99999999999,
            title="x",
            snapshot_date=dt.date(2026, 9, 30),
            submission_deadline=now + dt.timedelta(days=1),
            district_review_deadline=now + dt.timedelta(days=2),
            city_review_deadline=now + dt.timedelta(days=3),
        )
    assert "year" in exc.value.message_dict
    assert not Round.objects.filter(year=99999999999).exists()


@pytest.mark.parametrize("statement", ["推荐\x01理由", "推荐\u200b理由", "推荐\x00理由"])
def test_a_statement_with_a_control_character_is_refused(world, api, round_, draft, statement):
    client = api(world.agency_admin)
    assert client.patch(f"/api/v1/nominations/{draft.pk}/", {"statement": statement}, format="json").status_code == 400
    draft.refresh_from_db()
    assert draft.statement == "原推荐理由"
    person = hire_many(world.agency, 1)[0]
    body = {"round": round_.pk, "person": person.pk, "statement": statement}
    assert client.post("/api/v1/nominations/", body, format="json").status_code == 400
    assert not Nomination.objects.filter(person=person).exists()


def test_a_statement_keeps_its_line_breaks(world, api, draft):
    response = api(world.agency_admin).patch(
        f"/api/v1/nominations/{draft.pk}/", {"statement": "第一段\n第二段"}, format="json"
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.statement == "第一段\n第二段"


def test_the_edit_page_refuses_a_control_character(world, login, draft):
    login(world.agency_admin).post(reverse("selection:nomination_edit", args=[draft.pk]), {"statement": "新\x01理由"})
    draft.refresh_from_db()
    assert draft.statement == "原推荐理由"


def test_reasons_with_a_control_character_are_refused(world, api, round_):
    submitted = nominate(world, round_, hire_many(world.agency, 7)[0])
    url = f"/api/v1/nominations/{submitted.pk}/"
    response = api(world.district_admin).post(
        url + "review/", {"decision": "return", "reason": "退\x01回"}, format="json"
    )
    assert response.status_code == 400
    response = api(world.agency_admin).post(url + "withdraw/", {"reason": "放\x1b弃"}, format="json")
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Nomination.Status.DISTRICT_REVIEW
    response = api(world.city_admin).post(f"/api/v1/rounds/{round_.pk}/close/", {"reason": "到\x01期"}, format="json")
    assert response.status_code == 400
    round_.refresh_from_db()
    assert round_.closed_at is None


@pytest.mark.parametrize(("name", "description"), [("证明.pdf", "说\x01明"), ("证明.pdf", "长" * 201)])
def test_evidence_with_a_control_character_or_an_overlong_description_is_refused(
    world, api, draft, media, name, description
):
    response = api(world.agency_admin).post(
        f"/api/v1/nominations/{draft.pk}/evidence/",
        {"file": SimpleUploadedFile(name, PDF), "description": description},
        format="multipart",
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_file_name_with_a_control_character_is_refused_by_the_service(world, draft, media):
    # Over HTTP the multipart parser already drops such characters; the service does not rely on it.
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(
            actor=world.agency_admin, nomination=draft, upload=SimpleUploadedFile("证\x01明.pdf", PDF)
        )
    assert "file" in exc.value.message_dict
    assert not Evidence.objects.exists()
