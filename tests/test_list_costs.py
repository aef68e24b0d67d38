"""Every list page and list endpoint costs a fixed number of queries: the same
with 5 rows as with 60, and the same on page 3 as on page 1 (pages read only
the rows they show: dudao.core.paging). Each list gets rows its persona sees."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import AccessLogEntry, Role
from dudao.core import audit
from dudao.core.models import Job, Notification
from dudao.pools.models import Entry
from dudao.publicity.models import Item as PublicityItem
from dudao.publicity.models import Notice, Objection
from dudao.selection.models import Nomination, Round, Trainee
from dudao.training.models import Activity, Cohort, Member, Module, Programme, Session, Survey

from .factories import OrganizationFactory, staff, user_with_role

pytestmark = pytest.mark.django_db

SERIAL = itertools.count(1)
SMALL, LARGE = 5, 60


def _round(world):
    round_, _created = Round.objects.get_or_create(
        jurisdiction=world.city,
        year=2026,
        defaults={
            "title": "2026 年度推荐",
            "snapshot_date": dt.date(2026, 3, 1),
            "submission_deadline": timezone.now() + dt.timedelta(days=30),
            "district_review_deadline": timezone.now() + dt.timedelta(days=40),
            "city_review_deadline": timezone.now() + dt.timedelta(days=50),
        },
    )
    return round_


def _nominations(world, n, status=Nomination.Status.CITY_REVIEW):
    round_ = _round(world)
    made = []
    for _ in range(n):
        person = staff(world.agency, certified=True, name=f"被推荐{next(SERIAL)}")
        made.append(
            Nomination.objects.create(
                round=round_, person=person, organization=world.agency, path=Nomination.Path.QUOTA, status=status
            )
        )
    return made


def _programme(world):
    programme = Programme.objects.filter(name="成本测试项目").first()
    if programme is None:
        trainer = world.trainer.role_assignments.get().organization
        programme = Programme.objects.create(
            jurisdiction=world.city,
            name="成本测试项目",
            trainer=trainer,
            target_size=100,
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 10, 1),
        )
    return programme


def _cohort(world):
    cohort = Cohort.objects.filter(name="成本测试班").first()
    return cohort or Cohort.objects.create(programme=_programme(world), name="成本测试班", round=_round(world))


def grow_organizations(world, n):
    for _ in range(n):
        OrganizationFactory(name=f"成本机构{next(SERIAL)}", jurisdiction=world.jinshui)


def grow_people(world, n):
    for _ in range(n):
        staff(world.agency, certified=True, name=f"成本人员{next(SERIAL)}")


def grow_users(world, n):
    for _ in range(n):
        user_with_role(Role.AGENCY_ADMIN, organization=world.agency)


def grow_audit(world, n):
    for _ in range(n):
        audit.record(
            actor=world.city_admin, event="directory.organization_updated", obj=world.agency, changes={"x": [1, 2]}
        )


def grow_access_log(world, n):
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(kind="login", method="page", username="city_admin", user=world.city_admin) for _ in range(n)]
    )


def grow_jobs(world, n):
    Job.objects.bulk_create([Job(owner=world.city_admin, title=f"导出{i}", parameters={}) for i in range(n)])


def grow_notifications(world, n):
    Notification.objects.bulk_create([Notification(recipient=world.city_admin, message=f"通知{i}") for i in range(n)])


def grow_rounds(world, n):
    # Years are a smallint: keep each block of rounds inside its range however many tests ran before.
    start = 1000 + (next(SERIAL) % 300) * 100
    for year in range(start, start + n):
        Round.objects.create(
            jurisdiction=world.city,
            year=year,
            title=f"{year} 年度推荐",
            snapshot_date=dt.date(2020, 3, 1),
            submission_deadline=timezone.now(),
            district_review_deadline=timezone.now(),
            city_review_deadline=timezone.now(),
        )


def grow_nominations(world, n):
    _nominations(world, n)


def grow_trainees(world, n):
    for nomination in _nominations(world, n, status=Nomination.Status.APPROVED):
        Trainee.objects.create(round=nomination.round, person=nomination.person, nomination=nomination)


def grow_programmes(world, n):
    trainer = world.trainer.role_assignments.get().organization
    for i in range(n):
        Programme.objects.create(
            jurisdiction=world.city,
            name=f"项目{next(SERIAL)}-{i}",
            trainer=trainer,
            target_size=100,
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 10, 1),
        )


def grow_modules(world, n):
    programme = _programme(world)
    for i in range(n):
        Module.objects.create(programme=programme, title=f"模块{next(SERIAL)}-{i}", kind=Module.Kind.THEORY, hours=2)


def grow_cohorts(world, n):
    programme, round_ = _programme(world), _round(world)
    for i in range(n):
        Cohort.objects.create(programme=programme, name=f"班级{next(SERIAL)}-{i}", round=round_)


def grow_members(world, n):
    cohort = _cohort(world)
    for nomination in _nominations(world, n, status=Nomination.Status.APPROVED):
        trainee = Trainee.objects.create(round=nomination.round, person=nomination.person, nomination=nomination)
        Member.objects.create(cohort=cohort, trainee=trainee)


def grow_sessions(world, n):
    cohort = _cohort(world)
    module = Module.objects.create(programme=cohort.programme, title=f"模块{next(SERIAL)}", kind="theory", hours=2)
    start = timezone.now() - dt.timedelta(days=400)
    for i in range(n):
        Session.objects.create(
            cohort=cohort, module=module, starts_at=start + dt.timedelta(days=i), hours=2, location="郑州"
        )


def grow_surveys(world, n):
    programme = _programme(world)
    for i in range(n):
        Survey.objects.create(programme=programme, title=f"需求调查{next(SERIAL)}-{i}")


def grow_activities(world, n):
    for i in range(n):
        activity = Activity.objects.create(
            organization=world.agency,
            title=f"培训{next(SERIAL)}-{i}",
            kind="course",
            held_on=dt.date(2026, 1, 1),
            hours=2,
        )
        activity.participants.add(world.social_worker_person)


def grow_entries(world, n):
    today = timezone.localdate()
    for _ in range(n):
        number = next(SERIAL)
        person = staff(world.agency, certified=True, name=f"入库{number}")
        Entry.objects.create(
            person=person,
            level=Entry.Level.DISTRICT,
            jurisdiction=world.jinshui,
            home_district=world.jinshui,
            entry_number=f"COST-{number:06d}",
            admitted_on=today,
            expires_on=today + dt.timedelta(days=1000),
        )


def grow_notices(world, n):
    today = timezone.localdate()
    for _ in range(n):
        number = next(SERIAL)
        notice = Notice.objects.create(
            kind="selection.trainees",
            jurisdiction=world.city,
            source=f"cost:{number}",
            title=f"公示{number}",
            starts_on=today,
            ends_on=today + dt.timedelta(days=6),
        )
        PublicityItem.objects.create(
            notice=notice, target_id=number, record=f"cost:{number}", name="甲", unit="乙", district="丙", path="丁"
        )


def grow_objections(world, n):
    grow_notices(world, 1)
    item = PublicityItem.objects.order_by("-pk").first()
    Objection.objects.bulk_create(
        [Objection(item=item, lodged_by=world.supervisor, text=f"异议{next(SERIAL)}") for _ in range(n)]
    )


# (what, URL, persona, grow, page size)
PAGES = [
    ("directory:organization_list", "city_admin", grow_organizations),
    ("directory:person_list", "city_admin", grow_people),
    ("directory:person_list", "district_admin", grow_people),
    ("directory:person_list", "agency_admin", grow_people),
    ("accounts:user_list", "city_admin", grow_users),
    ("accounts:access_log", "city_admin", grow_access_log),
    ("core:audit_list", "city_admin", grow_audit),
    ("core:job_list", "city_admin", grow_jobs),
    ("core:notification_list", "city_admin", grow_notifications),
    ("selection:round_list", "city_admin", grow_rounds),
    ("selection:nomination_list", "agency_admin", grow_nominations),
    ("selection:queue", "city_admin", grow_nominations),
    ("selection:trainee_list", "city_admin", grow_trainees),
    ("training:programme_list", "city_admin", grow_programmes),
    ("training:activity_list", "agency_admin", grow_activities),
    ("pools:entry_list", "district_admin", grow_entries),
    ("publicity:notice_list", "supervisor", grow_notices),
    ("publicity:objection_list", "city_admin", grow_objections),
]

ENDPOINTS = [
    ("/api/v1/organizations/", "city_admin", grow_organizations),
    ("/api/v1/people/", "city_admin", grow_people),
    ("/api/v1/people/", "agency_admin", grow_people),
    ("/api/v1/users/", "city_admin", grow_users),
    ("/api/v1/exports/", "city_admin", grow_jobs),
    ("/api/v1/audit/", "city_admin", grow_audit),
    ("/api/v1/rounds/", "city_admin", grow_rounds),
    ("/api/v1/nominations/", "city_admin", grow_nominations),
    ("/api/v1/trainees/", "city_admin", grow_trainees),
    ("/api/v1/programmes/", "city_admin", grow_programmes),
    ("/api/v1/modules/", "city_admin", grow_modules),
    ("/api/v1/cohorts/", "city_admin", grow_cohorts),
    ("/api/v1/members/", "city_admin", grow_members),
    ("/api/v1/sessions/", "city_admin", grow_sessions),
    ("/api/v1/surveys/", "city_admin", grow_surveys),
    ("/api/v1/activities/", "agency_admin", grow_activities),
    ("/api/v1/pool-entries/", "district_admin", grow_entries),
    ("/api/v1/publicity-notices/", "supervisor", grow_notices),
    ("/api/v1/publicity-items/", "supervisor", grow_notices),
    ("/api/v1/publicity-objections/", "city_admin", grow_objections),
]


def _count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx), response


def _rows(response):
    if hasattr(response, "data") and isinstance(response.data, dict):
        return len(response.data["results"])
    return len(response.context["page_obj"].object_list)


def _measure(client, url, world, grow, extra=None):
    extra = extra or {}
    grow(world, SMALL)
    _count(client, url, extra)  # warm caches (content types, sessions)
    few, response = _count(client, url, extra)
    assert _rows(response) >= min(SMALL, 1)
    grow(world, LARGE - SMALL)
    many, response = _count(client, url, extra)
    far, far_response = _count(client, url, {**extra, "page": 3})
    assert _rows(far_response) >= 1, "page 3 should have rows"
    return few, many, far


@pytest.mark.parametrize(("name", "persona", "grow"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_a_list_page_costs_the_same_queries_for_few_rows_many_rows_and_a_far_page(world, login, name, persona, grow):
    client = login(world.persona(persona))
    few, many, far = _measure(client, reverse(name), world, grow)
    assert few == many == far, (few, many, far)


@pytest.mark.parametrize(("url", "persona", "grow"), ENDPOINTS, ids=[f"{e[0]}-{e[1]}" for e in ENDPOINTS])
def test_a_list_endpoint_costs_the_same_queries_for_few_rows_many_rows_and_a_far_page(world, api, url, persona, grow):
    client = api(world.persona(persona))
    few, many, far = _measure(client, url, world, grow, {"page_size": 25})
    assert few == many == far, (few, many, far)


def test_the_people_endpoint_pages_by_cursor_at_the_same_cost_at_any_depth(world, api):
    grow_people(world, LARGE)
    client = api(world.city_admin)
    client.get("/api/v1/people/?cursor=&page_size=10")  # warm caches
    seen, url, costs = [], "/api/v1/people/?cursor=&page_size=10", []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).json()
        costs.append(len(ctx))
        assert body["count"] is None
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == LARGE + 2  # and the world's two staff
    assert len(set(costs)) == 1, costs
