"""Every write leaves exactly the audit entries its act calls for.

The table below (built by the @case decorators) names, for every public
function of every app's services.py, how to call it once with valid data and
which events that call must write: no more, no fewer, no other (a read that
lives in services.py writes none). A new service fails
test_every_public_service_is_in_the_table until it is added here, so no write
slips past the log unnoticed."""

import datetime as dt
import importlib
import inspect
import pkgutil
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dudao.accounts import services as accounts
from dudao.accounts.models import Role, RoleAssignment
from dudao.core import audit
from dudao.core.models import AuditEntry
from dudao.directory import services as directory
from dudao.directory.models import CertificateLevel, EducationLevel, Jurisdiction, OrganizationType
from dudao.policy import services as policy
from dudao.policy.registry import BY_KEY as PARAMETERS_BY_KEY
from dudao.policy.registry import PARAMETERS
from dudao.pools import services as pools
from dudao.pools.models import Entry
from dudao.publicity import services as publicity
from dudao.publicity.models import Item as PublicityItem
from dudao.publicity.models import Notice
from dudao.selection import services as selection
from dudao.supervision.services import coverage as supervision_coverage
from dudao.supervision.services import engagements as supervision_engagements
from dudao.training import services as training
from dudao.training.models import Question
from tests.factories import credit_code, id_number, publicity_off
from tests.pools.conftest import city_entry
from tests.selection.helpers import PDF, hire, make_round
from tests.training.conftest import build_training, trainer_org_of

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    run: object  # a generator function of the context: setup, `yield`, then the one call
    events: tuple[str, ...]  # exactly these entries, in any order
    many: bool = False  # the events, each any number of times but at least once (bulk writes)

    @property
    def name(self):
        return self.run.__name__


CASES: dict[str, list[Case]] = {}


def case(service: str, *events: str, many: bool = False):
    """Register the decorated generator as one way to call `service` ("app.function")."""

    def register(run):
        CASES.setdefault(service, []).append(Case(run, events, many))
        return run

    return register


def _services_modules(name: str):
    """(label suffix, module): services.py, or each module of a services package
    ("supervision.engagements.propose" for dudao/supervision/services/engagements.py)."""
    module = importlib.import_module(name)
    yield "", module
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        yield f".{info.name}", importlib.import_module(f"{name}.{info.name}")


def public_services() -> set[str]:
    """ "app.function" for every public function defined in an app's services.py
    ("app.module.function" in a services package)."""
    found = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("dudao."):
            continue
        name = f"{config.name}.services"
        try:
            modules = list(_services_modules(name))
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for suffix, module in modules:
            for function_name, function in inspect.getmembers(module, inspect.isfunction):
                if function.__module__ == module.__name__ and not function_name.startswith("_"):
                    found.add(f"{config.label}{suffix}.{function_name}")
    return found


# --- accounts ------------------------------------------------------------------------


@case("accounts.create_user", "accounts.user_created")
def create_user(c):
    yield
    accounts.create_user(
        actor=c.world.city_admin,
        username="new_hrss",
        password="a-long-passphrase-1",
        role=Role.HRSS,
        jurisdiction=c.world.city,
    )


@case("accounts.grant_role", "accounts.role_granted")
def grant_role(c):
    yield
    accounts.grant_role(actor=c.world.city_admin, user=c.world.hrss, role=Role.FINANCE, jurisdiction=c.world.city)


@case("accounts.revoke_role", "accounts.role_revoked")
def revoke_role(c):
    assignment = RoleAssignment.objects.get(user=c.world.hrss)
    yield
    accounts.revoke_role(actor=c.world.city_admin, assignment=assignment, reason="调岗")


@case("accounts.set_active", "accounts.user_deactivated")
def deactivate(c):
    yield
    accounts.set_active(actor=c.world.city_admin, user=c.world.hrss, active=False, reason="离职")


@case("accounts.set_active", "accounts.user_reactivated")
def reactivate(c):
    accounts.set_active(actor=c.world.city_admin, user=c.world.hrss, active=False, reason="离职")
    yield
    accounts.set_active(actor=c.world.city_admin, user=c.world.hrss, active=True, reason="返聘")


@case("accounts.reset_password", "accounts.password_reset")
def reset_password(c):
    yield
    accounts.reset_password(actor=c.world.city_admin, user=c.world.hrss, password="another-long-pass-9")


@case("accounts.change_own_password", "accounts.password_changed")
def change_own_password(c):
    yield
    accounts.change_own_password(
        actor=c.world.social_worker, old_password="Dudao@2026", new_password="another-long-pass-9"
    )


@case("accounts.unlock_account", "accounts.account_unlocked")
def unlock_account(c):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="hrss",
        ip_address="198.51.100.20",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    yield
    accounts.unlock_account(actor=c.world.city_admin, user=c.world.hrss, reason="本人来电核实")


@case("accounts.issue_token", "accounts.token_issued")
def issue_token(c):
    yield
    accounts.issue_token(user=c.world.hrss)


@case("accounts.revoke_own_tokens", "accounts.token_revoked")
def revoke_own_tokens(c):
    accounts.issue_token(user=c.world.hrss)
    yield
    accounts.revoke_own_tokens(actor=c.world.hrss)


# --- directory -----------------------------------------------------------------------


def organization_fields(world):
    return {
        "name": "金水新建社工中心",
        "credit_code": credit_code(900001),
        "type": OrganizationType.objects.get(code="agency"),
        "jurisdiction": world.jinshui,
        "contact_phone": "0371-60000000",
    }


def person_fields(world, **overrides):
    return {
        "name": "新社工",
        "id_number": id_number(777, birth=dt.date(1992, 3, 4)),
        "employer": world.agency,
        "start_date": dt.date(2023, 9, 1),
        "education": EducationLevel.objects.get(code="master"),
    } | overrides


def between_jobs(c):
    """The world's social worker, whose employment at the agency has ended."""
    person = c.world.social_worker_person
    directory.end_employment(actor=c.world.agency_admin, person=person, end_date=dt.date(2024, 1, 31))
    return person


@case("directory.create_organization", "directory.organization_created")
def create_organization(c):
    yield
    directory.create_organization(actor=c.world.district_admin, **organization_fields(c.world))


@case("directory.update_organization", "directory.organization_updated")
def update_organization(c):
    yield
    directory.update_organization(actor=c.world.district_admin, organization=c.world.agency, contact_name="王五")


@case("directory.archive_organization", "directory.organization_archived")
def archive_organization(c):
    yield
    directory.archive_organization(
        actor=c.world.district_admin, organization=c.world.other_agency_same_district, reason="注销"
    )


@case("directory.create_person", "directory.person_created")
def create_person(c):
    yield
    directory.create_person(actor=c.world.agency_admin, **person_fields(c.world))


@case("directory.create_person", "directory.employment_started")
def create_person_already_registered(c):
    person = between_jobs(c)
    yield
    directory.create_person(
        actor=c.world.district_admin,
        **person_fields(
            c.world,
            name=person.name,
            id_number=person.id_number,
            employer=c.world.other_agency_same_district,
            start_date=dt.date(2024, 3, 1),
        ),
    )


@case("directory.update_person", "directory.person_updated")
def update_person(c):
    yield
    directory.update_person(actor=c.world.agency_admin, person=c.world.social_worker_person, major="社会工作")


@case("directory.add_certificate", "directory.certificate_added")
def add_certificate(c):
    yield
    directory.add_certificate(
        actor=c.world.agency_admin,
        person=c.world.social_worker_person,
        level=CertificateLevel.objects.get(code="assistant"),
        number="ZL2023999",
        issued_on=dt.date(2023, 6, 1),
    )


@case("directory.end_employment", "directory.employment_ended")
def end_employment(c):
    yield
    directory.end_employment(
        actor=c.world.agency_admin, person=c.world.social_worker_person, end_date=dt.date(2024, 1, 31)
    )


@case("directory.start_employment", "directory.employment_started")
def start_employment(c):
    person = between_jobs(c)
    yield
    directory.start_employment(
        actor=c.world.district_admin,
        person=person,
        organization=c.world.other_agency_same_district,
        start_date=dt.date(2024, 3, 1),
    )


@case("directory.add_disciplinary_record", "directory.disciplinary_record_added")
def add_disciplinary_record(c):
    yield
    directory.add_disciplinary_record(
        actor=c.world.agency_admin,
        person=c.world.social_worker_person,
        decided_on=dt.date(2024, 5, 1),
        description="违规收取服务对象费用",
    )


@case("directory.transfer_problem")
def transfer_problem(c):
    yield
    directory.transfer_problem(c.world.supervisor_person, c.world.supervisor_person.name, dt.date(2024, 1, 1))


# --- policy --------------------------------------------------------------------------


@case("policy.set_parameter", "policy.parameter_version_added")
def set_parameter(c):
    yield
    policy.set_parameter(
        actor=c.world.city_admin,
        key="selection.nomination_ratio",
        jurisdiction=c.world.city,
        value=8,
        effective_from=timezone.localdate(),
        reason="市局会议决定",
    )


@case("policy.load_defaults", "policy.defaults_loaded", many=True)
def load_defaults(c):
    yield
    assert policy.load_defaults() == len(PARAMETERS) * Jurisdiction.objects.filter(parent=None).count()


@case("policy.load_defaults")
def load_defaults_again(c):
    policy.load_defaults()
    yield
    assert policy.load_defaults() == 0


# --- selection -----------------------------------------------------------------------


def nominee(c):
    """A round open for submissions, and an eligible staff member of the agency (quota 1)."""
    round_ = make_round(c.world.city_admin, c.world.city)
    people = [hire(c.world.agency) for _ in range(6)]
    return round_, people[0]


def draft(c):
    round_, person = nominee(c)
    return selection.create_nomination(
        actor=c.world.agency_admin, round_=round_, person=person, organization=c.world.agency
    )


def submitted(c):
    return selection.submit(actor=c.world.agency_admin, nomination=draft(c))


@case("selection.open_round", "selection.round_opened")
def open_round(c):
    yield
    make_round(c.world.city_admin, c.world.city)


@case("selection.close_round", "selection.round_closed")
def close_round(c):
    round_ = make_round(c.world.city_admin, c.world.city)
    yield
    selection.close_round(actor=c.world.city_admin, round_=round_, reason="结束")


@case("selection.create_nomination", "selection.nomination_created")
def create_nomination(c):
    round_, person = nominee(c)
    yield
    selection.create_nomination(actor=c.world.agency_admin, round_=round_, person=person, organization=c.world.agency)


@case("selection.update_nomination", "selection.nomination_updated")
def update_nomination(c):
    nomination = draft(c)
    yield
    selection.update_nomination(actor=c.world.agency_admin, nomination=nomination, statement="骨干社工")


@case("selection.submit", "selection.nomination_status_changed")
def submit(c):
    nomination = draft(c)
    yield
    selection.submit(actor=c.world.agency_admin, nomination=nomination)


@case("selection.withdraw", "selection.nomination_status_changed")
def withdraw(c):
    nomination = submitted(c)
    yield
    selection.withdraw(actor=c.world.agency_admin, nomination=nomination, reason="本人放弃")


@case("selection.review", "selection.nomination_status_changed")
def review(c):
    nomination = submitted(c)
    yield
    selection.review(actor=c.world.district_admin, nomination=nomination, decision="approve")


@case("selection.add_evidence", "selection.evidence_added")
def add_evidence(c):
    nomination = draft(c)
    yield
    selection.add_evidence(
        actor=c.world.agency_admin,
        nomination=nomination,
        upload=SimpleUploadedFile("证书.pdf", PDF),
        description="证书",
    )


@case("selection.approve_many", "selection.nomination_status_changed")
def approve_many(c):
    nomination = submitted(c)
    yield
    selection.approve_many(
        actor=c.world.district_admin, nominations=[(nomination, nomination.pk, nomination.status)], reason=""
    )


# --- training ------------------------------------------------------------------------


def programme(c):
    """The city's programme (tests/training/conftest.build_training) in the shape the cases below use."""
    world = c.world
    built = build_training(world, make_round(world.city_admin, world.city))
    members = [built.supervisor_member, built.worker_member]
    return SimpleNamespace(
        round=built.round,
        programme=built.programme,
        module=built.theory,
        cohort=built.cohort,
        members=sorted(members, key=lambda m: m.pk),
        spare=built.spare,
    )


def session(c, t):
    return training.schedule_session(
        actor=c.world.trainer,
        cohort=t.cohort,
        module=t.module,
        starts_at=timezone.make_aware(dt.datetime(2026, 4, 1, 9)),
    )


def sent_survey(c, t):
    survey = training.create_survey(
        actor=c.world.trainer,
        programme=t.programme,
        title="培训需求",
        questions=[{"text": "最需要的课程", "kind": Question.Kind.TEXT}],
    )
    training.send_survey(actor=c.world.trainer, survey=survey)
    return survey


def answer(c, survey, text):
    question = survey.questions.get()
    return training.submit_response(actor=c.world.supervisor, survey=survey, answers={str(question.pk): text})


@case("training.create_programme", "training.programme_created")
def create_programme(c):
    yield
    training.create_programme(
        actor=c.world.city_admin,
        jurisdiction=c.world.city,
        name="2027年百名督导培养计划",
        trainer=trainer_org_of(c.world.trainer),
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 12, 31),
    )


@case("training.add_module", "training.module_added")
def add_module(c):
    t = programme(c)
    yield
    training.add_module(
        actor=c.world.trainer, programme=t.programme, title="督导实务", kind="practice", hours=Decimal(8)
    )


@case("training.create_cohort", "training.cohort_created")
def create_cohort(c):
    t = programme(c)
    yield
    training.create_cohort(actor=c.world.trainer, programme=t.programme, name="第二期", round_=t.round)


@case("training.create_cohort", "training.cohort_created", "training.members_added")
def create_cohort_with_trainees(c):
    t = programme(c)
    yield
    training.create_cohort(
        actor=c.world.trainer, programme=t.programme, name="第二期", round_=t.round, trainees=[t.spare]
    )


@case("training.add_members", "training.members_added")
def add_members(c):
    t = programme(c)
    yield
    training.add_members(actor=c.world.trainer, cohort=t.cohort, trainees=[t.spare])


@case("training.schedule_session", "training.session_scheduled")
def schedule_session(c):
    t = programme(c)
    yield
    session(c, t)


@case("training.record_attendance", "training.attendance_recorded")
def record_attendance(c):
    t = programme(c)
    s = session(c, t)
    yield
    training.record_attendance(actor=c.world.trainer, session=s, present_member_ids=[m.pk for m in t.members])


@case("training.record_scores", "training.scores_recorded")
def record_scores(c):
    t = programme(c)
    yield
    training.record_scores(actor=c.world.trainer, member=t.members[0], theory_score=80, practice_score=85)


@case("training.record_cohort_scores", "training.scores_recorded", "training.scores_recorded")
def record_cohort_scores(c):
    t = programme(c)
    yield
    training.record_cohort_scores(
        actor=c.world.trainer, cohort=t.cohort, scores={t.members[0].pk: (80, 85), t.members[1].pk: (70, 75)}
    )


@case("training.confirm_results", "training.results_confirmed", "publicity.item_published")
def confirm_results(c):
    """One trainee passes (all hours attended) and is published (公示 on, the default); the other was absent."""
    t = programme(c)
    s = session(c, t)
    training.record_attendance(actor=c.world.trainer, session=s, present_member_ids=[t.members[0].pk])
    training.record_cohort_scores(
        actor=c.world.trainer, cohort=t.cohort, scores={t.members[0].pk: (80, 85), t.members[1].pk: (70, 75)}
    )
    yield
    assert training.confirm_results(actor=c.world.city_admin, cohort=t.cohort)["published"] == 1


@case("training.confirm_results", "training.results_confirmed", "pools.admitted_to_city_pool")
def confirm_results_without_publicity(c):
    """With 公示 off the passing trainee enters the city pool at once."""
    publicity_off(c.world.city)
    t = programme(c)
    s = session(c, t)
    training.record_attendance(actor=c.world.trainer, session=s, present_member_ids=[t.members[0].pk])
    training.record_cohort_scores(
        actor=c.world.trainer, cohort=t.cohort, scores={t.members[0].pk: (80, 85), t.members[1].pk: (70, 75)}
    )
    yield
    assert training.confirm_results(actor=c.world.city_admin, cohort=t.cohort)["admitted"] == 1


def published_result(c):
    """A passing trainee's result in 公示: (the publicity item, the member)."""
    t = programme(c)
    s = session(c, t)
    training.record_attendance(actor=c.world.trainer, session=s, present_member_ids=[t.members[0].pk])
    training.record_cohort_scores(
        actor=c.world.trainer, cohort=t.cohort, scores={t.members[0].pk: (80, 85), t.members[1].pk: (70, 75)}
    )
    training.confirm_results(actor=c.world.city_admin, cohort=t.cohort)
    return PublicityItem.objects.get(notice__kind="training.results")


@case("training.take_effect_after_publicity", "pools.admitted_to_city_pool")
def result_takes_effect(c):
    item = published_result(c)
    yield
    training.take_effect_after_publicity(actor=None, item=item)


@case("training.stop_after_publicity", "training.result_stopped")
def result_stopped(c):
    item = published_result(c)
    yield
    training.stop_after_publicity(actor=c.world.city_admin, item=item, reason="异议属实")


@case("training.create_survey", "training.survey_created")
def create_survey(c):
    t = programme(c)
    yield
    training.create_survey(
        actor=c.world.trainer,
        programme=t.programme,
        title="培训需求",
        questions=[{"text": "最需要的课程", "kind": "text"}],
    )


@case("training.send_survey", "training.survey_sent")
def send_survey(c):
    t = programme(c)
    survey = training.create_survey(
        actor=c.world.trainer,
        programme=t.programme,
        title="培训需求",
        questions=[{"text": "最需要的课程", "kind": "text"}],
    )
    yield
    training.send_survey(actor=c.world.trainer, survey=survey)


@case("training.submit_response", "training.survey_answered")
def submit_response(c):
    survey = sent_survey(c, programme(c))
    yield
    answer(c, survey, "伦理")


@case("training.submit_response", "training.survey_answer_changed")
def submit_response_again(c):
    survey = sent_survey(c, programme(c))
    answer(c, survey, "伦理")
    yield
    answer(c, survey, "伦理与实务")


@case("training.survey_summary")
def survey_summary(c):
    survey = sent_survey(c, programme(c))
    answer(c, survey, "伦理")
    yield
    assert training.survey_summary(survey)[0]["answered"] == 1


@case("training.record_activity", "training.activity_recorded")
def record_activity(c):
    yield
    training.record_activity(
        actor=c.world.agency_admin,
        organization=c.world.agency,
        title="机构内部督导培训",
        kind="course",
        held_on=dt.date(2026, 5, 1),
        hours=Decimal(2),
        participants=[c.world.social_worker_person],
    )


# --- pools ---------------------------------------------------------------------------


def district_entry(c):
    return pools.admit_to_district_pool(
        actor=c.world.district_admin, person=c.world.supervisor_person, district=c.world.jinshui, reason="区选拔"
    )


@case("pools.admit_to_city_pool", "pools.admitted_to_city_pool")
def admit_to_city_pool(c):
    yield
    city_entry(c.world, c.world.supervisor_person)


@case("pools.admit_to_district_pool", "pools.admitted_to_district_pool")
def admit_to_district_pool(c):
    yield
    district_entry(c)


@case("pools.designate_internal", "pools.internal_designated")
def designate_internal(c):
    yield
    pools.designate_internal(
        actor=c.world.agency_admin, organization=c.world.agency, person=c.world.social_worker_person
    )


@case("pools.change_status", "pools.entry_status_changed")
def change_status(c):
    entry = district_entry(c)
    yield
    pools.change_status(actor=c.world.district_admin, entry=entry, to_status=Entry.Status.SUSPENDED, reason="暂停")


@case("pools.expire_entries", "pools.entry_expired")
def expire_entries(c):
    entry = district_entry(c)
    yield
    assert pools.expire_entries(today=entry.expires_on + dt.timedelta(days=1)) == 1


@case("pools.expire_entries")
def expire_entries_when_none_has_ended(c):
    district_entry(c)
    yield
    assert pools.expire_entries() == 0


@case("pools.next_statuses")
def next_statuses(c):
    entry = district_entry(c)
    yield
    assert pools.next_statuses(entry)


@case("pools.district_rules_check")
def district_rules_check(c):
    yield
    assert pools.district_rules_check(c.world.supervisor_person, c.world.jinshui)


def _discipline(c, person):
    from dudao.directory.models import DisciplinaryRecord

    return DisciplinaryRecord.objects.create(person=person, decided_on=dt.date(2025, 3, 1), description="通报批评")


@case("pools.admit_to_city_pool", "pools.admitted_to_city_pool", "pools.entry_flagged")
def admit_to_city_pool_with_a_disciplinary_record(c):
    _discipline(c, c.world.supervisor_person)
    yield
    assert city_entry(c.world, c.world.supervisor_person).flagged_for_review


@case("directory.add_disciplinary_record", "directory.disciplinary_record_added", "pools.entry_flagged")
def add_disciplinary_record_to_a_pool_member(c):
    pools.designate_internal(
        actor=c.world.agency_admin, organization=c.world.agency, person=c.world.social_worker_person
    )
    yield
    directory.add_disciplinary_record(
        actor=c.world.agency_admin,
        person=c.world.social_worker_person,
        decided_on=dt.date(2024, 5, 1),
        description="违规收取服务对象费用",
    )


@case("pools.flag_person_entries", "pools.entry_flagged")
def flag_person_entries(c):
    district_entry(c)
    record = _discipline(c, c.world.supervisor_person)
    yield
    assert pools.flag_person_entries(actor=c.world.district_admin, record=record) == 1


@case("pools.clear_review_flag", "pools.entry_flag_cleared")
def clear_review_flag(c):
    entry = district_entry(c)
    pools.flag_person_entries(actor=None, record=_discipline(c, c.world.supervisor_person))
    yield
    pools.clear_review_flag(actor=c.world.district_admin, entry=entry, reason="经核查，处分已期满，继续保留")


@case("pools.flag_for_review", "pools.entry_flagged")
def flag_for_review(c):
    entry = district_entry(c)
    yield
    assert pools.flag_for_review(actor=c.world.district_admin, entry=entry, note="连续两年考评基本合格")


@case("pools.withdraw_review_flag", "pools.entry_flag_cleared")
def withdraw_review_flag(c):
    entry = district_entry(c)
    pools.flag_for_review(actor=None, entry=entry, note="连续两年考评基本合格")
    yield
    assert pools.withdraw_review_flag(actor=None, entry=entry, note="连续两年考评基本合格", reason="申诉后改判")


@case("pools.discipline_note")
def discipline_note(c):
    record = _discipline(c, c.world.supervisor_person)
    yield
    assert "通报批评" in pools.discipline_note(record)


# --- supervision: sessions -----------------------------------------------------------


def _session(c, **changes):
    from dudao.supervision.models import Session
    from dudao.supervision.services import sessions
    from tests.supervision.conftest import engagement as make_engagement

    if not hasattr(c, "engagement"):
        entry = pools.designate_internal(
            actor=c.world.agency_admin, organization=c.world.agency, person=c.world.supervisor_person
        )
        c.engagement = make_engagement(entry, c.world.agency)
    terms = {
        "date": dt.date(2026, 3, 10),
        "start_time": dt.time(9, 0),
        "duration_minutes": 60,
        "form": Session.Form.INDIVIDUAL,
        "functions": ["教育"],
        "supervisees": [c.world.social_worker_person],
        "topics": "沟通技巧",
    } | changes
    return sessions.record(actor=c.world.supervisor, engagement=c.engagement, **terms)


@case("supervision.sessions.record", "supervision.session_recorded")
def record_session(c):
    _session(c)  # the engagement is made here, outside the call
    yield
    _session(c, start_time=dt.time(14, 0))


@case("supervision.sessions.update", "supervision.session_changed")
def update_session(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    yield
    sessions.update(actor=c.world.supervisor, session=s, topics="共情")


@case("supervision.sessions.delete", "supervision.session_deleted")
def delete_session(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    yield
    sessions.delete(actor=c.world.supervisor, session=s, reason="重复")


@case("supervision.sessions.confirm", "supervision.session_confirmed")
def confirm_session(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    yield
    sessions.confirm(actor=c.world.social_worker, session=s, rating=5)


@case("supervision.sessions.dispute", "supervision.session_disputed")
def dispute_session(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    yield
    sessions.dispute(actor=c.world.social_worker, session=s, reason="未进行")


@case("supervision.sessions.resolve", "supervision.dispute_resolved")
def resolve_dispute(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    attendance = sessions.dispute(actor=c.world.social_worker, session=s, reason="未进行")
    yield
    sessions.resolve(actor=c.world.agency_admin, attendance=attendance, upheld=True, resolution="已核实")


@case("supervision.sessions.sign_off", "supervision.month_signed_off")
def sign_off_month(c):
    from dudao.supervision.services import sessions

    s = _session(c)
    sessions.confirm(actor=c.world.social_worker, session=s, rating=5)
    yield
    sessions.sign_off(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1))


@case("supervision.sessions.reopen", "supervision.month_reopened")
def reopen_month(c):
    from dudao.supervision.services import sessions

    _session(c, date=dt.date(2026, 4, 2))
    sessions.sign_off(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1))
    yield
    sessions.reopen(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1), reason="补录")


# --- supervision: engagements -----------------------------------------------------------


def supervision_supply(c):
    """督导甲 an internal supervisor of the agency; 二七督导丙 in the city pool, with an account."""
    from tests.factories import staff, user_with_role

    internal = pools.designate_internal(
        actor=c.world.agency_admin, organization=c.world.agency, person=c.world.supervisor_person
    )
    person = staff(c.world.erqi_agency, certified=True, name="二七督导丙")
    external = city_entry(c.world, person, home=c.world.erqi)
    user = user_with_role(Role.SUPERVISOR, username="external_supervisor", person=person)
    return SimpleNamespace(internal=internal, external=external, user=user)


def engagement_terms(**overrides):
    today = timezone.localdate()
    return {
        "starts_on": today - dt.timedelta(days=10),
        "ends_on": today + dt.timedelta(days=100),
        "hours_per_month": Decimal(8),
        "covers_all_staff": True,
        "functions": ["教育"],
        **overrides,
    }


def proposed(c, s):
    return supervision_engagements.propose(
        actor=c.world.agency_admin, organization=c.world.agency, entry=s.external, **engagement_terms()
    )


def accepted(c, s):
    return supervision_engagements.accept(actor=s.user, engagement=proposed(c, s))


@case("supervision.engagements.engage_internal", "supervision.engagement_created")
def engage_internal(c):
    s = supervision_supply(c)
    yield
    supervision_engagements.engage_internal(
        actor=c.world.agency_admin, organization=c.world.agency, entry=s.internal, **engagement_terms()
    )


@case("supervision.engagements.propose", "supervision.engagement_proposed")
def propose_engagement(c):
    s = supervision_supply(c)
    yield
    proposed(c, s)


@case("supervision.engagements.withdraw", "supervision.engagement_withdrawn")
def withdraw_engagement(c):
    s = supervision_supply(c)
    engagement = proposed(c, s)
    yield
    supervision_engagements.withdraw(actor=c.world.agency_admin, engagement=engagement)


@case("supervision.engagements.accept", "supervision.engagement_accepted")
def accept_engagement(c):
    s = supervision_supply(c)
    engagement = proposed(c, s)
    yield
    supervision_engagements.accept(actor=s.user, engagement=engagement)


@case("supervision.engagements.decline", "supervision.engagement_declined")
def decline_engagement(c):
    s = supervision_supply(c)
    engagement = proposed(c, s)
    yield
    supervision_engagements.decline(actor=s.user, engagement=engagement, reason="本月已满")


@case("supervision.engagements.end", "supervision.engagement_ended")
def end_engagement(c):
    s = supervision_supply(c)
    engagement = accepted(c, s)
    yield
    supervision_engagements.end(
        actor=c.world.agency_admin, engagement=engagement, ended_on=timezone.localdate(), reason="项目结束"
    )


@case("supervision.engagements.confirm_agreement", "supervision.agreement_confirmed")
def confirm_agreement(c):
    s = supervision_supply(c)
    engagement = proposed(c, s)
    yield
    supervision_engagements.confirm_agreement(actor=c.world.agency_admin, engagement=engagement)


@case("supervision.engagements.update_agreement", "supervision.agreement_changed")
def update_agreement(c):
    s = supervision_supply(c)
    engagement = accepted(c, s)
    yield
    supervision_engagements.update_agreement(actor=c.world.agency_admin, engagement=engagement, goals="新的目标")


@case("supervision.engagements.update_agreement")
def update_agreement_unchanged(c):
    s = supervision_supply(c)
    engagement = accepted(c, s)
    yield
    supervision_engagements.update_agreement(actor=c.world.agency_admin, engagement=engagement, goals="")


# --- supervision: practice hours and ability assessments ----------------------------


def supervised(c):
    """An internal engagement: 督导甲 supervises all staff of the world's agency this year."""
    from dudao.supervision.models import Engagement
    from tests.supervision.conftest import engagement

    entry = pools.designate_internal(
        actor=c.world.agency_admin, organization=c.world.agency, person=c.world.supervisor_person
    )
    year = timezone.localdate().year
    made = engagement(entry, c.world.agency, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31))
    assert made.status == Engagement.Status.ACTIVE
    return made


def practice_logged(c):
    from dudao.supervision.services import practice

    return practice.log(
        actor=c.world.supervisor,
        organization=c.world.agency,
        date=timezone.localdate(),
        hours=Decimal("2.5"),
        description="个案服务",
    )


def competency_scores(score=3):
    return dict.fromkeys(PARAMETERS_BY_KEY["supervision.competencies"].default, score)


@case("supervision.practice.log", "supervision.practice_logged")
def log_practice(c):
    yield
    practice_logged(c)


@case("supervision.practice.confirm", "supervision.practice_decided")
def confirm_practice(c):
    from dudao.supervision.services import practice

    entry = practice_logged(c)
    yield
    practice.confirm(actor=c.world.agency_admin, log=entry)


@case("supervision.practice.reject", "supervision.practice_decided")
def reject_practice(c):
    from dudao.supervision.services import practice

    entry = practice_logged(c)
    yield
    practice.reject(actor=c.world.agency_admin, log=entry, reason="当日未到岗")


@case("supervision.assessments.assess", "supervision.assessment_recorded")
def assess_supervisee(c):
    from dudao.supervision.services import assessments

    made = supervised(c)
    yield
    assessments.assess(
        actor=c.world.supervisor,
        engagement=made,
        supervisee=c.world.social_worker_person,
        year=timezone.localdate().year,
        phase="start",
        scores=competency_scores(),
        assessed_on=timezone.localdate(),
    )


# --- evaluation: cycles and service results ------------------------------------------------


def _cycle(c):
    from dudao.evaluation.services import cycles
    from dudao.pools.models import Entry

    today = timezone.localdate()
    return cycles.open_cycle(
        actor=c.world.city_admin,
        owner=c.world.city,
        level=Entry.Level.CITY,
        year=today.year,
        title="市级督导年度考评",
        scoring_deadline=today + dt.timedelta(days=30),
        review_deadline=today + dt.timedelta(days=40),
    )


@case("evaluation.cycles.open_cycle", "evaluation.cycle_opened")
def open_evaluation_cycle(c):
    yield
    _cycle(c)


@case("evaluation.cycles.compute", "evaluation.cycle_changed", "evaluation.indicators_computed")
def compute_evaluation_cycle(c):
    from dudao.evaluation.services import cycles

    cycle = _cycle(c)
    yield
    cycles.compute(actor=c.world.city_admin, cycle=cycle)


@case("evaluation.cycles.run_computation", "evaluation.indicators_computed")
def run_evaluation_computation(c):
    from dudao.evaluation.models import Cycle
    from dudao.evaluation.services import cycles

    cycle = _cycle(c)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPUTING)
    yield
    cycles.run_computation(cycle.pk, c.world.city_admin.pk)


# Reads the policy only.
@case("evaluation.cycles.default_deadlines")
def default_evaluation_deadlines(c):
    from dudao.evaluation.services import cycles

    yield
    cycles.default_deadlines(c.world.city)


@case("evaluation.service_results.record", "evaluation.service_result_recorded")
def record_service_result(c):
    from dudao.evaluation.services import service_results

    yield
    service_results.record(actor=c.world.agency_admin, person=c.world.social_worker_person, year=2026, score="88")


@case(
    "evaluation.service_results.import_sheet",
    "evaluation.service_result_recorded",
    "evaluation.service_results_imported",
    many=True,
)
def import_service_results(c):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from dudao.evaluation.services import service_results

    person = c.world.social_worker_person
    wb = Workbook()
    wb.active.append(["ID number", "Name", "Service evaluation result"])
    wb.active.append([person.id_number, person.name, 90])
    buffer = BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    yield
    service_results.import_sheet(
        actor=c.world.agency_admin,
        organization=c.world.agency,
        year=2026,
        file=SimpleUploadedFile("results.xlsx", data),
    )


# Builds a blank sheet to fill in: writes nothing.
@case("evaluation.service_results.template_file")
def service_results_template(c):
    from dudao.evaluation.services import service_results

    yield
    service_results.template_file(c.world.agency)


# --- supervision: coverage -----------------------------------------------------------------


@case("supervision.coverage.set_supervisee_type", "supervision.supervisee_type_set")
def set_supervisee_type(c):
    yield
    supervision_coverage.set_supervisee_type(
        actor=c.world.agency_admin, person=c.world.social_worker_person, type="intern"
    )


# Coverage rows are derived data, recomputed from audited changes: no event of their own.
@case("supervision.coverage.refresh")
def refresh_coverage(c):
    yield
    supervision_coverage.refresh([c.world.agency.pk])


@case("supervision.coverage.refresh_all")
def refresh_all_coverage(c):
    yield
    supervision_coverage.refresh_all(batch_size=2)


# A supervisor's yearly sums are derived data too, kept from audited changes of sessions,
# ratings and practice logs: no event of their own.
@case("supervision.years.refresh")
def refresh_supervisor_year(c):
    from dudao.supervision.services import years

    yield
    years.refresh(c.world.supervisor_person.pk, 2026)


@case("supervision.years.rebuild")
def rebuild_supervisor_years(c):
    from dudao.supervision.services import years

    yield
    years.rebuild(2026)


# --- writers outside services.py: imports, exports, reference data ------------------

OTHER_WRITERS: list[tuple[str, Case]] = []


def other_writer(name: str, *events: str, many: bool = False):  # like case(), for writers outside services.py
    def register(run):
        OTHER_WRITERS.append((name, Case(run, events, many)))
        return run

    return register


@other_writer("directory.imports.import_roster", "directory.staff_imported", *["directory.person_imported"] * 3)
def import_roster(c):
    from dudao.directory.imports import import_roster
    from tests.excel import roster_file

    rows = [
        {"name": f"导入{n}", "id_number": id_number(5000 + n), "start_date": "2021-03-01", "education": "本科"}
        for n in range(3)
    ]
    yield
    assert import_roster(actor=c.world.agency_admin, organization=c.world.agency, upload=roster_file(rows)) == 3


@other_writer(
    "training.imports.import_scores", "training.scores_imported", "training.scores_recorded", "training.scores_recorded"
)
def import_scores(c):
    from io import BytesIO

    from openpyxl import load_workbook

    from dudao.training.imports import import_scores, template_file

    t = programme(c)
    workbook = load_workbook(BytesIO(template_file(t.cohort)))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if isinstance(row[0].value, int):
            row[2].value, row[3].value = 80, 85
    buffer = BytesIO()
    workbook.save(buffer)
    yield
    upload = SimpleUploadedFile("scores.xlsx", buffer.getvalue())
    assert import_scores(actor=c.world.trainer, cohort=t.cohort, upload=upload) == 2


@other_writer("core.reminders.send_due", "core.reminder_sent")
def send_deadline_reminders(c):
    from dudao.core.reminders import send_due
    from tests.selection.helpers import hire_many

    round_ = make_round(c.world.city_admin, c.world.city)
    hire_many(c.world.agency, 7)
    yield
    assert send_due(timezone.localdate(round_.submission_deadline) - dt.timedelta(days=3))["sent"] == 1


@other_writer("core.jobs.start_export", "core.export_requested")
def start_export(c):
    from dudao.core.jobs import start_export

    yield
    start_export(actor=c.world.city_admin, list_name="directory:person_list", query="", title="人员")


@other_writer("directory.reference_data.load", "directory.reference_data_updated")
def reload_reference_data(c):
    import json

    from dudao.directory import reference_data

    data = json.loads(reference_data.COMMON_FILE.read_text(encoding="utf-8"))
    data["service_domains"]["version"] += 1
    path = c.tmp_path / "reference.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    yield
    reference_data.load(path)


@other_writer("directory.reference_data.load")
def load_reference_data_up_to_date(c):
    from dudao.directory import reference_data

    yield
    reference_data.load()


# --- subsidies -----------------------------------------------------------------------------


def _subsidy_month(c):
    """A signed-off March of an internal engagement with one confirmed session."""
    from dudao.supervision.models import MonthSignOff, Session
    from tests.supervision.conftest import engagement as make_engagement

    entry = pools.designate_internal(
        actor=c.world.agency_admin, organization=c.world.agency, person=c.world.supervisor_person
    )
    c.engagement = make_engagement(entry, c.world.agency)
    Session.objects.create(
        engagement=c.engagement,
        supervisor_id=c.engagement.supervisor_id,
        organization_id=c.engagement.organization_id,
        date=dt.date(2026, 3, 10),
        start_time=dt.time(9, 0),
        duration_minutes=90,
        month=dt.date(2026, 3, 1),
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        topics="沟通技巧",
        status=Session.Status.CONFIRMED,
    )
    MonthSignOff.objects.create(
        engagement=c.engagement, month=dt.date(2026, 3, 1), signed_by=c.world.agency_admin, signed_at=timezone.now()
    )


def _computed_statement(c):
    from dudao.subsidies.services import statements

    _subsidy_month(c)
    return statements.compute(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1))[0]


@case("subsidies.statements.compute", "subsidies.statement_computed")
def compute_statement(c):
    from dudao.subsidies.services import statements

    _subsidy_month(c)
    yield
    statements.compute(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1))


@case("subsidies.statements.confirm", "subsidies.statement_confirmed")
def confirm_statement(c):
    from dudao.subsidies.services import statements

    statement = _computed_statement(c)
    yield
    statements.confirm(actor=c.world.agency_admin, statement=statement)


@case("subsidies.statements.pay", "subsidies.statement_paid")
def pay_statement(c):
    from dudao.subsidies.services import statements

    statement = statements.confirm(actor=c.world.agency_admin, statement=_computed_statement(c))
    yield
    statements.pay(
        actor=c.world.agency_admin,
        statement=statement,
        paid_on=dt.date(2026, 4, 10),
        reference="ZF-1",
        purposes={"transport": statement.total},
    )


@case("subsidies.statements.void_month", "subsidies.statement_voided")
def void_statements(c):
    from dudao.subsidies.services import statements

    _computed_statement(c)
    yield
    statements.void_month(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1), reason="重开")


# Reopening a month whose statement is computed writes the reopening and the void, in one transaction.
@case("supervision.sessions.reopen", "supervision.month_reopened", "subsidies.statement_voided")
def reopen_month_with_statement(c):
    from dudao.supervision.services import sessions

    _computed_statement(c)
    yield
    sessions.reopen(actor=c.world.agency_admin, engagement=c.engagement, month=dt.date(2026, 3, 1), reason="补录")


# --- evaluation: scoring, results, appeals, renewals ------------------------------------------


def _evaluation_scene(c, *, published=False):
    from dudao.evaluation.services import results
    from tests.evaluation.scoring_setup import scene, score_all

    s = scene(c.world)
    if published:
        score_all(s)
        results.compute(actor=c.world.city_admin, cycle=s.cycle)
        results.publish(actor=c.world.city_admin, cycle=s.cycle)
        s.evaluation.refresh_from_db()
    return s


@case("evaluation.scoring.submit", "evaluation.party_scored")
def submit_party_scores(c):
    from dudao.evaluation.services import scoring

    s = _evaluation_scene(c)
    yield
    scoring.submit(
        actor=c.world.association, evaluation=s.evaluation, party="association", ethics=80, ability=80, performance=80
    )


@case("evaluation.results.compute", "evaluation.results_computed")
def compute_results(c):
    from dudao.evaluation.services import results

    s = _evaluation_scene(c)
    yield
    results.compute(actor=c.world.city_admin, cycle=s.cycle)


@case("evaluation.results.publish", "evaluation.results_published")
def publish_results(c):
    from dudao.evaluation.services import results
    from tests.evaluation.scoring_setup import score_all

    s = _evaluation_scene(c)
    score_all(s)
    results.compute(actor=c.world.city_admin, cycle=s.cycle)
    yield
    results.publish(actor=c.world.city_admin, cycle=s.cycle)


@case("evaluation.results.move_review_deadline", "evaluation.review_deadline_moved")
def move_review_deadline(c):
    from dudao.evaluation.services import results

    s = _evaluation_scene(c)
    yield
    results.move_review_deadline(
        actor=c.world.city_admin,
        cycle=s.cycle,
        review_deadline=s.cycle.review_deadline + dt.timedelta(days=7),
        reason="协会评分延迟",
    )


@case("evaluation.appeals.lodge", "evaluation.appeal_lodged")
def lodge_appeal(c):
    from dudao.evaluation.services import appeals

    s = _evaluation_scene(c, published=True)
    yield
    appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="评分偏低")


@case("evaluation.appeals.decide", "evaluation.appeal_decided")
def decide_appeal(c):
    from dudao.evaluation.services import appeals

    s = _evaluation_scene(c, published=True)
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="评分偏低")
    yield
    appeals.decide(
        actor=c.world.city_admin,
        appeal=appeal,
        upheld=True,
        decision="予以更正",
        changes={"indicator_points": {"service_hours": "90.00"}},
    )


def _due_for_renewal(c):
    from dudao.evaluation.models import Cycle, Evaluation
    from tests.evaluation.scoring_setup import make_cycle

    s = _evaluation_scene(c)
    today = timezone.localdate()
    Entry.objects.filter(pk=s.entry.pk).update(
        admitted_on=today.replace(year=today.year - 3), expires_on=today + dt.timedelta(days=30)
    )
    last = make_cycle(c.world, year=today.year - 1, status=Cycle.Status.PUBLISHED, title="上年度考评")
    Evaluation.objects.create(
        cycle=last, entry=s.entry, person=s.person, score=Decimal("80"), grade="pass", status="published"
    )
    return s


@case("evaluation.renewals.propose_due", "evaluation.renewal_proposed")
def propose_renewals(c):
    from dudao.evaluation.services import renewals

    _due_for_renewal(c)
    yield
    renewals.propose_due(actor=c.world.city_admin, level="city", jurisdiction=c.world.city)


@case("evaluation.renewals.propose_all_due", "evaluation.renewal_proposed")
def propose_renewals_on_schedule(c):
    from dudao.evaluation.services import renewals

    _due_for_renewal(c)
    yield
    renewals.propose_all_due()


@case("evaluation.renewals.decide", "evaluation.renewal_decided", "pools.entry_renewed")
def decide_renewal(c):
    from dudao.evaluation.services import renewals

    _due_for_renewal(c)
    (renewal,) = renewals.propose_due(actor=c.world.city_admin, level="city", jurisdiction=c.world.city)
    yield
    renewals.decide(actor=c.world.city_admin, renewal=renewal, approve=True, reason="考评合格，续聘")


@case("pools.renew", "pools.entry_renewed")
def renew_entry(c):
    entry = city_entry(c.world, c.world.supervisor_person)
    yield
    pools.renew(
        actor=c.world.city_admin, entry=entry, expires_on=entry.expires_on + dt.timedelta(days=365), reason="续聘"
    )


# A computation of the next term's end: a read.
@case("pools.renewed_term_end")
def renewed_term_end(c):
    entry = city_entry(c.world, c.world.supervisor_person)
    yield
    pools.renewed_term_end(entry)


# --- publicity (公示) -------------------------------------------------------------------


def approved_in_publicity(c):
    """A nomination the district and the city approved: in 公示 (on by default)."""
    nomination = submitted(c)
    selection.review(actor=c.world.district_admin, nomination=nomination, decision="approve")
    selection.review(actor=c.world.city_admin, nomination=nomination, decision="approve")
    return nomination, PublicityItem.objects.get(target_id=nomination.pk, notice__kind="selection.trainees")


def lodged(c, item):
    return publicity.lodge_objection(actor=c.world.supervisor, item=item, text="推荐材料与事实不符")


def period_over(item):
    Notice.objects.filter(pk=item.notice_id).update(
        starts_on=timezone.localdate() - dt.timedelta(days=10), ends_on=timezone.localdate() - dt.timedelta(days=3)
    )


@case("selection.review", "selection.nomination_status_changed", "publicity.item_published")
def city_approval_in_publicity(c):
    nomination = submitted(c)
    selection.review(actor=c.world.district_admin, nomination=nomination, decision="approve")
    yield
    selection.review(actor=c.world.city_admin, nomination=nomination, decision="approve")


@case("publicity.publish", "publicity.item_published")
def publish(c):
    nomination = submitted(c)
    yield
    publicity.publish(
        actor=c.world.city_admin,
        kind="selection.trainees",
        jurisdiction=c.world.city,
        source="round:x",
        title="公示",
        target_id=nomination.pk,
        record="selection.nomination:x",
        name="甲",
        unit="乙",
        district="丙",
        path="丁",
    )


@case("publicity.update_notice", "publicity.notice_updated")
def update_notice(c):
    _nomination, item = approved_in_publicity(c)
    yield
    publicity.update_notice(actor=c.world.city_admin, notice=item.notice, contact="市民政局 0371-60000000")


@case("publicity.lodge_objection", "publicity.objection_lodged")
def lodge_objection(c):
    _nomination, item = approved_in_publicity(c)
    yield
    lodged(c, item)


@case(
    "publicity.decide_objection",
    "publicity.objection_decided",
    "publicity.item_stopped",
    "selection.nomination_status_changed",
)
def uphold_objection(c):
    _nomination, item = approved_in_publicity(c)
    objection = lodged(c, item)
    yield
    publicity.decide_objection(actor=c.world.city_admin, objection=objection, decision="upheld", reason="经核实属实")


@case("publicity.decide_objection", "publicity.objection_decided")
def dismiss_objection_during_the_period(c):
    _nomination, item = approved_in_publicity(c)
    objection = lodged(c, item)
    yield
    publicity.decide_objection(actor=c.world.city_admin, objection=objection, decision="dismissed", reason="不属实")


@case(
    "publicity.decide_objection",
    "publicity.objection_decided",
    "publicity.item_took_effect",
    "selection.nomination_status_changed",
)
def dismiss_objection_after_the_period(c):
    _nomination, item = approved_in_publicity(c)
    objection = lodged(c, item)
    period_over(item)
    yield
    publicity.decide_objection(actor=c.world.city_admin, objection=objection, decision="dismissed", reason="不属实")


@case("publicity.settle_due", "publicity.item_took_effect", "selection.nomination_status_changed")
def settle_due(c):
    _nomination, item = approved_in_publicity(c)
    period_over(item)
    yield
    assert publicity.settle_due() == 1


@case("selection.take_effect_after_publicity", "selection.nomination_status_changed")
def nomination_takes_effect(c):
    _nomination, item = approved_in_publicity(c)
    yield
    selection.take_effect_after_publicity(actor=None, item=item)


@case("selection.stop_after_publicity", "selection.nomination_status_changed")
def nomination_stopped(c):
    _nomination, item = approved_in_publicity(c)
    yield
    selection.stop_after_publicity(actor=c.world.city_admin, item=item, reason="异议属实")


# --- the checks ----------------------------------------------------------------------


def test_every_public_service_is_in_the_table():
    services = public_services()
    missing = sorted(services - set(CASES))
    assert not missing, f"Add these services to the table in {__name__} with the events they write: {missing}"
    stale = sorted(set(CASES) - services)
    assert not stale, f"These services are gone; remove them from the table: {stale}"


def test_the_enumeration_sees_a_new_service(monkeypatch):
    # The check above must be able to fail: a public function added to a services module is found.
    def brand_new_service(*, actor):
        pass

    brand_new_service.__module__ = pools.__name__
    monkeypatch.setattr(pools, "brand_new_service", brand_new_service, raising=False)
    assert "pools.brand_new_service" in public_services() - set(CASES)


def test_every_expected_event_is_declared():
    declared = {e.code for e in audit.events() if not e.legacy}
    cases = [c for service_cases in CASES.values() for c in service_cases] + [c for _name, c in OTHER_WRITERS]
    expected = {event for c in cases for event in c.events}
    assert expected <= declared, sorted(expected - declared)


ALL_CASE_COUNT = sum(len(cases) for cases in CASES.values())


@pytest.mark.parametrize(
    "service_case",
    [pytest.param(c, id=f"{service}-{c.name}") for service, cases in sorted(CASES.items()) for c in cases]
    + [pytest.param(c, id=f"{name}-{c.name}") for name, c in OTHER_WRITERS],
)
def test_each_service_writes_exactly_its_events(world, tmp_path, service_case):
    context = SimpleNamespace(world=world, tmp_path=tmp_path)
    steps = service_case.run(context)
    next(steps)  # the setup: whatever it writes is not this case's concern
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for _rest in steps:
        pytest.fail(f"{service_case.name} yields more than once")
    written = list(AuditEntry.objects.filter(pk__gt=last).values_list("event", "action"))
    events = Counter(event for event, _action in written)
    if service_case.many:
        assert set(events) == set(service_case.events) and all(events.values())
    else:
        assert events == Counter(service_case.events)
    # The kind of change stored beside each event is the event's own.
    assert all(audit.get(event).action == action for event, action in written)


def test_no_case_is_registered_after_the_parametrised_check():
    # Parametrisation reads CASES where the test is defined: a case added below it would never run.
    ran = {c.name for cases in CASES.values() for c in cases}
    assert len(ran) == sum(len(cases) for cases in CASES.values())
    assert sum(len(cases) for cases in CASES.values()) == ALL_CASE_COUNT
