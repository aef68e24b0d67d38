"""The engagement services: each rule refused with its message, capacity held
under the supervisor's lock, the agreement confirmed by both sides with the
server's time, and who is told of what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.core.models import AuditEntry, Notification
from dudao.core.selectors import live_notification_count
from dudao.directory import reference_data
from dudao.directory.models import Jurisdiction, Person
from dudao.policy import services as policy_services
from dudao.pools import services as pool_services
from dudao.pools.models import Entry
from dudao.supervision import signals
from dudao.supervision.models import Engagement, Session
from dudao.supervision.selectors import engagements as selectors
from dudao.supervision.services import engagements as services
from tests.factories import OrganizationFactory, staff, user_with_role
from tests.pools.conftest import city_entry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def terms(**overrides):
    base = {
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=180),
        "hours_per_month": Decimal("8"),
        "covers_all_staff": True,
        "goals": "提升一线社工专业能力",
        "frequency": "每月两次，每次两小时",
        "functions": ["教育", "支持"],
        "confidentiality": "督导内容保密",
        "subsidy_basis": "谁使用、谁补贴：由使用机构支付",
    }
    return {**base, **overrides}


def propose(world, supply, **overrides):
    return services.propose(
        actor=world.agency_admin, organization=world.agency, entry=supply.external_entry, **terms(**overrides)
    )


def refused(call, fragment: str):
    with pytest.raises(ValidationError) as info:
        call()
    text = " ".join(info.value.messages)
    assert fragment in text, text
    return text


def notices(user):
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def set_policy(world, key, value):
    policy_services.set_parameter(
        actor=world.city_admin, key=key, jurisdiction=world.city, value=value, effective_from=TODAY, reason="测试"
    )


# --- making engagements ---------------------------------------------------------------------


def test_an_agency_proposes_an_external_supervisor_from_the_city_pool(world, supply):
    engagement = propose(world, supply, covers_all_staff=False, supervisees=[world.social_worker_person])
    assert engagement.status == Engagement.Status.PROPOSED
    assert engagement.kind == Engagement.Kind.EXTERNAL
    assert engagement.home_organization == world.erqi_agency
    assert engagement.proposed_by == world.agency_admin
    assert list(engagement.supervisees.all()) == [world.social_worker_person]
    assert engagement.functions == ["教育", "支持"]
    assert engagement.chain() == world.agency.chain()
    assert AuditEntry.objects.filter(event="supervision.engagement_proposed", object_id=str(engagement.pk)).exists()


def test_the_supervisor_and_the_home_agency_are_told_of_a_proposal_after_commit(
    world, supply, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(world, supply)
    assert any("金水阳光社工中心" in m for m in notices(supply.external_supervisor))
    assert any("二七督导丙" in m for m in notices(world.outsider))
    assert notices(world.agency_admin) == []


def test_a_proposal_rolled_back_tells_nobody(world, supply, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        propose(world, supply)
    assert callbacks  # queued for after the commit, never sent from inside the transaction
    assert notices(supply.external_supervisor) == []


def test_an_internal_supervisor_is_engaged_at_once(world, supply):
    engagement = services.engage_internal(
        actor=world.agency_admin, organization=world.agency, entry=supply.internal_entry, **terms()
    )
    assert engagement.status == Engagement.Status.ACTIVE
    assert engagement.kind == Engagement.Kind.INTERNAL
    assert engagement.decided_at is not None
    assert AuditEntry.objects.filter(event="supervision.engagement_created").count() == 1


def test_a_staff_member_in_the_city_pool_is_an_internal_engagement(world, supply):
    entry = city_entry(world, world.social_worker_person)
    assert selectors.kind_for(world.agency, entry) == Engagement.Kind.INTERNAL
    refused(
        lambda: services.propose(actor=world.agency_admin, organization=world.agency, entry=entry, **terms()),
        "社工乙",
    )
    engagement = services.engage_internal(actor=world.agency_admin, organization=world.agency, entry=entry, **terms())
    assert engagement.kind == Engagement.Kind.INTERNAL


def test_a_staff_member_keeping_another_agencys_internal_entry_is_still_internal(world, supply):
    person = staff(world.erqi_agency, name="调动督导")
    entry = pool_services.designate_internal(actor=world.outsider, organization=world.erqi_agency, person=person)
    assert selectors.kind_for(world.agency, entry) is None
    person.employments.update(end_date=TODAY - dt.timedelta(days=1))
    Person.objects.filter(pk=person.pk).update(employer=world.agency, employed=True)
    entry.refresh_from_db()
    entry.person.refresh_from_db()
    assert selectors.kind_for(world.agency, entry) == Engagement.Kind.INTERNAL


def test_an_internal_supervisor_cannot_be_proposed_as_external(world, supply):
    refused(
        lambda: services.propose(
            actor=world.agency_admin, organization=world.agency, entry=supply.internal_entry, **terms()
        ),
        "督导甲",
    )
    assert not Engagement.objects.exists()


def test_an_external_supervisor_cannot_be_engaged_as_internal(world, supply):
    refused(
        lambda: services.engage_internal(
            actor=world.agency_admin, organization=world.agency, entry=supply.external_entry, **terms()
        ),
        "二七督导丙",
    )


def test_another_agencys_internal_supervisor_cannot_be_engaged(world, supply):
    person = staff(world.erqi_agency, name="二七内部督导")
    entry = pool_services.designate_internal(actor=world.outsider, organization=world.erqi_agency, person=person)
    refused(
        lambda: services.propose(actor=world.agency_admin, organization=world.agency, entry=entry, **terms()),
        "",
    )
    assert Engagement.objects.filter(entry=entry).count() == 0


def test_a_pool_of_another_city_cannot_be_drawn_on(world, supply):
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    luolong = Jurisdiction.objects.get(code="410311")
    agency = OrganizationFactory(name="洛龙康乐社工中心", jurisdiction=luolong)
    admin = user_with_role(Role.AGENCY_ADMIN, username="luoyang_agency", organization=agency)
    refused(
        lambda: services.propose(actor=admin, organization=agency, entry=supply.external_entry, **terms()),
        "洛龙康乐社工中心",
    )


def test_an_unavailable_supervisor_is_refused(world, supply):
    pool_services.change_status(
        actor=world.city_admin, entry=supply.external_entry, to_status=Entry.Status.SUSPENDED, reason="暂停"
    )
    refused(lambda: propose(world, supply), "二七督导丙")
    Entry.objects.filter(pk=supply.external_entry.pk).update(
        status=Entry.Status.ACTIVE, expires_on=TODAY - dt.timedelta(days=1)
    )
    refused(lambda: propose(world, supply), "二七督导丙")


def test_the_term_cannot_pass_the_pool_term(world, supply):
    refused(
        lambda: propose(world, supply, ends_on=supply.external_entry.expires_on + dt.timedelta(days=1)),
        supply.external_entry.expires_on.isoformat(),
    )


def test_the_term_must_make_sense(world, supply):
    refused(lambda: propose(world, supply, ends_on=TODAY - dt.timedelta(days=2), starts_on=TODAY), "")
    refused(
        lambda: propose(world, supply, starts_on=TODAY - dt.timedelta(days=40), ends_on=TODAY - dt.timedelta(days=1)),
        "",
    )
    refused(lambda: propose(world, supply, hours_per_month=0), "")
    refused(lambda: propose(world, supply, hours_per_month="many"), "")
    assert not Engagement.objects.exists()


def test_supervisees_must_be_current_staff_and_not_the_supervisor(world, supply):
    stranger = staff(world.other_agency_same_district, name="馨和社工")
    refused(lambda: propose(world, supply, covers_all_staff=False, supervisees=[stranger]), "馨和社工")
    refused(lambda: propose(world, supply, covers_all_staff=False, supervisees=[]), "")
    internal = lambda: services.engage_internal(  # noqa: E731
        actor=world.agency_admin,
        organization=world.agency,
        entry=supply.internal_entry,
        **terms(covers_all_staff=False, supervisees=[world.supervisor_person]),
    )
    refused(internal, "")
    assert not Engagement.objects.exists()


def test_functions_come_from_the_policy_list(world, supply):
    refused(lambda: propose(world, supply, functions=["心理治疗"]), "心理治疗")


def test_only_the_agencys_admin_engages_for_it(world, supply):
    for user in (world.outsider, world.supervisor, world.district_admin):
        with pytest.raises(PermissionDenied):
            services.propose(actor=user, organization=world.agency, entry=supply.external_entry, **terms())


def test_the_same_supervisor_is_not_engaged_twice_by_one_agency(world, supply):
    propose(world, supply)
    refused(lambda: propose(world, supply), "二七督导丙")


# --- capacity ---------------------------------------------------------------------------------


def test_hours_beyond_the_monthly_maximum_are_refused(world, supply):
    set_policy(world, "supervision.max_hours_per_month", 10)
    propose(world, supply, hours_per_month=Decimal("6"))
    other = OrganizationFactory(name="金水第二社工中心", jurisdiction=world.jinshui)
    admin = user_with_role(Role.AGENCY_ADMIN, username="second_admin", organization=other)
    staff(other, name="第二社工")
    text = refused(
        lambda: services.propose(
            actor=admin, organization=other, entry=supply.external_entry, **terms(hours_per_month=Decimal("5"))
        ),
        "10",
    )
    assert "6" in text
    services.propose(
        actor=admin, organization=other, entry=supply.external_entry, **terms(hours_per_month=Decimal("4"))
    )


def test_supervisees_beyond_the_maximum_are_refused_all_staff_counting_the_current_staff(world, supply):
    set_policy(world, "supervision.max_supervisees", 4)
    # world.agency: 督导甲, 社工乙 and three colleagues = 5 on the staff.
    refused(lambda: propose(world, supply), "4")
    propose(world, supply, covers_all_staff=False, supervisees=supply.colleagues[:2])
    assert selectors.capacity_of(supply.external_person).supervisees == 2


def test_capacity_counts_proposed_and_active_but_not_closed_engagements(world, supply):
    engagement = propose(world, supply, hours_per_month=Decimal("30"))
    assert selectors.capacity_of(supply.external_person).hours == Decimal("30")
    services.withdraw(actor=world.agency_admin, engagement=engagement)
    load = selectors.capacity_of(supply.external_person)
    assert load.hours == 0 and load.spare_hours == load.max_hours == Decimal(40)


def test_the_capacity_check_runs_with_the_supervisors_row_locked(world, supply, monkeypatch):
    """Two proposals at once: the second waits on the lock and then sees the
    first one's hours. Here: the lock on Person is taken before capacity is read."""
    events = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        events.append(("lock", self.model))
        return original(self, *args, **kwargs)

    real_capacity = services.capacity_of

    def counting(person, **kwargs):
        events.append(("capacity", person.pk))
        return real_capacity(person, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    monkeypatch.setattr(services, "capacity_of", counting)
    propose(world, supply)
    assert events.index(("lock", Person)) < events.index(("capacity", supply.external_person.pk))


# --- answering --------------------------------------------------------------------------------


def test_the_supervisor_accepts_and_both_agencies_are_told(world, supply, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        engagement = propose(world, supply)
    assert live_notification_count(supply.external_supervisor) == 1
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.accept(actor=supply.external_supervisor, engagement=engagement)
    assert live_notification_count(supply.external_supervisor) == 0  # the proposal is answered
    assert engagement.status == Engagement.Status.ACTIVE and engagement.decided_at is not None
    assert any("接受" in m or "accepted" in m for m in notices(world.agency_admin))
    assert any("二七督导丙" in m for m in notices(world.outsider))


def test_only_the_supervisor_accepts_or_declines(world, supply):
    engagement = propose(world, supply)
    for user in (world.agency_admin, world.outsider, world.supervisor):
        with pytest.raises(PermissionDenied):
            services.accept(actor=user, engagement=engagement)
        with pytest.raises(PermissionDenied):
            services.decline(actor=user, engagement=engagement, reason="不合适")


def test_declining_needs_a_reason_and_tells_the_using_agency(world, supply, django_capture_on_commit_callbacks):
    engagement = propose(world, supply)
    refused(lambda: services.decline(actor=supply.external_supervisor, engagement=engagement, reason="  "), "")
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.decline(actor=supply.external_supervisor, engagement=engagement, reason="本月已满")
    assert engagement.status == Engagement.Status.DECLINED
    assert engagement.decline_reason == "本月已满"
    assert any("本月已满" in m for m in notices(world.agency_admin))
    refused(lambda: services.accept(actor=supply.external_supervisor, engagement=engagement), "")


def test_a_proposal_is_withdrawn_only_while_open(world, supply):
    engagement = propose(world, supply)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=supply.external_supervisor, engagement=engagement)
    services.accept(actor=supply.external_supervisor, engagement=engagement)
    refused(lambda: services.withdraw(actor=world.agency_admin, engagement=engagement), "")


def test_a_suspended_supervisor_cannot_accept(world, supply):
    engagement = propose(world, supply)
    pool_services.change_status(
        actor=world.city_admin, entry=supply.external_entry, to_status=Entry.Status.SUSPENDED, reason="暂停"
    )
    refused(lambda: services.accept(actor=supply.external_supervisor, engagement=engagement), "")


# --- ending -----------------------------------------------------------------------------------


def active(world, supply, **overrides):
    engagement = propose(world, supply, starts_on=TODAY - dt.timedelta(days=30), **overrides)
    return services.accept(actor=supply.external_supervisor, engagement=engagement)


def test_ending_early_needs_a_reason(world, supply):
    engagement = active(world, supply)
    refused(lambda: services.end(actor=world.agency_admin, engagement=engagement, ended_on=TODAY), "")
    engagement = services.end(actor=world.agency_admin, engagement=engagement, ended_on=TODAY, reason="项目结束")
    assert engagement.status == Engagement.Status.ENDED
    assert engagement.ended_on == TODAY and engagement.end_reason == "项目结束"
    entry = AuditEntry.objects.get(event="supervision.engagement_ended")
    assert entry.reason == "项目结束"


def test_the_end_lies_within_the_term_and_not_in_the_future(world, supply):
    engagement = active(world, supply)
    refused(
        lambda: services.end(
            actor=world.agency_admin, engagement=engagement, ended_on=TODAY - dt.timedelta(days=31), reason="x"
        ),
        "",
    )
    refused(
        lambda: services.end(
            actor=world.agency_admin, engagement=engagement, ended_on=TODAY + dt.timedelta(days=1), reason="x"
        ),
        "",
    )


def test_the_end_cannot_cut_off_a_recorded_session(world, supply):
    engagement = active(world, supply)
    Session.objects.create(
        engagement=engagement,
        supervisor=engagement.supervisor,
        organization=engagement.organization,
        date=TODAY - dt.timedelta(days=2),
        start_time=dt.time(9),
        duration_minutes=60,
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        topics="个案督导",
    )
    refused(
        lambda: services.end(
            actor=world.agency_admin, engagement=engagement, ended_on=TODAY - dt.timedelta(days=5), reason="x"
        ),
        (TODAY - dt.timedelta(days=2)).isoformat(),
    )


def test_the_supervisor_may_end_and_the_agency_is_told(world, supply, django_capture_on_commit_callbacks):
    engagement = active(world, supply)
    with django_capture_on_commit_callbacks(execute=True):
        services.end(actor=supply.external_supervisor, engagement=engagement, ended_on=TODAY, reason="工作调整")
    assert notices(world.agency_admin)
    with pytest.raises(PermissionDenied):
        services.end(actor=world.social_worker, engagement=engagement, ended_on=TODAY, reason="x")


# --- the agreement ----------------------------------------------------------------------------


def test_both_sides_confirm_the_agreement_with_the_servers_time(world, supply):
    engagement = propose(world, supply)
    before = timezone.now()
    engagement = services.confirm_agreement(actor=world.agency_admin, engagement=engagement)
    assert engagement.agency_confirmed_at >= before and engagement.agency_confirmed_by == world.agency_admin
    assert engagement.supervisor_confirmed_at is None and not engagement.agreement_confirmed
    refused(lambda: services.confirm_agreement(actor=world.agency_admin, engagement=engagement), "")
    engagement = services.confirm_agreement(actor=supply.external_supervisor, engagement=engagement)
    assert engagement.supervisor_confirmed_at >= before and engagement.agreement_confirmed
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(actor=world.outsider, engagement=engagement)


def test_a_closed_engagements_agreement_is_not_confirmed(world, supply):
    engagement = propose(world, supply)
    services.decline(actor=supply.external_supervisor, engagement=engagement, reason="不便")
    refused(lambda: services.confirm_agreement(actor=world.agency_admin, engagement=engagement), "")


def test_changing_the_agreement_clears_both_confirmations(world, supply):
    engagement = active(world, supply)
    services.confirm_agreement(actor=world.agency_admin, engagement=engagement)
    services.confirm_agreement(actor=supply.external_supervisor, engagement=engagement)
    engagement = services.update_agreement(actor=world.agency_admin, engagement=engagement, goals="新的目标")
    assert engagement.goals == "新的目标"
    assert engagement.agency_confirmed_at is None and engagement.supervisor_confirmed_at is None
    changed = AuditEntry.objects.get(event="supervision.agreement_changed")
    assert set(changed.changes) >= {"goals", "agency_confirmed_at", "supervisor_confirmed_at"}
    with pytest.raises(PermissionDenied):
        services.update_agreement(actor=supply.external_supervisor, engagement=engagement, goals="x")


def test_an_unchanged_agreement_keeps_its_confirmations(world, supply):
    engagement = active(world, supply)
    services.confirm_agreement(actor=world.agency_admin, engagement=engagement)
    engagement = services.update_agreement(actor=world.agency_admin, engagement=engagement, goals=engagement.goals)
    assert engagement.agency_confirmed_at is not None
    assert not AuditEntry.objects.filter(event="supervision.agreement_changed").exists()


def test_every_service_tells_coverage_which_organisation_changed(world, supply, django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, organization_ids, **kwargs):
        seen.append(organization_ids)

    signals.coverage_changed.connect(receiver, dispatch_uid="test-engagements")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            engagement = propose(world, supply)
        with django_capture_on_commit_callbacks(execute=True):
            services.accept(actor=supply.external_supervisor, engagement=engagement)
    finally:
        signals.coverage_changed.disconnect(dispatch_uid="test-engagements")
    assert seen == [{world.agency.pk}, {world.agency.pk}]
