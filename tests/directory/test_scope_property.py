"""The stored scope (employer, employed and the jurisdiction chain on every
person and organisation, dudao.core.scoping) must always say what the
employment history says. Random sequences of every service that changes it —
hire, leave, transfer between districts, an organisation moved to another
district, a roster import — are checked after each step against DESIGN.md's
definition computed the slow way, for every persona's visible set."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dudao.accounts.models import Role
from dudao.accounts.scopes import scope_for
from dudao.directory import imports, permissions, selectors, services
from dudao.directory.models import Employment, Jurisdiction, Organization, Person

from ..factories import OrganizationFactory, id_number, user_with_role

pytestmark = pytest.mark.django_db(transaction=False)

START = dt.date(2015, 1, 1)


class Rollback(Exception):
    pass


def slow_visible(user) -> set[int]:
    """DESIGN.md, read literally: a jurisdiction reads people employed (or, if
    between jobs, last employed) by an organisation inside it; an agency reads
    its current staff; everyone reads themself."""
    scope = scope_for(user)
    visible = set()
    for person in Person.objects.all():
        employments = list(Employment.objects.filter(person=person).select_related("organization__jurisdiction"))
        current = [e for e in employments if e.end_date is None]
        last = current[0] if current else max(employments, key=lambda e: (e.start_date, e.pk), default=None)
        if last and any(last.organization.jurisdiction.path.startswith(p) for p in scope.read_paths):
            visible.add(person.pk)
        if current and current[0].organization_id in scope.org_ids:
            visible.add(person.pk)
        if scope.person_id == person.pk:
            visible.add(person.pk)
    return visible


def slow_manages(user, person) -> bool:
    scope = scope_for(user)
    employments = list(Employment.objects.filter(person=person).select_related("organization__jurisdiction"))
    current = [e for e in employments if e.end_date is None]
    last = current[0] if current else max(employments, key=lambda e: (e.start_date, e.pk), default=None)
    if last is None:
        return bool(scope.manage_paths)
    if any(last.organization.jurisdiction.path.startswith(p) for p in scope.manage_paths):
        return True
    return bool(current) and current[0].organization_id in scope.managed_org_ids


def roster(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "ID number", "Employed since"])
    for name, number, start in rows:
        ws.append([name, number, start.isoformat()])
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


class Cast:
    def __init__(self, world):
        self.world = world
        districts = [world.jinshui, world.erqi, Jurisdiction.objects.get(code="410102")]
        self.districts = districts
        self.orgs = [world.agency, world.erqi_agency, OrganizationFactory(name="中原区机构", jurisdiction=districts[2])]
        self.admins = [user_with_role(Role.DISTRICT_ADMIN, jurisdiction=d) for d in districts[2:]]
        self.agency_admins = [user_with_role(Role.AGENCY_ADMIN, organization=o) for o in self.orgs[2:]]
        self.readers = [world.city_admin, world.district_admin, world.erqi_admin, world.agency_admin, world.outsider]
        self.readers += self.admins + self.agency_admins + [world.supervisor, world.social_worker, world.hrss]
        self.serial = 5000
        self.day = START

    def next_day(self):
        self.day += dt.timedelta(days=30)
        return self.day

    def new_id(self):
        self.serial += 1
        return id_number(self.serial, region="410102", birth=dt.date(1988, 8, 8))

    # --- the services under test ---------------------------------------------------

    def hire(self, org_index: int):
        org = self.orgs[org_index % len(self.orgs)]
        between = list(Person.objects.filter(employed=False, employments__isnull=False).distinct())
        person = between[0] if between else None
        if person is not None and org_index % 2:
            last_end = max(e.end_date for e in person.employments.all())
            start = max(self.next_day(), last_end + dt.timedelta(days=1))
            services.start_employment(actor=self.world.city_admin, person=person, organization=org, start_date=start)
        else:
            services.create_person(
                actor=self.world.city_admin,
                name=f"随机{self.serial}",
                id_number=self.new_id(),
                employer=org,
                start_date=self.next_day(),
            )

    def leave(self, index: int):
        employed = list(Person.objects.filter(employed=True).order_by("pk"))
        if employed:
            person = employed[index % len(employed)]
            start = person.employments.get(end_date=None).start_date
            services.end_employment(actor=self.world.city_admin, person=person, end_date=max(self.next_day(), start))

    def transfer(self, index: int):
        employed = list(Person.objects.filter(employed=True).order_by("pk"))
        if not employed:
            return
        person = employed[index % len(employed)]
        current = person.employments.get(end_date=None)
        others = [o for o in self.orgs if o.jurisdiction_id != current.organization.jurisdiction_id]
        if not others:
            return  # earlier moves put every unit in one district: no move across districts to make
        end = max(self.next_day(), current.start_date)
        services.end_employment(actor=self.world.city_admin, person=person, end_date=end)
        services.start_employment(
            actor=self.world.city_admin,
            person=person,
            organization=others[index % len(others)],
            start_date=end + dt.timedelta(days=1),
        )

    def move(self, org_index: int, district_index: int):
        org = self.orgs[org_index % len(self.orgs)]
        district = self.districts[district_index % len(self.districts)]
        services.update_organization(actor=self.world.city_admin, organization=org, jurisdiction=district)
        org.refresh_from_db()

    def import_roster(self, org_index: int, count: int):
        org = self.orgs[org_index % len(self.orgs)]
        day = self.next_day()
        rows = []
        for _ in range(count):
            rows.append((f"导入{self.serial}", self.new_id(), day))
        between = Person.objects.filter(employed=False, employments__isnull=False).first()
        if between is not None:
            last_end = max(e.end_date for e in between.employments.all())
            if last_end < day:
                rows.append((between.name, between.id_number, day))
        imports.import_roster(actor=self.world.city_admin, organization=org, upload=roster(rows), today=day)

    def check(self):
        # A scope is computed once per request; each check is a new request.
        for user in self.readers:
            user.__dict__.pop("_dudao_scope", None)
        for person in Person.objects.all():
            for user in self.readers:
                assert permissions.can_manage_person(user, person) == slow_manages(user, person), (user, person)
        for user in self.readers:
            fast = set(selectors.people_for(user).values_list("pk", flat=True))
            assert fast == slow_visible(user), user.username
            orgs = set(selectors.organizations_for(user).values_list("pk", flat=True))
            slow_orgs = {
                o.pk
                for o in Organization.objects.select_related("jurisdiction")
                if scope_for(user).reads_path(o.jurisdiction.path) or o.pk in scope_for(user).org_ids
            }
            employer = Person.objects.filter(pk=scope_for(user).person_id, employed=True).first()
            if employer is not None:
                slow_orgs.add(employer.employer_id)
            assert orgs == slow_orgs, user.username


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("hire"), st.integers(0, 5)),
        st.tuples(st.just("leave"), st.integers(0, 20)),
        st.tuples(st.just("transfer"), st.integers(0, 20)),
        st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 5)),
        st.tuples(st.just("import_roster"), st.integers(0, 5), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_every_visible_set_follows_the_employment_history_through_any_sequence_of_changes(world, steps):
    # Each example starts from the same world: its changes are rolled back.
    try:
        with transaction.atomic():
            cast = Cast(world)
            cast.check()
            for name, *args in steps:
                getattr(cast, name)(*args)
                cast.check()
            raise Rollback
    except Rollback:
        pass
