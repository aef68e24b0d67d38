"""The training pages, persona by persona: those who may use a page get it
(and a POST really changes the record), a record outside the persona's scope is
a 404, a record in scope the persona may only read is a 403. List pages are
checked for filters, sorting, the htmx partial, the Excel export and a query
count that does not grow with rows."""

import datetime as dt
import html
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from dudao.core.excel import XLSX_TYPE
from dudao.directory.models import ServiceDomain
from dudao.pools.models import Entry
from dudao.training import imports, services
from dudao.training.models import Activity, Attendance, Cohort, Member, Module, Programme, Response, Session, Survey
from tests.excel import xlsx_rows
from tests.factories import staff

from .conftest import PERSONAS, READERS, RESULT_READERS, RUNNERS, attend, make_trainee, schedule, trainer_org_of


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return html.escape(text % params if params else text)


def persona(world, other_trainer, name):
    return other_trainer if name == "other_trainer" else world.persona(name)


def expected(name, *, allowed, readers=READERS, ok=200):
    if name in allowed:
        return ok
    return 403 if name in readers else 404


@pytest.fixture
def survey(world, training):
    return services.create_survey(
        actor=world.city_admin,
        programme=training.programme,
        title="培训需求调查",
        questions=[
            {"text": "最需要的培训领域", "kind": "choice", "choices": ["儿童", "养老"]},
            {"text": "对督导理论的掌握", "kind": "scale"},
            {"text": "其他建议", "kind": "text"},
        ],
    )


# --- programmes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_programme_list_shows_each_persona_its_programmes(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).get(reverse("training:programme_list"))
    assert response.status_code == 200
    names = [p.name for p in response.context["object_list"]]
    assert names == (["2026年百名督导培养计划"] if name in READERS else [])
    assert response.context["can_create"] is (name == "city_admin")


@pytest.mark.parametrize("name", PERSONAS)
def test_programme_detail(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).get(
        reverse("training:programme_detail", args=[training.programme.pk])
    )
    assert response.status_code == (200 if name in READERS else 404)
    if response.status_code == 200:
        body = response.content.decode()
        assert "督导理论" in body
        assert ("cohort-form" in body) is (name in RUNNERS)
        assert ("results-summary" in body) is (name in RESULT_READERS)


def test_programme_detail_shows_the_target_and_the_available_trainees(world, training, login):
    response = login(world.city_admin).get(reverse("training:programme_detail", args=[training.programme.pk]))
    assert (response.context["trainee_count"], response.context["programme"].target_size) == (2, 100)
    assert response.context["module_hours"] == Decimal("24")
    form = response.context["cohort_form"]
    assert list(form.fields["trainees"].queryset) == [training.spare]  # the others are in a cohort already
    body = response.content.decode()
    assert 'data-testid="target"' in body and "备选丙" in body


@pytest.mark.parametrize("name", PERSONAS)
def test_programme_create(world, training, other_trainer, login, name):
    client = login(persona(world, other_trainer, name))
    url = reverse("training:programme_create")
    assert client.get(url).status_code == (200 if name == "city_admin" else 403)
    data = {
        "name": "2027年百名督导培养计划",
        "trainer": trainer_org_of(world.trainer).pk,
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-31",
    }
    response = client.post(url, data)
    if name == "city_admin":
        programme = Programme.objects.get(name="2027年百名督导培养计划")
        assert response.status_code == 302 and response.url == reverse("training:programme_detail", args=[programme.pk])
        assert programme.target_size == 100 and programme.jurisdiction == world.city
    else:
        assert response.status_code == 403


def test_programme_create_shows_the_service_errors_on_the_form(world, login):
    client = login(world.city_admin)
    response = client.post(
        reverse("training:programme_create"),
        {"name": "x", "trainer": trainer_org_of(world.trainer).pk, "starts_on": "2027-03-01", "ends_on": "2027-01-01"},
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not Programme.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_module_create(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).post(
        reverse("training:module_create", args=[training.programme.pk]),
        {"title": "伦理与法规", "kind": "theory", "hours": "6", "is_ethics": "on"},
    )
    assert response.status_code == expected(name, allowed=RUNNERS, ok=302)
    assert Module.objects.filter(title="伦理与法规", is_ethics=True).exists() is (name in RUNNERS)


def test_module_form_errors_are_shown(world, training, login):
    response = login(world.trainer).post(
        reverse("training:module_create", args=[training.programme.pk]), {"title": "x", "kind": "theory", "hours": "0"}
    )
    assert response.status_code == 200
    assert response.context["module_form"].errors


@pytest.mark.parametrize("name", PERSONAS)
def test_cohort_create(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).post(
        reverse("training:cohort_create", args=[training.programme.pk]),
        {"name": "第二期", "round": training.round.pk, "trainees": [training.spare.pk]},
    )
    assert response.status_code == expected(name, allowed=RUNNERS, ok=302)
    if name in RUNNERS:
        cohort = Cohort.objects.get(name="第二期")
        assert response.url == reverse("training:cohort_detail", args=[cohort.pk])
        assert [m.trainee for m in cohort.members.all()] == [training.spare]


def test_a_trainee_already_in_a_cohort_cannot_be_chosen_again(world, training, login):
    response = login(world.trainer).post(
        reverse("training:cohort_create", args=[training.programme.pk]),
        {"name": "第二期", "round": training.round.pk, "trainees": [training.supervisor_member.trainee.pk]},
    )
    assert response.status_code == 200
    assert "trainees" in response.context["cohort_form"].errors
    assert not Cohort.objects.filter(name="第二期").exists()


# --- cohorts, sessions and attendance ----------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_cohort_detail(world, training, other_trainer, login, name):
    schedule(world.trainer, training.cohort, training.theory, 4)
    response = login(persona(world, other_trainer, name)).get(
        reverse("training:cohort_detail", args=[training.cohort.pk])
    )
    assert response.status_code == (200 if name in READERS else 404)
    if response.status_code == 200:
        body = response.content.decode()
        assert "督导甲" in body and "社工乙" in body
        assert ("session-form" in body) is (name in RUNNERS)
        assert ("attendance-link" in body) is (name in RUNNERS)


def test_a_trainer_cannot_see_a_cohort_of_another_programme(world, training, other_programme, login):
    _programme, other_cohort = other_programme
    client = login(world.trainer)
    for url in (
        reverse("training:cohort_detail", args=[other_cohort.pk]),
        reverse("training:scores", args=[other_cohort.pk]),
        reverse("training:programme_detail", args=[other_cohort.programme.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("training:scores", args=[other_cohort.pk]), {}).status_code == 404
    assert client.post(reverse("training:session_create", args=[other_cohort.pk]), {}).status_code == 404


@pytest.mark.parametrize("name", PERSONAS)
def test_session_create(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).post(
        reverse("training:session_create", args=[training.cohort.pk]),
        {"module": training.theory.pk, "starts_at": "2026-04-02T09:00", "hours": "", "location": "市社会工作指导中心"},
    )
    assert response.status_code == expected(name, allowed=RUNNERS, ok=302)
    if name in RUNNERS:
        assert Session.objects.get().hours == Decimal("16.0")  # the module's hours


def test_members_add(world, training, login):
    assert (
        login(world.hrss)
        .post(reverse("training:members_add", args=[training.cohort.pk]), {"trainees": [training.spare.pk]})
        .status_code
        == 403
    )
    response = login(world.trainer).post(
        reverse("training:members_add", args=[training.cohort.pk]), {"trainees": [training.spare.pk]}
    )
    assert response.status_code == 302
    assert training.cohort.members.count() == 3


@pytest.mark.parametrize("name", PERSONAS)
def test_attendance_page(world, training, other_trainer, login, name):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = login(persona(world, other_trainer, name))
    url = reverse("training:attendance", args=[session.pk])
    assert client.get(url).status_code == expected(name, allowed=RUNNERS)
    response = client.post(url, {"present": [training.supervisor_member.pk]})
    assert response.status_code == expected(name, allowed=RUNNERS, ok=302)
    assert Attendance.objects.filter(present=True).count() == (1 if name in RUNNERS else 0)


def test_attendance_page_ticks_who_was_present_and_shows_the_hours(world, training, login):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    attend(world.trainer, session, training.worker_member)
    client = login(world.trainer)
    rows = client.get(reverse("training:attendance", args=[session.pk])).context["rows"]
    assert {r["member"].trainee.person.name: r["present"] for r in rows} == {"督导甲": False, "社工乙": True}
    body = client.get(reverse("training:cohort_detail", args=[training.cohort.pk])).content.decode()
    assert "4.0 / 4.0" in body and "0.0 / 4.0" in body


# --- scores and results ----------------------------------------------------------------------------


@pytest.fixture
def scheduled(world, training):
    session = schedule(world.trainer, training.cohort, training.theory, 10)
    attend(world.trainer, session, training.supervisor_member, training.worker_member)
    return session


@pytest.mark.parametrize("name", PERSONAS)
def test_scores_page(world, training, other_trainer, scheduled, login, name):
    response = login(persona(world, other_trainer, name)).get(reverse("training:scores", args=[training.cohort.pk]))
    assert response.status_code == expected(name, allowed=RESULT_READERS)
    if response.status_code == 200:
        body = response.content.decode()
        assert ('name="theory-' in body) is (name == "trainer")
        assert ("confirm-results" in body) is (name == "city_admin")


def _score_data(training, **values):
    s, w = training.supervisor_member.pk, training.worker_member.pk
    data = {f"theory-{s}": "80", f"practice-{s}": "70", f"theory-{w}": "50", f"practice-{w}": "55"}
    data.update(values)
    return data


@pytest.mark.parametrize("name", PERSONAS)
def test_scores_are_entered_by_the_trainer_only(world, training, other_trainer, scheduled, login, name):
    response = login(persona(world, other_trainer, name)).post(
        reverse("training:scores", args=[training.cohort.pk]), _score_data(training)
    )
    assert response.status_code == expected(name, allowed={"trainer"}, readers=READERS, ok=302)
    assert Member.objects.filter(theory_score__isnull=False).count() == (2 if name == "trainer" else 0)


def test_a_bad_score_is_shown_and_nothing_is_saved(world, training, scheduled, login):
    response = login(world.trainer).post(
        reverse("training:scores", args=[training.cohort.pk]),
        _score_data(training, **{f"practice-{training.worker_member.pk}": "155"}),
    )
    assert response.status_code == 200
    assert "社工乙" in str(list(response.context["messages"])[0])
    assert not Member.objects.filter(theory_score__isnull=False).exists()
    # The values typed are kept on the page.
    assert 'value="155"' in response.content.decode()


def test_the_results_table_and_the_confirmation(world, training, scheduled, login):
    login(world.trainer).post(reverse("training:scores", args=[training.cohort.pk]), _score_data(training))
    client = login(world.city_admin)
    page = client.get(reverse("training:scores", args=[training.cohort.pk]))
    rows = {r["result"].member.trainee.person.name: r["result"] for r in page.context["rows"]}
    assert (rows["督导甲"].overall, rows["督导甲"].passes) == (Decimal("75.0"), True)
    assert (rows["社工乙"].overall, rows["社工乙"].passes) == (Decimal("52.5"), False)
    assert "data-confirm" in page.content.decode()
    assert login(world.trainer).post(reverse("training:confirm", args=[training.cohort.pk])).status_code == 403
    assert login(world.hrss).post(reverse("training:confirm", args=[training.cohort.pk])).status_code == 403
    response = login(world.city_admin).post(reverse("training:confirm", args=[training.cohort.pk]))
    assert response.status_code == 302
    assert Entry.objects.get().person == world.supervisor_person
    assert Member.objects.get(pk=training.worker_member.pk).passed is False
    # Locked: the trainer's sheet has no inputs any more; a forged POST changes nothing.
    trainer = login(world.trainer)
    assert 'name="theory-' not in trainer.get(reverse("training:scores", args=[training.cohort.pk])).content.decode()
    trainer.post(
        reverse("training:scores", args=[training.cohort.pk]),
        _score_data(training, **{f"theory-{training.supervisor_member.pk}": "10"}),
    )
    assert Member.objects.get(pk=training.supervisor_member.pk).theory_score == Decimal("80.0")


def test_confirming_without_scores_says_who_is_missing(world, training, scheduled, login):
    response = login(world.city_admin).post(reverse("training:confirm", args=[training.cohort.pk]), follow=True)
    assert "督导甲" in response.content.decode()
    assert not Member.objects.filter(confirmed_at__isnull=False).exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_results_export(world, training, other_trainer, scheduled, login, name):
    services.record_scores(actor=world.trainer, member=training.supervisor_member, theory_score=90, practice_score=80)
    response = login(persona(world, other_trainer, name)).get(
        reverse("training:results_export", args=[training.cohort.pk])
    )
    assert response.status_code == expected(name, allowed=RESULT_READERS)
    if name in RESULT_READERS:
        rows = xlsx_rows(response)
        assert len(rows) == 3
        row = {r[1]: r for r in rows[1:]}["督导甲"]
        assert row[4:10] == (10, 10, 100, 90, 80, 85)


@pytest.mark.parametrize("name", PERSONAS)
def test_score_template_and_import_are_the_trainers(world, training, other_trainer, login, name):
    client = login(persona(world, other_trainer, name))
    expected_status = expected(name, allowed={"trainer"})
    assert client.get(reverse("training:scores_template", args=[training.cohort.pk])).status_code == expected_status
    assert client.get(reverse("training:scores_import", args=[training.cohort.pk])).status_code == expected_status


def _upload(rows):
    wb = Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.append([str(label) for _k, label, _r in imports.COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("成绩.xlsx", buffer.getvalue())


def test_the_score_import_page_lists_every_bad_row_and_writes_nothing(world, training, login):
    s, w = training.supervisor_member, training.worker_member
    client = login(world.trainer)
    template = client.get(reverse("training:scores_template", args=[training.cohort.pk]))
    assert template["Content-Type"] == XLSX_TYPE
    response = client.post(
        reverse("training:scores_import", args=[training.cohort.pk]),
        {"file": _upload([[s.pk, "督导甲", 80, 80], [w.pk, "社工乙", "九十", 80], [12345678, "某人", 1, 1]])},
    )
    assert response.status_code == 200
    assert [e.row for e in response.context["errors"]] == [3, 4]
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert zh("Row %(n)s", n=3).replace("%(n)s", "3") in body or "3" in body
    assert not Member.objects.filter(theory_score__isnull=False).exists()
    response = client.post(
        reverse("training:scores_import", args=[training.cohort.pk]),
        {"file": _upload([[s.pk, "督导甲", 80, 80], [w.pk, "社工乙", 90, 80]])},
    )
    assert response.status_code == 302
    assert Member.objects.filter(theory_score__isnull=False).count() == 2


# --- surveys -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_survey_create(world, training, other_trainer, login, name):
    client = login(persona(world, other_trainer, name))
    url = reverse("training:survey_create", args=[training.programme.pk])
    get = client.get(url)
    assert get.status_code == expected(name, allowed=RUNNERS)
    if name not in RUNNERS:
        return
    assert len(get.context["formset"].forms) >= 3
    data = {
        "title": "培训需求调查",
        "q-TOTAL_FORMS": "5",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "30",
    }
    rows = [
        ("最需要的培训领域", "choice", "儿童\n养老\n\n社区"),
        ("", "choice", ""),  # a blank row is ignored
        ("对督导理论的掌握", "scale", ""),
        ("其他建议", "text", ""),
        ("", "choice", ""),
    ]
    for i, (text, kind, choices) in enumerate(rows):
        data.update({f"q-{i}-text": text, f"q-{i}-kind": kind, f"q-{i}-choices": choices})
    response = client.post(url, data)
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == reverse("training:survey_summary", args=[survey.pk])
    assert [(q.text, q.kind, q.choices) for q in survey.questions.all()] == [
        ("最需要的培训领域", "choice", ["儿童", "养老", "社区"]),
        ("对督导理论的掌握", "scale", []),
        ("其他建议", "text", []),
    ]


def test_a_choice_question_without_choices_is_refused(world, training, login):
    data = {
        "title": "x",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-text": "领域",
        "q-0-kind": "choice",
        "q-0-choices": "儿童",
    }
    response = login(world.city_admin).post(reverse("training:survey_create", args=[training.programme.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Survey.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_survey_summary_and_send(world, training, other_trainer, survey, login, name):
    client = login(persona(world, other_trainer, name))
    url = reverse("training:survey_summary", args=[survey.pk])
    # A draft: trainees do not see it at all.
    draft_readers = RESULT_READERS
    assert client.get(url).status_code == (200 if name in draft_readers else 404)
    response = client.post(reverse("training:survey_send", args=[survey.pk]))
    assert response.status_code == (302 if name in RUNNERS else 403 if name in draft_readers else 404)
    Survey.objects.filter(pk=survey.pk).update(sent_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    assert client.get(url).status_code == expected(name, allowed=RESULT_READERS)


@pytest.mark.parametrize("name", PERSONAS)
def test_survey_answer(world, training, other_trainer, survey, login, name):
    services.send_survey(actor=world.city_admin, survey=survey)
    client = login(persona(world, other_trainer, name))
    url = reverse("training:survey_answer", args=[survey.pk])
    response = client.get(url)
    trainees = {"supervisor", "social_worker"}
    if name in trainees:
        assert response.status_code == 200
    elif name in RESULT_READERS:
        assert response.status_code == 302 and response.url == reverse("training:survey_summary", args=[survey.pk])
    else:
        assert response.status_code == 404


def test_a_trainee_answers_and_the_summary_counts_it(world, training, survey, login):
    services.send_survey(actor=world.city_admin, survey=survey)
    q1, q2, q3 = survey.questions.all()
    client = login(world.supervisor)
    response = client.post(reverse("training:survey_answer", args=[survey.pk]), {str(q1.pk): "儿童", str(q2.pk): "4"})
    assert response.status_code == 200
    assert "其他建议" in response.context["error"]
    response = client.post(
        reverse("training:survey_answer", args=[survey.pk]),
        {str(q1.pk): "儿童", str(q2.pk): "4", str(q3.pk): "多些案例"},
    )
    assert response.status_code == 302
    assert Response.objects.get().answers == {str(q1.pk): "儿童", str(q2.pk): 4, str(q3.pk): "多些案例"}
    # Opening it again shows the earlier answers.
    again = client.get(reverse("training:survey_answer", args=[survey.pk]))
    assert again.context["answered"] and "多些案例" in again.content.decode()
    summary = login(world.city_admin).get(reverse("training:survey_summary", args=[survey.pk]))
    rows = summary.context["summary"]
    assert rows[0]["counts"] == [("儿童", 1), ("养老", 0)]
    assert rows[1]["mean"] == 4.0
    assert rows[2]["texts"] == ["多些案例"]
    assert "多些案例" in summary.content.decode()


# --- own training records ---------------------------------------------------------------------------

ORGANISERS = {"city_admin", "district_admin", "erqi_admin", "agency_admin", "outsider"}


@pytest.mark.parametrize("name", PERSONAS)
def test_activity_create(world, other_trainer, login, name):
    client = login(persona(world, other_trainer, name))
    url = reverse("training:activity_create")
    response = client.get(url)
    assert response.status_code == (200 if name in ORGANISERS else 403)
    if name not in ORGANISERS:
        return
    organiser = response.context["form"].fields["organiser"].choices[0][0]
    data = {"organiser": organiser, "title": "伦理专题学习", "kind": "ethics", "held_on": "2026-05-10", "hours": "3"}
    people = list(response.context["form"].fields["participants"].queryset)
    if people:
        data["participants"] = [people[0].pk]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get()
    assert list(activity.participants.all()) == people[:1]


def test_an_agency_admin_chooses_participants_among_its_staff(world, login):
    response = login(world.agency_admin).get(reverse("training:activity_create"))
    form = response.context["form"]
    assert form.fields["organiser"].choices == [(f"org:{world.agency.pk}", world.agency.name)]
    assert {p.name for p in form.fields["participants"].queryset} == {"督导甲", "社工乙"}
    response = login(world.district_admin).get(reverse("training:activity_create"))
    assert response.context["form"].fields["organiser"].choices == [(f"jur:{world.jinshui.pk}", world.jinshui.name)]
    # Someone from another district cannot be slipped in.
    erqi_person = staff(world.erqi_agency)
    response = login(world.agency_admin).post(
        reverse("training:activity_create"),
        {
            "organiser": f"org:{world.agency.pk}",
            "title": "x",
            "kind": "course",
            "held_on": "2026-05-10",
            "hours": "2",
            "participants": [erqi_person.pk],
        },
    )
    assert response.status_code == 200 and "participants" in response.context["form"].errors
    assert not Activity.objects.exists()


def _activity(world, title, *, kind="course", held_on=dt.date(2026, 5, 1), org=None, participants=()):
    return services.record_activity(
        actor=world.city_admin,
        organization=org or world.agency,
        title=title,
        kind=kind,
        held_on=held_on,
        hours=Decimal("2"),
        participants=participants,
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_activity_list_is_scoped(world, other_trainer, login, name):
    _activity(world, "金水课程", participants=[world.supervisor_person])
    _activity(world, "二七课程", org=world.erqi_agency)
    response = login(persona(world, other_trainer, name)).get(reverse("training:activity_list"))
    assert response.status_code == 200
    titles = {a.title for a in response.context["object_list"]}
    visible = {
        "city_admin": {"金水课程", "二七课程"},
        "association": {"金水课程", "二七课程"},
        "hrss": {"金水课程", "二七课程"},
        "finance": {"金水课程", "二七课程"},
        "district_admin": {"金水课程"},
        "erqi_admin": {"二七课程"},
        "agency_admin": {"金水课程"},
        "outsider": {"二七课程"},
        "supervisor": {"金水课程"},
    }
    assert titles == visible.get(name, set())
    assert response.context["can_create"] is (name in ORGANISERS)


def test_activity_list_filters_sorts_exports_and_answers_htmx(world, login):
    _activity(world, "伦理学习", kind="ethics", held_on=dt.date(2026, 3, 1))
    _activity(world, "参访交流", kind="study_visit", held_on=dt.date(2026, 6, 1))
    _activity(world, "实务训练", kind="practice", held_on=dt.date(2026, 9, 1))
    client = login(world.city_admin)
    url = reverse("training:activity_list")
    titles = lambda r: [a.title for a in r.context["object_list"]]  # noqa: E731
    assert titles(client.get(url)) == ["实务训练", "参访交流", "伦理学习"]
    assert titles(client.get(url, {"kind": "ethics"})) == ["伦理学习"]
    assert titles(client.get(url, {"since": "2026-05-01", "until": "2026-07-01"})) == ["参访交流"]
    assert titles(client.get(url, {"sort": "title"})) == sorted(["实务训练", "参访交流", "伦理学习"])
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "training/_activity_table.html"
    rows = xlsx_rows(client.get(url, {"export": "xlsx", "kind": "ethics"}))
    assert [r[1] for r in rows[1:]] == ["伦理学习"]


def test_programme_list_exports_and_answers_htmx(world, training, login):
    client = login(world.city_admin)
    url = reverse("training:programme_list")
    rows = xlsx_rows(client.get(url, {"export": "xlsx"}))
    assert rows[1][0] == "2026年百名督导培养计划" and rows[1][4:6] == (100, 2)
    assert client.get(url, headers={"HX-Request": "true"}).templates[0].name == "training/_programme_table.html"
    assert list(client.get(url, {"q": "不存在"}).context["object_list"]) == []


# --- my training ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_my_training(world, training, other_trainer, login, name):
    response = login(persona(world, other_trainer, name)).get(reverse("training:my_training"))
    assert response.status_code == (200 if name in {"supervisor", "social_worker"} else 404)


def test_my_training_shows_hours_against_the_programme_total_and_own_activities(world, training, survey, login):
    session = schedule(world.trainer, training.cohort, training.theory, 8)
    schedule(world.trainer, training.cohort, training.practice, 2, day=2)
    attend(world.trainer, session, training.supervisor_member)
    _activity(world, "伦理专题学习", kind="ethics", participants=[world.supervisor_person])
    services.send_survey(actor=world.city_admin, survey=survey)
    response = login(world.supervisor).get(reverse("training:my_training"))
    body = response.content.decode()
    (membership,) = response.context["history"]["memberships"]
    assert (membership.attended_hours, membership.total_hours) == (Decimal(8), Decimal(10))
    assert "80.0%" in body
    assert "伦理专题学习" in body
    assert "培训需求调查" in body  # waiting for an answer
    assert 'data-testid="training-history"' in body


# --- query counts ------------------------------------------------------------------------------------


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, training, count):
    domain = ServiceDomain.objects.filter(is_active=True).first()
    for _i in range(count):
        programme = services.create_programme(
            actor=world.city_admin,
            jurisdiction=world.city,
            name=f"计划{Programme.objects.count()}",
            trainer=trainer_org_of(world.trainer),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        )
        cohort = services.create_cohort(actor=world.city_admin, programme=programme, name="一期", round_=training.round)
        person = staff(world.agency)
        services.add_members(
            actor=world.city_admin, cohort=cohort, trainees=[make_trainee_for(training, person, world)]
        )
        services.record_activity(
            actor=world.city_admin,
            organization=world.agency,
            title="课程",
            kind="course",
            domain=domain,
            held_on=dt.date(2026, 5, 1),
            hours=Decimal("2"),
            participants=[person, world.supervisor_person],
        )


def make_trainee_for(training, person, world):
    return make_trainee(training.round, person, world.agency)


@pytest.mark.parametrize("persona_name", ["city_admin", "trainer", "hrss"])
@pytest.mark.parametrize(
    "url_name,params",
    [
        ("training:programme_list", {}),
        ("training:programme_list", {"export": "xlsx"}),
        ("training:programme_list", {"sort": "name"}),
        ("training:activity_list", {}),
        ("training:activity_list", {"export": "xlsx"}),
        ("training:activity_list", {"kind": "course", "sort": "-hours"}),
    ],
)
def test_list_page_queries_do_not_grow_with_rows(world, training, login, persona_name, url_name, params):
    client = login(world.persona(persona_name))
    url = reverse(url_name)
    _grow(world, training, 3)
    client.get(url, params)
    few = _queries(client, url, params)
    _grow(world, training, 27)  # more than a page
    assert _queries(client, url, params) == few


def test_cohort_and_results_pages_do_not_grow_with_members(world, training, login):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = login(world.city_admin)
    urls = [
        reverse("training:cohort_detail", args=[training.cohort.pk]),
        reverse("training:scores", args=[training.cohort.pk]),
        reverse("training:attendance", args=[session.pk]),
        reverse("training:programme_detail", args=[training.programme.pk]),
    ]
    for url in urls:
        client.get(url)
    few = [_queries(client, url) for url in urls]
    for _i in range(15):
        trainee = make_trainee(training.round, staff(world.agency), world.agency)
        services.add_members(actor=world.trainer, cohort=training.cohort, trainees=[trainee])
    assert [_queries(client, url) for url in urls] == few


def test_anonymous_users_are_sent_to_the_login_page(world, training, client):
    for url in (
        reverse("training:programme_list"),
        reverse("training:programme_detail", args=[training.programme.pk]),
        reverse("training:cohort_detail", args=[training.cohort.pk]),
        reverse("training:activity_list"),
        reverse("training:my_training"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


# --- issue 12: the trainer's links and trainees ---------------------------------------------


@pytest.mark.parametrize("name", sorted(RESULT_READERS))
def test_the_results_page_links_a_pool_entry_only_where_the_reader_may_open_it(world, training, scheduled, login, name):
    login(world.trainer).post(reverse("training:scores", args=[training.cohort.pk]), _score_data(training))
    login(world.city_admin).post(reverse("training:confirm", args=[training.cohort.pk]))
    client = login(world.persona(name))
    body = client.get(reverse("training:scores", args=[training.cohort.pk])).content.decode()
    links = [line.split('href="')[1].split('"')[0] for line in body.splitlines() if 'data-testid="entry-link"' in line]
    # The trainer trains and assesses; the pool is not its to read, so it gets no link that would answer 404.
    assert bool(links) is (name != "trainer")
    assert all(client.get(link).status_code == 200 for link in links)


def test_the_trainer_sees_the_trainees_of_its_programmes_on_the_trainee_list(world, training, other_trainer, login):
    url = reverse("selection:trainee_list")
    body = login(world.trainer).get(url).content.decode()
    assert "督导甲" in body and "社工乙" in body
    assert "备选丙" not in body  # in the round, but in no cohort of the trainer's
    # The names are not links to nominations the trainer cannot open.
    assert reverse("selection:nomination_detail", args=[training.supervisor_member.trainee.nomination_id]) not in body
    # Another trainer sees none of them.
    assert "督导甲" not in login(other_trainer).get(url).content.decode()
    # The city still links each name to its nomination.
    city = login(world.city_admin).get(url).content.decode()
    assert reverse("selection:nomination_detail", args=[training.supervisor_member.trainee.nomination_id]) in city


def test_the_attendance_page_records_excused_absences_and_offers_select_all(world, training, login):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = login(world.trainer)
    url = reverse("training:attendance", args=[session.pk])
    body = client.get(url).content.decode()
    assert 'data-check-all="present"' in body and 'name="excused"' in body and "checklist.js" in body
    response = client.post(url, {"present": [training.supervisor_member.pk], "excused": [training.worker_member.pk]})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("member_id", "excused")) == {
        training.supervisor_member.pk: False,
        training.worker_member.pk: True,
    }
    rows = client.get(url).context["rows"]
    assert {r["member"].trainee.person.name: (r["present"], r["excused"]) for r in rows} == {
        "督导甲": (True, False),
        "社工乙": (False, True),
    }
    assert (
        zh(", %(n)s excused", n=1)
        in client.get(reverse("training:cohort_detail", args=[training.cohort.pk])).content.decode()
    )


def test_the_attendance_page_of_a_session_not_yet_held_offers_no_save_and_refuses_a_post(world, training, login):
    session = services.schedule_session(
        actor=world.trainer,
        cohort=training.cohort,
        module=training.theory,
        starts_at=timezone.localtime() + dt.timedelta(days=3),
    )
    client = login(world.trainer)
    url = reverse("training:attendance", args=[session.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="not-yet-held"' in body and 'data-testid="save-attendance"' not in body
    response = client.post(url, {"present": [training.supervisor_member.pk]})
    assert response.status_code == 200 and "not-yet-held" in response.content.decode()
    refusal = zh(
        "This session takes place on %(date)s: attendance is recorded from the day it is held.",
        date=timezone.localdate(session.starts_at).isoformat(),
    )
    assert refusal in response.content.decode()
    assert not Attendance.objects.exists()
    cohort_page = client.get(reverse("training:cohort_detail", args=[training.cohort.pk])).content.decode()
    assert 'data-testid="not-yet-held"' in cohort_page


def test_participants_are_chosen_with_a_search_by_name_or_unit(world, login):
    client = login(world.agency_admin)
    page = client.get(reverse("training:activity_create")).content.decode()
    search = reverse("training:participant_choices")
    assert f'data-search-url="{search}"' in page and "remove_button.js" in page and "Ctrl" not in page
    # Only the chosen people are in the page, not the whole roster.
    assert "督导甲" not in page
    found = client.get(search, {"q": "督导"}).json()["results"]
    assert [r["text"] for r in found] == [f"督导甲（{world.agency.name}）"]
    by_unit = {r["text"] for r in client.get(search, {"q": world.agency.name[:4]}).json()["results"]}
    assert by_unit == {f"督导甲（{world.agency.name}）", f"社工乙（{world.agency.name}）"}
    # Nobody from a roster the admin does not manage.
    erqi_person = staff(world.erqi_agency, name="二七社工戊")
    assert not client.get(search, {"q": erqi_person.name}).json()["results"]
    # A role that records no activities has no picker to ask.
    assert login(world.trainer).get(search, {"q": "督导"}).status_code == 403
    # A refused form keeps the chosen participants as options.
    response = login(world.agency_admin).post(
        reverse("training:activity_create"),
        {
            "organiser": f"org:{world.agency.pk}",
            "title": "",
            "kind": "course",
            "participants": [world.supervisor_person.pk],
        },
    )
    assert response.status_code == 200 and f"督导甲（{world.agency.name}）" in response.content.decode()
