"""Computing, confirming, paying and voiding statements, with hand-computed figures."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dudao.core.models import AuditEntry, Notification
from dudao.core.selectors import live_notification_count
from dudao.subsidies.models import Line, Statement, yuan
from dudao.subsidies.services import statements as services
from dudao.supervision.models import MonthSignOff, Session
from dudao.supervision.services import sessions as session_services

from .helpers import session, sign_off, standard

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
S = Statement.Status


@pytest.fixture
def march(world, internal_engagement):
    """An internal supervisor's March at 金水区, where a district standard
    (rate 80.00, ceiling 300.00) takes effect on 16 March over the city's 60.00."""
    standard("subsidies.rate.agency", world.city, dt.date(2026, 1, 1), "60.00")
    standard("subsidies.rate.agency", world.jinshui, dt.date(2026, 3, 16), "80.00")
    standard("subsidies.ceiling.agency", world.jinshui, dt.date(2026, 3, 16), "300.00")
    for day, minutes in ((5, 90), (12, 50), (20, 100), (27, 45)):
        session(internal_engagement, dt.date(2026, 3, day), minutes)
    # Never counted: a pending, a disputed and a void session (written around the services).
    session(internal_engagement, dt.date(2026, 3, 25), 60, status=Session.Status.PENDING)
    session(internal_engagement, dt.date(2026, 3, 26), 120, status=Session.Status.DISPUTED)
    session(internal_engagement, dt.date(2026, 3, 28), 75, status=Session.Status.VOID)
    sign_off(internal_engagement, MARCH, world.agency_admin)
    return internal_engagement


def test_a_statement_is_computed_line_by_line_with_a_mid_month_change_and_the_ceiling(world, march):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    lines = list(statement.lines.order_by("position"))
    assert [(ln.date.day, ln.hours, ln.rate, ln.amount) for ln in lines[:4]] == [
        (5, Decimal("1.50"), Decimal("60.00"), Decimal("90.00")),
        (12, Decimal("0.83"), Decimal("60.00"), Decimal("49.80")),
        (20, Decimal("1.67"), Decimal("80.00"), Decimal("133.60")),
        (27, Decimal("0.75"), Decimal("80.00"), Decimal("60.00")),
    ]
    ceiling = lines[4]
    assert ceiling.kind == Line.Kind.CEILING and ceiling.amount == Decimal("-33.40")
    assert statement.hours == Decimal("4.75")
    assert statement.gross == Decimal("333.40")
    assert statement.ceiling == Decimal("300.00")
    assert statement.total == Decimal("300.00") == sum(ln.amount for ln in lines)
    assert statement.kind == Statement.Kind.STATEMENT and statement.payer_organization == world.agency
    assert statement.status == S.COMPUTED
    assert AuditEntry.objects.filter(event="subsidies.statement_computed", object_id=str(statement.pk)).exists()


def test_a_city_pool_supervisor_gets_a_supplement_on_the_citys_budget_line(world, supply, external_engagement):
    session(external_engagement, dt.date(2026, 4, 3), 60)
    session(external_engagement, dt.date(2026, 4, 17), 40)
    sign_off(external_engagement, APRIL, world.agency_admin)
    statement, supplement = services.compute(actor=world.agency_admin, engagement=external_engagement, month=APRIL)
    # Defaults: 150.00 per hour for the city pool, ceiling 3000.00; supplement 50.00.
    assert [ln.amount for ln in statement.lines.all()] == [Decimal("150.00"), Decimal("100.50")]
    assert statement.total == Decimal("250.50") and statement.payer_organization == world.agency
    assert supplement.kind == Statement.Kind.SUPPLEMENT
    assert supplement.payer_jurisdiction == world.city and supplement.payer_organization is None
    assert [ln.amount for ln in supplement.lines.all()] == [Decimal("50.00"), Decimal("33.50")]
    assert supplement.total == Decimal("83.50") and supplement.ceiling is None


def test_the_sum_of_the_lines_is_the_sum_over_the_sessions_to_the_fen(world, internal_engagement):
    rng = random.Random(11)
    standard("subsidies.rate.agency", world.city, dt.date(2026, 1, 1), "73.37")
    standard("subsidies.ceiling.agency", world.city, dt.date(2026, 1, 1), "100000.00")
    minutes = [rng.randint(15, 240) for _ in range(23)]
    for n, m in enumerate(minutes):
        session(internal_engagement, dt.date(2026, 5, 1 + n), m)
    sign_off(internal_engagement, dt.date(2026, 5, 1), world.agency_admin)
    (statement,) = services.compute(actor=world.agency_admin, engagement=internal_engagement, month=dt.date(2026, 5, 1))
    expected = sum(yuan(yuan(Decimal(m) / 60) * Decimal("73.37")) for m in minutes)
    assert statement.total == expected == sum(statement.lines.values_list("amount", flat=True))
    assert statement.lines.count() == len(minutes)


def test_a_month_not_signed_off_is_never_computed(world, internal_engagement):
    session(internal_engagement, dt.date(2026, 3, 5), 60)
    with pytest.raises(ValidationError, match="尚未签核"):
        services.compute(actor=world.agency_admin, engagement=internal_engagement, month=MARCH)
    assert not Statement.objects.exists()


def test_a_month_without_a_confirmed_session_owes_nothing(world, internal_engagement):
    session(internal_engagement, dt.date(2026, 3, 5), 60, status=Session.Status.DISPUTED)
    sign_off(internal_engagement, MARCH, world.agency_admin)
    with pytest.raises(ValidationError, match="没有已确认"):
        services.compute(actor=world.agency_admin, engagement=internal_engagement, month=MARCH)


def test_a_month_is_computed_once(world, march):
    services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    with pytest.raises(ValidationError, match="已核算"):
        services.compute(actor=world.agency_admin, engagement=march, month=MARCH)


def test_only_the_payer_computes(world, march):
    for user in (world.outsider, world.supervisor, world.finance, world.erqi_admin):
        with pytest.raises(PermissionDenied):
            services.compute(actor=user, engagement=march, month=MARCH)


def test_the_payer_confirms_and_pays_with_the_split_across_purposes(world, march, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    payers = live_notification_count(world.agency_admin)
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.finance, statement=statement)
    with pytest.raises(ValidationError, match="仅已确认"):
        services.pay(
            actor=world.agency_admin,
            statement=statement,
            paid_on=dt.date(2026, 4, 10),
            reference="X",
            purposes={"other": "300"},
        )
    services.confirm(actor=world.agency_admin, statement=statement)
    assert live_notification_count(world.agency_admin) == payers - 1  # confirmed: no longer to do
    with pytest.raises(ValidationError) as refused:
        services.pay(
            actor=world.agency_admin,
            statement=statement,
            paid_on=dt.date(2026, 4, 10),
            reference="ZF-2026-0410",
            purposes={"transport": "100.00", "self_training": "199.99"},
        )
    assert "purposes" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.pay(
            actor=world.agency_admin,
            statement=statement,
            paid_on=dt.date(2026, 4, 10),
            reference="",
            purposes={"bonus": "300"},
        )
    assert {"reference", "purposes"} <= set(refused.value.message_dict)
    with django_capture_on_commit_callbacks(execute=True):
        paid = services.pay(
            actor=world.agency_admin,
            statement=statement,
            paid_on=dt.date(2026, 4, 10),
            reference="ZF-2026-0410",
            purposes={"transport": "100.00", "self_training": "150.00", "self_improvement": Decimal("50")},
        )
    assert paid.status == S.PAID and paid.paid_on == dt.date(2026, 4, 10)
    assert paid.purposes == {
        "self_training": Decimal("150.00"),
        "self_improvement": Decimal("50.00"),
        "transport": Decimal("100.00"),
        "other": Decimal("0.00"),
    }
    assert sum(paid.purposes.values()) == paid.total
    assert Notification.objects.filter(recipient=world.supervisor, link__contains=f"/statements/{paid.pk}/").exists()
    events = set(AuditEntry.objects.filter(object_id=str(paid.pk)).values_list("event", flat=True))
    assert {"subsidies.statement_confirmed", "subsidies.statement_paid"} <= events


def test_a_float_is_never_accepted_as_money(world, march):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    services.confirm(actor=world.agency_admin, statement=statement)
    with pytest.raises(ValidationError):
        services.pay(
            actor=world.agency_admin,
            statement=statement,
            paid_on=dt.date(2026, 4, 10),
            reference="R",
            purposes={"other": 300.0},
        )


def test_the_payer_is_told_when_a_statement_is_computed(world, march, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    assert Notification.objects.filter(
        recipient=world.agency_admin, link__contains=f"/statements/{statement.pk}/"
    ).exists()


def test_the_supplement_is_confirmed_and_paid_by_the_budget_lines_admin_only(world, supply, external_engagement):
    session(external_engagement, dt.date(2026, 4, 3), 60)
    sign_off(external_engagement, APRIL, world.agency_admin)
    _statement, supplement = services.compute(actor=world.agency_admin, engagement=external_engagement, month=APRIL)
    for user in (world.agency_admin, world.district_admin, world.finance):
        with pytest.raises(PermissionDenied):
            services.confirm(actor=user, statement=supplement)
    services.confirm(actor=world.city_admin, statement=supplement)
    paid = services.pay(
        actor=world.city_admin,
        statement=supplement,
        paid_on=dt.date(2026, 5, 2),
        reference="CZ-1",
        purposes={"transport": "50.00"},
    )
    assert paid.status == S.PAID


def test_a_confirmed_statement_does_not_change_when_the_standard_changes(world, march):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    services.confirm(actor=world.agency_admin, statement=statement)
    before = list(statement.lines.values_list("rate", "amount"))
    # A new standard, even one backdated over March, leaves the statement as it was.
    standard("subsidies.rate.agency", world.jinshui, dt.date(2026, 3, 1), "200.00")
    standard("subsidies.ceiling.agency", world.jinshui, dt.date(2026, 3, 1), "5000.00")
    statement.refresh_from_db()
    assert list(statement.lines.values_list("rate", "amount")) == before
    assert statement.total == Decimal("300.00") and statement.status == S.CONFIRMED


def test_reopening_voids_and_the_new_sign_off_computes_again(world, march, django_capture_on_commit_callbacks):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    services.confirm(actor=world.agency_admin, statement=statement)
    # The pending and disputed sessions must not hold the sign-off; settle them as the services would.
    Session.objects.filter(engagement=march, month=MARCH).exclude(status=Session.Status.CONFIRMED).delete()
    session_services.reopen(actor=world.agency_admin, engagement=march, month=MARCH, reason="补录一次督导")
    statement.refresh_from_db()
    assert statement.status == S.VOIDED and "补录一次督导" in statement.void_reason
    assert AuditEntry.objects.filter(event="subsidies.statement_voided", object_id=str(statement.pk)).exists()
    with pytest.raises(ValidationError, match="尚未签核"):
        services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    session(march, dt.date(2026, 3, 30), 60)
    with django_capture_on_commit_callbacks(execute=True):
        session_services.sign_off(actor=world.agency_admin, engagement=march, month=MARCH)
    fresh = Statement.objects.exclude(status=S.VOIDED).get(engagement=march, month=MARCH)
    assert fresh.pk != statement.pk and fresh.status == S.COMPUTED
    assert fresh.lines.filter(kind=Line.Kind.SESSION).count() == 5
    assert fresh.gross == Decimal("413.40") and fresh.total == Decimal("300.00")


def test_a_reopened_month_cannot_be_confirmed_before_the_void(world, march):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    # Written around the services (no receiver runs): the statement still reads computed.
    MonthSignOff.objects.filter(engagement=march, month=MARCH).update(status=MonthSignOff.Status.REOPENED)
    with pytest.raises(ValidationError, match="重新开放"):
        services.confirm(actor=world.agency_admin, statement=statement)


def test_a_paid_statement_survives_a_reopening(world, march):
    (statement,) = services.compute(actor=world.agency_admin, engagement=march, month=MARCH)
    services.confirm(actor=world.agency_admin, statement=statement)
    services.pay(
        actor=world.agency_admin,
        statement=statement,
        paid_on=dt.date(2026, 4, 1),
        reference="R1",
        purposes={"other": "300.00"},
    )
    Session.objects.filter(engagement=march, month=MARCH).exclude(status=Session.Status.CONFIRMED).delete()
    session_services.reopen(actor=world.agency_admin, engagement=march, month=MARCH, reason="核对")
    statement.refresh_from_db()
    assert statement.status == S.PAID


def test_a_district_pool_supervisor_used_in_another_district_is_supplemented_by_their_pools_district(world):
    from dudao.pools import services as pool_services
    from dudao.subsidies.selectors.statements import statements_for
    from tests.factories import staff
    from tests.supervision.conftest import engagement

    person = staff(world.erqi_agency, certified=True, name="二七督导丁")
    entry = pool_services.admit_to_district_pool(actor=world.erqi_admin, person=person, district=world.erqi)
    used = engagement(entry, world.agency)
    # 金水区 sets the rate its agencies pay; 二七区 the supplement its budget adds.
    standard("subsidies.rate.district", world.jinshui, dt.date(2026, 1, 1), "90.00")
    standard("subsidies.supplement.district", world.erqi, dt.date(2026, 1, 1), "40.00")
    standard("subsidies.supplement.district", world.jinshui, dt.date(2026, 1, 1), "5.00")
    session(used, dt.date(2026, 4, 9), 75)
    sign_off(used, APRIL, world.agency_admin)
    statement, supplement = services.compute(actor=world.agency_admin, engagement=used, month=APRIL)
    assert (statement.total, statement.payer_organization) == (Decimal("112.50"), world.agency)  # 1.25 h × 90.00
    assert (supplement.total, supplement.payer_jurisdiction) == (Decimal("50.00"), world.erqi)  # 1.25 h × 40.00
    assert set(statements_for(world.erqi_admin)) == {supplement}
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.district_admin, statement=supplement)
    assert services.confirm(actor=world.erqi_admin, statement=supplement).status == S.CONFIRMED


def test_a_session_found_not_to_have_taken_place_is_not_paid(world, internal_engagement):
    """A supervisee disputes a session, the agency finds it did not take place as
    recorded: the session is void, counts for no hours and is on no statement."""
    standard("subsidies.rate.agency", world.city, dt.date(2026, 1, 1), "60.00")
    kept = session(internal_engagement, dt.date(2026, 4, 7), 60)
    disputed = session_services.record(
        actor=world.supervisor,
        engagement=internal_engagement,
        date=dt.date(2026, 4, 14),
        start_time=dt.time(9, 0),
        duration_minutes=120,
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        supervisees=[world.social_worker_person],
        topics="个案督导",
        notes="",
    )
    attendance = session_services.dispute(actor=world.social_worker, session=disputed, reason="当天未进行督导")
    session_services.resolve(actor=world.agency_admin, attendance=attendance, upheld=False, resolution="经核实未进行")
    disputed.refresh_from_db()
    assert disputed.status == Session.Status.VOID
    sign_off(internal_engagement, APRIL, world.agency_admin)
    (statement,) = services.compute(actor=world.agency_admin, engagement=internal_engagement, month=APRIL)
    assert [line.session_id for line in statement.lines.all()] == [kept.pk]
    assert statement.total == Decimal("60.00")
