"""The training services: results under the policy parameters, who may do
what, confirmation into the city pool, locked scores, the score import,
surveys and the agencies' own training records."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from dudao.core.models import AuditEntry, Notification
from dudao.core.selectors import live_notification_count
from dudao.policy import services as policy_services
from dudao.pools.models import Entry
from dudao.training import imports, selectors, services
from dudao.training.models import Attendance, Member
from tests.factories import staff

from .conftest import attend, make_trainee, schedule


def refreshed(member):
    return Member.objects.get(pk=member.pk)


def result_of(member):
    return next(r for r in selectors.results(member.cohort) if r.member.pk == member.pk)


@pytest.fixture
def hundred_hours(world, training):
    """Sessions of 79, 1 and 20 hours: the supervisor attends 79 + 1 (80 %),
    the social worker 79 (79 %)."""
    t = training
    a = schedule(world.trainer, t.cohort, t.theory, 79, day=1)
    b = schedule(world.trainer, t.cohort, t.theory, 1, day=2)
    c = schedule(world.trainer, t.cohort, t.practice, 20, day=3)
    attend(world.trainer, a, t.supervisor_member, t.worker_member)
    attend(world.trainer, b, t.supervisor_member)
    attend(world.trainer, c)
    return a, b, c


def score(world, member, theory, practice):
    return services.record_scores(actor=world.trainer, member=member, theory_score=theory, practice_score=practice)


# --- results under the default parameters --------------------------------------------------


def test_79_percent_attendance_with_a_score_of_95_does_not_pass(world, training, hundred_hours):
    score(world, training.worker_member, 95, 95)
    r = result_of(training.worker_member)
    assert (r.attended_hours, r.total_hours, r.share) == (Decimal(79), Decimal(100), Decimal("79.0"))
    assert r.overall == Decimal("95.0")
    assert not r.attendance_ok
    assert r.passes is False


def test_80_percent_attendance_with_a_score_of_60_passes(world, training, hundred_hours):
    score(world, training.supervisor_member, 60, 60)
    r = result_of(training.supervisor_member)
    assert (r.attended_hours, r.share, r.overall) == (Decimal(80), Decimal("80.0"), Decimal("60.0"))
    assert r.passes is True


def test_a_score_just_under_the_pass_mark_fails(world, training, hundred_hours):
    score(world, training.supervisor_member, "59.9", "59.9")
    assert result_of(training.supervisor_member).passes is False


def test_attendance_just_under_the_minimum_is_not_rounded_up_to_it(world, training):
    """799.5 of 1000 hours is 79.95 %: shown as 79.9 %, and not a pass."""
    t = training
    a = schedule(world.trainer, t.cohort, t.theory, "799.5", day=1)
    schedule(world.trainer, t.cohort, t.practice, "200.5", day=2)
    attend(world.trainer, a, t.supervisor_member)
    score(world, t.supervisor_member, 90, 90)
    r = result_of(t.supervisor_member)
    assert r.total_hours == Decimal(1000)
    assert r.share == Decimal("79.9")
    assert r.passes is False


def test_no_sessions_means_no_share_and_no_pass(world, training):
    score(world, training.supervisor_member, 90, 90)
    r = result_of(training.supervisor_member)
    assert r.share is None and r.passes is False


def test_the_overall_score_uses_the_theory_weight_from_the_policy_data(world, training, hundred_hours):
    score(world, training.supervisor_member, 40, 80)
    assert result_of(training.supervisor_member).overall == Decimal("60.0")  # 50/50 by default
    policy_services.set_parameter(
        actor=world.city_admin,
        key="training.theory_weight",
        jurisdiction=world.city,
        value=70,
        effective_from=timezone.localdate(),
        reason="理论权重调整",
    )
    r = result_of(training.supervisor_member)
    assert r.overall == Decimal("52.0")  # 40 × 0.7 + 80 × 0.3
    assert r.passes is False


def test_the_pass_mark_and_minimum_share_come_from_the_policy_data(world, training, hundred_hours):
    score(world, training.worker_member, 55, 55)
    assert result_of(training.worker_member).passes is False
    for key, value in (("training.pass_mark", 50), ("training.min_attendance_share", 75)):
        policy_services.set_parameter(
            actor=world.city_admin,
            key=key,
            jurisdiction=world.city,
            value=value,
            effective_from=timezone.localdate(),
            reason="调整",
        )
    r = result_of(training.worker_member)
    assert (r.pass_mark, r.min_share) == (50, 75)
    assert r.passes is True


def test_results_take_a_fixed_number_of_queries(world, training, hundred_hours, django_assert_max_num_queries):
    for _i in range(6):
        trainee = make_trainee(training.round, staff(world.agency), world.agency)
        services.add_members(actor=world.trainer, cohort=training.cohort, trainees=[trainee])
    params = selectors.result_parameters(training.programme)
    with django_assert_max_num_queries(3):
        rows = selectors.results(training.cohort, params)
        [(r.member.trainee.person.name, r.member.trainee.nomination.organization.jurisdiction.name) for r in rows]
    assert len(rows) == 8


# --- who may do what ---------------------------------------------------------------------------


def test_only_the_city_sets_up_a_programme_and_only_with_a_trainer_organisation(world, training):
    with pytest.raises(PermissionDenied):
        services.create_programme(
            actor=world.trainer,
            jurisdiction=world.city,
            name="x",
            trainer=training.programme.trainer,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    with pytest.raises(ValidationError) as exc:
        services.create_programme(
            actor=world.city_admin,
            jurisdiction=world.city,
            name="x",
            trainer=world.agency,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    assert "trainer" in exc.value.message_dict
    assert training.programme.target_size == 100


def test_a_trainer_of_another_programme_may_do_nothing_on_this_one(world, training, other_trainer):
    t = training
    session = schedule(world.trainer, t.cohort, t.theory, 4)
    attempts = [
        lambda: services.add_module(actor=other_trainer, programme=t.programme, title="x", kind="theory", hours=2),
        lambda: services.create_cohort(actor=other_trainer, programme=t.programme, name="x", round_=t.round),
        lambda: services.add_members(actor=other_trainer, cohort=t.cohort, trainees=[t.spare]),
        lambda: schedule(other_trainer, t.cohort, t.theory, 2),
        lambda: attend(other_trainer, session, t.supervisor_member),
        lambda: score(type("W", (), {"trainer": other_trainer}), t.supervisor_member, 80, 80),
        lambda: services.record_cohort_scores(actor=other_trainer, cohort=t.cohort, scores={}),
        lambda: services.confirm_results(actor=other_trainer, cohort=t.cohort),
        lambda: services.create_survey(
            actor=other_trainer, programme=t.programme, title="x", questions=[{"text": "q", "kind": "text"}]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not selectors.programmes_for(other_trainer).filter(pk=t.programme.pk).exists()
    assert not selectors.cohorts_for(other_trainer).filter(pk=t.cohort.pk).exists()
    assert not selectors.members_for(other_trainer).exists()


def test_only_the_commissioned_trainer_records_scores(world, training):
    for actor in (world.city_admin, world.district_admin, world.supervisor, world.hrss):
        with pytest.raises(PermissionDenied):
            services.record_scores(actor=actor, member=training.supervisor_member, theory_score=80, practice_score=80)


@pytest.mark.parametrize("value", ["-1", "100.1", "abc", "NaN", "Infinity"])
def test_a_score_is_a_number_from_0_to_100(world, training, value):
    with pytest.raises(ValidationError):
        score(world, training.supervisor_member, value, 80)


def test_only_the_city_confirms_the_results(world, training, hundred_hours):
    score(world, training.supervisor_member, 80, 80)
    score(world, training.worker_member, 80, 80)
    for actor in (world.trainer, world.district_admin, world.hrss, world.association, world.supervisor):
        with pytest.raises(PermissionDenied):
            services.confirm_results(actor=actor, cohort=training.cohort)
    assert not Member.objects.filter(confirmed_at__isnull=False).exists()


def test_confirmation_admits_the_passing_trainees_to_the_city_pool(world, training, hundred_hours):
    score(world, training.supervisor_member, 60, 60)  # 80 %: passes
    score(world, training.worker_member, 95, 95)  # 79 %: does not
    outcome = services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    assert outcome == {"confirmed": 2, "admitted": 1, "published": 0, "failed": 1}
    assert refreshed(training.supervisor_member).passed is True
    assert refreshed(training.worker_member).passed is False
    entry = Entry.objects.get()
    assert entry.person == world.supervisor_person
    assert (entry.level, entry.jurisdiction) == (Entry.Level.CITY, world.city)
    with pytest.raises(ValidationError):
        services.confirm_results(actor=world.city_admin, cohort=training.cohort)


def test_confirmation_needs_every_score(world, training, hundred_hours):
    score(world, training.supervisor_member, 60, 60)
    with pytest.raises(ValidationError) as exc:
        services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    assert "社工乙" in exc.value.messages[0]
    assert not Entry.objects.exists()


def test_scores_and_attendance_are_locked_after_confirmation(world, training, hundred_hours):
    a, _b, _c = hundred_hours
    score(world, training.supervisor_member, 70, 70)
    score(world, training.worker_member, 70, 70)
    services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    with pytest.raises(ValidationError):
        score(world, training.supervisor_member, 90, 90)
    with pytest.raises(ValidationError):
        services.record_cohort_scores(
            actor=world.trainer, cohort=training.cohort, scores={training.worker_member.pk: (90, 90)}
        )
    with pytest.raises(ValidationError):
        attend(world.trainer, a, training.supervisor_member)  # the social worker would become absent
    # Unchanged values pass through untouched.
    assert (
        services.record_cohort_scores(
            actor=world.trainer, cohort=training.cohort, scores={training.worker_member.pk: ("70", "70.0")}
        )
        == 0
    )
    assert refreshed(training.supervisor_member).theory_score == Decimal("70.0")


def test_the_live_result_and_the_confirmed_one(world, training, hundred_hours):
    score(world, training.supervisor_member, 60, 60)
    score(world, training.worker_member, 60, 60)
    services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    policy_services.set_parameter(
        actor=world.city_admin,
        key="training.pass_mark",
        jurisdiction=world.city,
        value=70,
        effective_from=timezone.localdate(),
        reason="提高合格线",
    )
    r = result_of(training.supervisor_member)
    assert r.passes is False  # under today's pass mark
    assert r.outcome is True  # as confirmed


def test_the_score_sheet_writes_all_rows_or_none(world, training):
    with pytest.raises(ValidationError) as exc:
        services.record_cohort_scores(
            actor=world.trainer,
            cohort=training.cohort,
            scores={training.supervisor_member.pk: ("88", "90"), training.worker_member.pk: ("101", "90")},
        )
    assert "社工乙" in exc.value.messages[0]
    assert refreshed(training.supervisor_member).theory_score is None
    assert (
        services.record_cohort_scores(
            actor=world.trainer,
            cohort=training.cohort,
            scores={training.supervisor_member.pk: ("88", "90"), training.worker_member.pk: ("", "")},
        )
        == 1
    )
    assert refreshed(training.supervisor_member).practice_score == Decimal("90.0")


# --- cohorts, sessions, attendance ---------------------------------------------------------------


def test_members_come_from_the_cohorts_round_once_per_programme(world, training, reference):
    from tests.selection.helpers import make_round

    other_round = make_round(world.city_admin, world.city, year=2027)
    stranger = make_trainee(other_round, world.supervisor_person, world.agency)
    with pytest.raises(ValidationError):
        services.add_members(actor=world.trainer, cohort=training.cohort, trainees=[stranger])
    second = services.create_cohort(
        actor=world.trainer, programme=training.programme, name="第二期", round_=training.round
    )
    with pytest.raises(ValidationError) as exc:
        services.add_members(actor=world.trainer, cohort=second, trainees=[training.supervisor_member.trainee])
    assert "督导甲" in exc.value.messages[0]
    assert list(selectors.available_trainees(training.programme, training.round)) == [training.spare]


def test_a_session_belongs_to_a_module_of_the_programme(world, training, other_programme):
    _programme, other_cohort = other_programme
    with pytest.raises(ValidationError):
        schedule(world.city_admin, other_cohort, training.theory, 2)


def test_attendance_marks_everyone_else_absent_and_is_audited(world, training):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    assert attend(world.trainer, session, training.supervisor_member) == 1
    assert dict(Attendance.objects.values_list("member_id", "present")) == {
        training.supervisor_member.pk: True,
        training.worker_member.pk: False,
    }
    assert AuditEntry.objects.filter(object_repr=str(session), action=AuditEntry.Action.UPDATE).exists()
    with pytest.raises(ValidationError):
        services.record_attendance(actor=world.trainer, session=session, present_member_ids=[999999])
    with pytest.raises(ValidationError):
        services.record_attendance(actor=world.trainer, session=session, present_member_ids=["x"])


# --- the score import ------------------------------------------------------------------------------


def zh_headers():
    """The template's headers as a Chinese user downloads them (whether or not
    the catalogue has the translations yet)."""
    with translation.override("zh-hans"):
        return [str(label) for _key, label, _required in imports.COLUMNS]


def sheet(rows, headers=None, name="scores.xlsx"):
    headers = headers or zh_headers()
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_the_score_template_lists_the_cohort(world, training):
    score(world, training.supervisor_member, "75.5", 80)
    wb = load_workbook(BytesIO(imports.template_file(training.cohort)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3
    assert {r[1]: r for r in rows[1:]}["督导甲"][2:] == (75.5, 80)
    assert {r[1]: r for r in rows[1:]}["社工乙"][0] == training.worker_member.pk


def test_a_score_sheet_with_bad_rows_is_refused_whole_with_row_numbers(world, training):
    s, w = training.supervisor_member, training.worker_member
    upload = sheet(
        [
            [s.pk, "督导甲", 88, 90],
            [w.pk, "社工乙", 120, 90],
            [999999, "无名", 70, 70],
            [s.pk, "督导甲", 80, 80],
            [w.pk, "张冠李戴", 70, 70],
        ]
    )
    with pytest.raises(imports.ImportRejected) as exc:
        imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=upload)
    by_row = {}
    for e in exc.value.errors:
        by_row.setdefault(e.row, []).append(e.message)
    assert sorted(by_row) == [3, 4, 5, 6]
    assert refreshed(s).theory_score is None and refreshed(w).theory_score is None


def test_a_good_score_sheet_is_imported_and_audited(world, training):
    s, w = training.supervisor_member, training.worker_member
    upload = sheet([[s.pk, "督导甲", 88, 90.5], [w.pk, "社工乙", "61", "59"]])
    assert imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=upload) == 2
    assert (refreshed(s).theory_score, refreshed(s).practice_score) == (Decimal("88.0"), Decimal("90.5"))
    assert refreshed(w).scored_by == world.trainer
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT, object_repr=str(training.cohort)).exists()
    # The same sheet again changes nothing.
    assert (
        imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=sheet([[s.pk, "督导甲", 88, 90.5]]))
        == 0
    )


def test_the_score_import_reads_english_headers_and_names_a_missing_column(world, training):
    s = training.supervisor_member
    upload = sheet([[s.pk, "督导甲", 70, 70]], headers=("Member number", "Name", "Theory score", "Practice score"))
    assert imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=upload) == 1
    with pytest.raises(imports.ImportRejected) as exc:
        imports.import_scores(
            actor=world.trainer, cohort=training.cohort, upload=sheet([[70, 70]], headers=zh_headers()[2:])
        )
    assert exc.value.errors[0].row == 1


def test_only_the_trainer_imports_scores_and_confirmed_rows_cannot_change(world, training, hundred_hours):
    s, w = training.supervisor_member, training.worker_member
    with pytest.raises(PermissionDenied):
        imports.import_scores(actor=world.city_admin, cohort=training.cohort, upload=sheet([[s.pk, "督导甲", 70, 70]]))
    score(world, s, 70, 70)
    score(world, w, 70, 70)
    services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    with pytest.raises(imports.ImportRejected) as exc:
        imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=sheet([[s.pk, "督导甲", 90, 90]]))
    assert exc.value.errors[0].row == 2


def test_a_file_that_is_not_a_workbook_is_refused(world, training):
    with pytest.raises(imports.ImportRejected) as exc:
        imports.import_scores(
            actor=world.trainer, cohort=training.cohort, upload=SimpleUploadedFile("a.xlsx", b"not a zip")
        )
    assert exc.value.errors[0].row == 0


# --- surveys ---------------------------------------------------------------------------------------


QUESTIONS = [
    {"text": "最需要的培训领域", "kind": "choice", "choices": ["儿童", "养老", "社区"]},
    {"text": "希望的形式", "kind": "multiple", "choices": ["讲授", "案例研讨", "参访"]},
    {"text": "对督导理论的掌握", "kind": "scale"},
    {"text": "其他建议", "kind": "text"},
]


@pytest.fixture
def survey(world, training):
    return services.create_survey(
        actor=world.trainer, programme=training.programme, title="培训需求调查", questions=QUESTIONS
    )


def test_a_survey_needs_questions_and_choices(world, training):
    with pytest.raises(ValidationError):
        services.create_survey(actor=world.city_admin, programme=training.programme, title="x", questions=[])
    with pytest.raises(ValidationError):
        services.create_survey(
            actor=world.city_admin,
            programme=training.programme,
            title="x",
            questions=[{"text": "q", "kind": "choice", "choices": ["只有一个"]}],
        )
    with pytest.raises(PermissionDenied):
        services.create_survey(actor=world.hrss, programme=training.programme, title="x", questions=QUESTIONS)


def test_sending_a_survey_notifies_the_trainees(world, training, survey, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        services.submit_response(actor=world.supervisor, survey=survey, answers={})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_survey(actor=world.city_admin, survey=survey) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"supervisor", "social_worker"}
    assert Notification.objects.first().link == f"/training/surveys/{survey.pk}/answer/"
    with pytest.raises(ValidationError):
        services.send_survey(actor=world.city_admin, survey=survey)
    # Each trainee's own to-do: answering handles hers, not the other's.
    services.submit_response(actor=world.supervisor, survey=survey, answers=answers(survey, "儿童", ["讲授"], 3, "无"))
    assert [live_notification_count(u) for u in (world.supervisor, world.social_worker)] == [0, 1]


def answers(survey, *values):
    return {str(q.pk): v for q, v in zip(survey.questions.all(), values, strict=True)}


def test_answers_are_validated_and_summarised(world, training, survey):
    services.send_survey(actor=world.trainer, survey=survey)
    bad = [
        answers(survey, "火星", ["讲授"], 3, "无"),
        answers(survey, "儿童", ["讲授", "跳舞"], 3, "无"),
        answers(survey, "儿童", ["讲授"], 6, "无"),
        answers(survey, "儿童", ["讲授"], 3, ""),
    ]
    for given in bad:
        with pytest.raises(ValidationError):
            services.submit_response(actor=world.supervisor, survey=survey, answers=given)
    services.submit_response(
        actor=world.supervisor, survey=survey, answers=answers(survey, "儿童", ["讲授", "参访"], 4, "多些案例")
    )
    services.submit_response(
        actor=world.social_worker, survey=survey, answers=answers(survey, "儿童", ["参访"], "2", "希望周末上课")
    )
    # Answering again replaces the earlier answers.
    services.submit_response(
        actor=world.social_worker, survey=survey, answers=answers(survey, "养老", ["参访"], "2", "希望周末上课")
    )
    with pytest.raises(PermissionDenied):
        services.submit_response(
            actor=world.city_admin, survey=survey, answers=answers(survey, "儿童", ["讲授"], 3, "x")
        )
    choice, multiple, scale, text = services.survey_summary(survey)
    assert choice["counts"] == [("儿童", 1), ("养老", 1), ("社区", 0)]
    assert multiple["counts"] == [("讲授", 1), ("案例研讨", 0), ("参访", 2)]
    assert scale["mean"] == 3.0 and scale["answered"] == 2
    assert sorted(text["texts"]) == ["多些案例", "希望周末上课"]


def test_a_closed_survey_takes_no_answers(world, training, survey):
    services.send_survey(actor=world.trainer, survey=survey)
    survey.closes_at = timezone.now() - dt.timedelta(days=1)
    survey.save()
    with pytest.raises(ValidationError):
        services.submit_response(
            actor=world.supervisor, survey=survey, answers=answers(survey, "儿童", ["讲授"], 3, "x")
        )


# --- own training records ---------------------------------------------------------------------------


def test_activities_appear_in_the_training_history(world, training, hundred_hours):
    course = services.record_activity(
        actor=world.agency_admin,
        organization=world.agency,
        title="伦理专题学习",
        kind="ethics",
        held_on=dt.date(2026, 5, 10),
        hours=Decimal("3"),
        participants=[world.supervisor_person],
    )
    services.record_activity(
        actor=world.district_admin,
        jurisdiction=world.jinshui,
        title="区级参访",
        kind="study_visit",
        held_on=dt.date(2026, 6, 1),
        hours=Decimal("6.5"),
        participants=[world.supervisor_person, world.social_worker_person],
    )
    services.record_activity(
        actor=world.agency_admin,
        organization=world.agency,
        title="下季度计划",
        kind="course",
        held_on=dt.date(2026, 9, 1),
        hours=Decimal("4"),
        participants=[world.supervisor_person],
        is_plan=True,
    )
    history = selectors.training_history(world.supervisor_person)
    assert [a.title for a in history["activities"]] == ["下季度计划", "区级参访", "伦理专题学习"]
    assert history["activity_hours"] == Decimal("9.5")  # the plan is not counted
    (membership,) = history["memberships"]
    assert (membership.attended_hours, membership.total_hours) == (Decimal(80), Decimal(100))
    assert course in selectors.activities_for(world.supervisor)
    assert course not in selectors.activities_for(world.social_worker)
    assert course in selectors.activities_for(world.district_admin)
    assert course not in selectors.activities_for(world.erqi_admin)


def test_an_activity_is_recorded_only_for_what_the_actor_manages(world):
    with pytest.raises(PermissionDenied):
        services.record_activity(
            actor=world.outsider,
            organization=world.agency,
            title="x",
            kind="course",
            held_on=dt.date(2026, 5, 1),
            hours=2,
        )
    with pytest.raises(PermissionDenied):
        services.record_activity(
            actor=world.agency_admin,
            jurisdiction=world.jinshui,
            title="x",
            kind="course",
            held_on=dt.date(2026, 5, 1),
            hours=2,
        )
    with pytest.raises(ValidationError) as exc:
        services.record_activity(
            actor=world.outsider,
            organization=world.erqi_agency,
            title="x",
            kind="course",
            held_on=dt.date(2026, 5, 1),
            hours=2,
            participants=[world.supervisor_person],
        )
    assert "督导甲" in str(exc.value)
    with pytest.raises(ValidationError):
        services.record_activity(actor=world.city_admin, title="x", kind="course", held_on=dt.date(2026, 5, 1), hours=2)


def test_an_overall_score_that_only_rounds_up_to_the_pass_mark_does_not_pass():
    from dudao.training.selectors import Result, exact_overall_score, overall_score

    # theory 59.9 and practice 60.0 at 50/50: 59.95 is shown as 60.0 but is below the mark.
    assert overall_score(Decimal("59.9"), Decimal("60.0"), 50) == Decimal("60.0")
    exact = exact_overall_score(Decimal("59.9"), Decimal("60.0"), 50)
    result = Result(
        member=None,
        attended_hours=Decimal(10),
        total_hours=Decimal(10),
        share=Decimal(100),
        overall=Decimal("60.0"),
        pass_mark=60,
        min_share=80,
        exact_overall=exact,
    )
    assert not result.passes


# --- issue 12: excused absence and sessions not yet held -------------------------------------------


def test_an_excused_absence_counts_as_absent_by_default_and_as_attended_when_the_policy_says_so(
    world, training, hundred_hours
):
    _a, _b, c = hundred_hours
    # The social worker (79 of 100 hours) was excused from the 20-hour practice session.
    services.record_attendance(
        actor=world.trainer,
        session=c,
        present_member_ids=[],
        excused_member_ids=[training.worker_member.pk],
    )
    assert Attendance.objects.get(session=c, member=training.worker_member).excused is True
    score(world, training.worker_member, 70, 70)
    r = result_of(training.worker_member)
    assert (r.attended_hours, r.excused_hours, r.share, r.passes) == (Decimal(79), Decimal(20), Decimal("79.0"), False)
    policy_services.set_parameter(
        actor=world.city_admin,
        key="training.excused_absence_counts",
        jurisdiction=world.city,
        value=True,
        effective_from=timezone.localdate(),
        reason="请假计入出勤",
    )
    r = result_of(training.worker_member)
    assert (r.attended_hours, r.share, r.passes) == (Decimal(79), Decimal("99.0"), True)


def test_a_trainee_is_not_both_present_and_excused(world, training):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    with pytest.raises(ValidationError, match="督导甲"):
        services.record_attendance(
            actor=world.trainer,
            session=session,
            present_member_ids=[training.supervisor_member.pk],
            excused_member_ids=[training.supervisor_member.pk],
        )
    assert not Attendance.objects.exists()


def test_attendance_is_refused_for_a_session_later_than_today(world, training):
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    session = services.schedule_session(
        actor=world.trainer, cohort=training.cohort, module=training.theory, starts_at=tomorrow
    )
    with pytest.raises(ValidationError, match=tomorrow.date().isoformat()):
        attend(world.trainer, session, training.supervisor_member)
    assert not Attendance.objects.exists()
    # Today's session is recorded.
    today = services.schedule_session(
        actor=world.trainer,
        cohort=training.cohort,
        module=training.theory,
        starts_at=timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    assert attend(world.trainer, today, training.supervisor_member) == 1
