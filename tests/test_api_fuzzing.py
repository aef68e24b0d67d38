"""Schemathesis over the whole API, as three personas: the city admin, a
district admin and an agency admin (issue 8, "Fuzzing in CI").

Every operation of the OpenAPI document, reads and writes, the token endpoint
and the public verification included, gets generated requests: once with
random path parameters (almost all 404s) and once with the ids of real
records, so the handlers behind the lookups run too. Every response must pass
four checks: no server error, the status code documented, the content type
documented, the body matching its schema.

The run is reproducible and bounded: a fixed seed (derandomize) and a fixed
number of examples per operation. It runs inside the test's transaction, on
data this module builds, so nothing it writes outlives the test or touches
another test's data.

Nothing is excluded: every operation in the document is run, and the test
fails if one was not.
"""

import datetime as dt

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dudao.core.models import AuditEntry, Job
from dudao.policy import services as policy_services
from dudao.pools import services as pool_services
from dudao.publicity import services as publicity_services
from dudao.selection.selectors import publicity_record
from dudao.supervision.services import engagements as engagement_services
from dudao.training import services as training_services
from tests.pools.conftest import city_entry
from tests.selection.helpers import hire_many, make_round, nominate
from tests.training.conftest import make_trainee, trainer_org_of

SCHEMA_URL = "/api/schema/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PERSONAS = ["city_admin", "district_admin", "agency_admin"]
# Examples per operation and strategy: enough to vary every field a few
# times, few enough that the three personas together stay well within CI's time.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
# The city admin reads every record, so its run takes every handler past its lookup with
# generated input. A district's or an agency's admin runs the same handlers through a
# narrower scope, where most answers are the refusal (404, 403) that depends on the record,
# not on the input: half as many examples each. (In one SQLite run, this module took 860 of
# the suite's 3,200 test-seconds, 520 of them the district's and the agency's runs.)
SCOPED_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}
SHARDS = 2  # each persona's operations in two halves, so pytest-xdist can spread them


@pytest.fixture
def wsgi_app_in_test_transaction():
    """Django's WSGI handler, with the per-request connection clean-up off as
    the test client has it, so the app sees (and writes in) the test's
    transaction, which is rolled back afterwards."""
    from dudao.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def supervision_session(engagement) -> int:
    """One session of the engagement (written directly: the services have their own tests)."""
    from dudao.supervision.models import Session

    day = engagement.starts_on
    return Session.objects.create(
        engagement=engagement,
        supervisor=engagement.supervisor,
        organization=engagement.organization,
        date=day,
        start_time=dt.time(9),
        duration_minutes=60,
        month=day.replace(day=1),
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        topics="沟通技巧",
    ).pk


@pytest.fixture
def records(world):
    """One of everything the API serves, made through the services; returns
    the real path parameter of each collection."""
    cache.clear()  # the verification throttle counts in the cache
    policy_services.load_defaults()
    round_ = make_round(world.city_admin, world.city)
    staff = hire_many(world.agency, 7)
    submitted = nominate(world, round_, staff[0])
    nominate(world, round_, staff[1], submit=False)
    first = make_trainee(round_, world.supervisor_person, world.agency)
    second = make_trainee(round_, world.social_worker_person, world.agency)
    programme = training_services.create_programme(
        actor=world.city_admin,
        jurisdiction=world.city,
        name="百名督导培养计划",
        trainer=trainer_org_of(world.trainer),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
    )
    module = training_services.add_module(
        actor=world.city_admin, programme=programme, title="督导理论", kind="theory", hours=8
    )
    cohort = training_services.create_cohort(
        actor=world.city_admin, programme=programme, name="第一期", round_=round_, trainees=[first, second]
    )
    session = training_services.schedule_session(
        actor=world.city_admin, cohort=cohort, module=module, starts_at=timezone.now(), location="中心"
    )
    survey = training_services.create_survey(
        actor=world.city_admin,
        programme=programme,
        title="培训需求",
        questions=[{"text": "最需要的内容", "kind": "choice", "choices": ["理论", "实务"]}],
    )
    training_services.send_survey(actor=world.city_admin, survey=survey)
    activity = training_services.record_activity(
        actor=world.agency_admin,
        organization=world.agency,
        title="伦理学习",
        kind="ethics",
        held_on=timezone.localdate(),
        hours=2,
        participants=[world.supervisor_person],
    )
    entry = city_entry(world, world.supervisor_person)
    internal = pool_services.designate_internal(actor=world.agency_admin, organization=world.agency, person=staff[2])
    engagement = engagement_services.engage_internal(
        actor=world.agency_admin,
        organization=world.agency,
        entry=internal,
        starts_on=timezone.localdate(),
        ends_on=internal.expires_on,
        hours_per_month=4,
        covers_all_staff=True,
    )
    practice_log, assessment = supervision_records(world, entry)
    publicity_item, objection = publicity_records(world, submitted)
    return {
        "jurisdictions": world.jinshui.pk,
        "organizations": world.agency.pk,
        "people": world.supervisor_person.pk,
        "users": world.agency_admin.pk,
        "rounds": round_.pk,
        "nominations": submitted.pk,
        "trainees": first.pk,
        "programmes": programme.pk,
        "modules": module.pk,
        "cohorts": cohort.pk,
        "members": cohort.members.first().pk,
        "sessions": session.pk,
        "surveys": survey.pk,
        "activities": activity.pk,
        "pool-entries": entry.pk,
        "parameters": "selection.nomination_ratio",
        "verify": entry.verification_code,
        "exports": Job.objects.create(owner=world.city_admin, title="导出", parameters={}).pk,
        "audit": AuditEntry.objects.latest("pk").pk,
        "engagements": engagement.pk,
        "supervision-sessions": supervision_session(engagement),
        "practice-hours": practice_log.pk,
        "assessments": assessment.pk,
        "supervisors": world.supervisor_person.pk,
        "subsidy-statements": subsidy_statement(engagement),
        "publicity-notices": publicity_item.notice_id,
        "publicity-items": publicity_item.pk,
        "publicity-objections": objection.pk,
        **evaluation_records(world),
    }


def publicity_records(world, nomination):
    """A list in 公示 with one person and a named objection awaiting decision."""
    item = publicity_services.publish(
        actor=world.city_admin,
        kind="selection.trainees",
        jurisdiction=world.city,
        source="round:fuzz",
        title="培养对象名单公示",
        target_id=nomination.pk,
        record=publicity_record(nomination.pk),
        name=nomination.person.name,
        unit=nomination.organization.name,
        district=world.jinshui.name,
        path="按比例推荐",
    )
    objection = publicity_services.lodge_objection(actor=world.supervisor, item=item, text="材料不实")
    return item, objection


def evaluation_records(world):
    """A published city-pool cycle with an appeal lodged and a renewal proposed."""
    from dudao.evaluation.models import PartyForm, Renewal
    from dudao.evaluation.services import appeals, results
    from tests.evaluation.scoring_setup import scene, score_all

    s = scene(world)
    score_all(s)
    results.compute(actor=world.city_admin, cycle=s.cycle)
    results.publish(actor=world.city_admin, cycle=s.cycle)
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="评分偏低")
    renewal = Renewal.objects.create(entry=s.entry, grades=[{"year": s.cycle.year, "grade": "pass"}])
    return {
        "evaluation-forms": PartyForm.objects.get(evaluation=s.evaluation, party="authority").pk,
        "evaluation-results": s.evaluation.pk,
        "evaluations": s.evaluation.pk,
        "evaluation-cycles": s.cycle.pk,
        "evaluation-appeals": appeal.pk,
        "renewals": renewal.pk,
    }


def subsidy_statement(engagement) -> int:
    """A computed statement of the engagement (written directly: the services are tested in tests/subsidies)."""
    from dudao.subsidies.models import Statement

    return Statement.objects.create(
        kind=Statement.Kind.STATEMENT,
        engagement=engagement,
        month=engagement.starts_on.replace(day=1),
        supervisor_id=engagement.supervisor_id,
        organization=engagement.organization,
        pool_level=engagement.entry.level,
        payer_organization=engagement.organization,
    ).pk


def supervision_records(world, entry):
    """督导甲 engaged by their agency this year, with a practice log and a start assessment."""
    from dudao.policy.registry import BY_KEY
    from dudao.supervision.services import assessments, practice
    from tests.supervision.conftest import engagement

    today = timezone.localdate()
    made = engagement(
        entry, world.agency, starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31)
    )
    practice_log = practice.log(
        actor=world.supervisor, organization=world.agency, date=today, hours=2, description="个案服务"
    )
    assessment = assessments.assess(
        actor=world.supervisor,
        engagement=made,
        supervisee=world.social_worker_person,
        year=today.year,
        phase="start",
        scores=dict.fromkeys(BY_KEY["supervision.competencies"].default, 3),
        assessed_on=today,
    )
    return practice_log, assessment


def real_path_parameters(path: str, records: dict) -> dict | None:
    """The path parameters of a real record for `path`, or None without any."""
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts):
        if part.startswith("{") and i:
            return {part.strip("{}"): records[parts[i - 1]]}
    return None


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_survives_generated_input(world, records, wsgi_app_in_test_transaction, persona, shard):
    if persona != "city_admin" and connection.vendor == "postgresql":
        # Each persona's run is minutes; CI runs the suite on both databases within its time. What only
        # PostgreSQL refuses (NUL characters, out-of-range numbers) is input, which the city admin's run
        # sends to every operation with every record readable; the scopes are the same code on both.
        pytest.skip("on PostgreSQL the API is fuzzed as the city admin; all three personas are fuzzed on SQLite")
    user = world.persona(persona)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app_in_test_transaction, headers=headers)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda op: op.label)
    labels = {op.label for op in operations}
    # The whole API is in the document, writes, the token endpoint and the public verification included.
    assert {
        "POST /api/v1/auth/token/",
        "GET /api/v1/verify/{code}/",
        "POST /api/v1/people/",
        "PUT /api/v1/policy/parameters/{key}/",
        "POST /api/v1/cohorts/{id}/members/",
    } <= labels
    mine = operations[shard::SHARDS]
    failures, seen = [], {}
    budget = EXAMPLES if persona == "city_admin" else SCOPED_EXAMPLES

    for operation in mine:
        real = real_path_parameters(operation.path, records)
        positive, negative = budget[GenerationMode.POSITIVE], budget[GenerationMode.NEGATIVE]
        strategies = [(operation.as_strategy(), positive, False)]
        if real:
            strategies.append((operation.as_strategy(path_parameters=real), positive, False))
        # Invalid input goes into the query and the body of a real record's
        # operation. Not into the path: an id like "0.5" matches no route at
        # all, so no API view answers it (Django's own "not found" page does).
        strategies.append(
            (operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=real or {}), negative, True)
        )
        for strategy, examples, may_be_empty in strategies:

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                # DELETE /auth/tokens/ revokes the caller's own token; the next case gets a new one.
                headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
                response = case.call(headers=headers)
                seen.setdefault(case.operation.label, set()).add(response.status_code)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported together below
                    failures.append(f"{case.operation.label} → {response.status_code}\n{case.as_curl_command()}\n{exc}")

            try:
                run()
            except Unsatisfiable:
                # An operation with neither query nor body (GET /users/me/) has no input to make invalid.
                if not may_be_empty:
                    raise

    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures[:20])
    assert set(seen) == {op.label for op in mine}, "operations that were never run"
    if persona == "city_admin":
        # The real records were reached, not only refusals: the city reads every one of them.
        unread = {label for label, codes in seen.items() if label.startswith("GET ") and 200 not in codes}
        # These two need a person in the query, which random input does not name, and a download needs a
        # finished file (409 until then); all three are tested directly (tests/selection, tests/pools, tests/core/test_jobs.py).
        expected_unread = {
            "GET /api/v1/rounds/{id}/eligibility/",
            "GET /api/v1/pool-district-admissions/check/",
            "GET /api/v1/exports/{id}/download/",
            # Needs a supervisor or an organisation id in the query (tests/supervision/test_sessions_api.py).
            "GET /api/v1/supervision-ratings/summary/",
            # Only the agency's own admin reads its candidates; tests/supervision/test_matching.py covers it.
            "GET /api/v1/organizations/{id}/candidates/",
        }
        assert unread <= expected_unread, {k: seen[k] for k in unread}
