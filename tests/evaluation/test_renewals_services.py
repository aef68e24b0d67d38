"""Renewal at the end of a term: proposed on the grades, decided by the keeper, the term extended."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from dudao.core.models import AuditEntry
from dudao.evaluation.models import Cycle, Evaluation, Renewal
from dudao.evaluation.services import renewals
from dudao.pools import certificates
from dudao.pools.models import Entry
from tests.evaluation.scoring_setup import make_cycle, scene

pytestmark = pytest.mark.django_db


def _graded(s, *grades):
    year = timezone.localdate().year
    for n, grade in enumerate(grades):
        cycle = make_cycle(s.world, year=year - 1 - n, status=Cycle.Status.PUBLISHED, title=f"{year - 1 - n}年度考评")
        Evaluation.objects.create(
            cycle=cycle, entry=s.entry, person=s.person, score=Decimal("80"), grade=grade, status="published"
        )


@pytest.fixture
def s(world):
    s = scene(world)
    today = timezone.localdate()
    Entry.objects.filter(pk=s.entry.pk).update(
        admitted_on=today.replace(year=today.year - 3), expires_on=today + dt.timedelta(days=30)
    )
    s.entry.refresh_from_db()
    return s


def test_an_entry_with_a_pass_and_no_fail_is_proposed(s):
    _graded(s, "pass", "basic")
    made = renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city)
    assert [r.entry_id for r in made] == [s.entry.pk]
    assert [g["grade"] for g in made[0].grades] == ["basic", "pass"]
    assert renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city) == []


@pytest.mark.parametrize("grades", [("fail", "excellent"), ("basic",), ()])
def test_an_entry_failing_the_rule_is_not_proposed(s, grades):
    _graded(s, *grades)
    assert renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city) == []


def test_a_term_far_from_its_end_is_not_proposed(s):
    _graded(s, "pass")
    Entry.objects.filter(pk=s.entry.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=400))
    assert renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city) == []


def test_only_the_keeper_proposes_and_decides(s):
    _graded(s, "pass")
    with pytest.raises(PermissionDenied):
        renewals.propose_due(actor=s.world.district_admin, level="city", jurisdiction=s.world.city)
    (renewal,) = renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city)
    with pytest.raises(PermissionDenied):
        renewals.decide(actor=s.world.district_admin, renewal=renewal, approve=True, reason="续聘")


def test_approval_extends_the_term_and_the_certificate_shows_it(s, monkeypatch):
    _graded(s, "excellent")
    (renewal,) = renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city)
    old_end = s.entry.expires_on
    renewals.decide(actor=s.world.city_admin, renewal=renewal, approve=True, reason="考评合格，续聘一届")
    entry = Entry.objects.get(pk=s.entry.pk)
    renewal.refresh_from_db()
    assert entry.expires_on > old_end and renewal.new_expires_on == entry.expires_on
    assert renewal.status == Renewal.Status.APPROVED
    assert AuditEntry.objects.filter(event="pools.entry_renewed").exists()
    shown = []
    monkeypatch.setattr(certificates, "date_format", lambda d, fmt: shown.append(d) or str(d))
    certificates.render(entry)
    assert entry.expires_on in shown
    with pytest.raises(ValidationError):
        renewals.decide(actor=s.world.city_admin, renewal=renewal, approve=False, reason="再议")


def test_a_refusal_keeps_the_term(s):
    _graded(s, "pass")
    (renewal,) = renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city)
    renewals.decide(actor=s.world.city_admin, renewal=renewal, approve=False, reason="本人申请不再续聘")
    assert Entry.objects.get(pk=s.entry.pk).expires_on == s.entry.expires_on


def test_the_keeper_proposes_and_approves_on_the_pages(s, login):
    _graded(s, "pass")
    client = login(s.world.city_admin)
    assert 'data-testid="propose-renewals"' in client.get(reverse("evaluation:renewal_list")).content.decode()
    assert client.post(reverse("evaluation:renewal_propose")).status_code == 302
    renewal = Renewal.objects.get(entry=s.entry)
    assert login(s.world.district_admin).get(reverse("evaluation:renewal_decide", args=[renewal.pk])).status_code == 404
    assert login(s.served_admin).post(reverse("evaluation:renewal_propose")).status_code == 403
    client = login(s.world.city_admin)
    response = client.post(reverse("evaluation:renewal_decide", args=[renewal.pk]), {"approve": "1", "reason": "续聘"})
    assert response.status_code == 302
    assert Entry.objects.get(pk=s.entry.pk).expires_on > s.entry.expires_on


def test_a_refused_renewal_is_not_proposed_again_for_the_same_term(s):
    _graded(s, "pass")
    (renewal,) = renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city)
    assert renewal.term_ends_on == s.entry.expires_on
    renewals.decide(actor=s.world.city_admin, renewal=renewal, approve=False, reason="本人申请不再续聘")
    assert renewals.propose_due(actor=s.world.city_admin, level="city", jurisdiction=s.world.city) == []


def test_the_scheduled_run_proposes_each_pool_s_due_entries_once_audited_and_tells_the_keeper(
    s, django_capture_on_commit_callbacks
):
    from dudao.core.models import Notification

    _graded(s, "pass")
    with django_capture_on_commit_callbacks(execute=True):
        done = renewals.propose_all_due()
    assert done == {("city", s.world.city.name): 1}
    renewal = Renewal.objects.get(entry=s.entry)
    assert renewal.status == Renewal.Status.PROPOSED and renewal.term_ends_on == s.entry.expires_on
    entry = AuditEntry.objects.get(event="evaluation.renewal_proposed")
    assert entry.actor is None and entry.reason
    assert Notification.objects.filter(recipient=s.world.city_admin, link__contains="renewals").exists()
    assert not Notification.objects.filter(recipient=s.world.district_admin, link__contains="renewals").exists()
    # Again the same night, and the next day after a refusal: nothing new.
    assert renewals.propose_all_due() == {}
    renewals.decide(actor=s.world.city_admin, renewal=renewal, approve=False, reason="不再续聘")
    assert renewals.propose_all_due(timezone.localdate() + dt.timedelta(days=1)) == {}
    assert Renewal.objects.filter(entry=s.entry).count() == 1


def test_the_scheduled_run_reads_each_pool_s_notice_days(s):
    from dudao.policy import services as policy_services

    _graded(s, "pass")
    Entry.objects.filter(pk=s.entry.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=120))
    assert renewals.propose_all_due() == {}
    policy_services.set_parameter(
        actor=s.world.city_admin,
        key="evaluation.renewal_notice_days",
        jurisdiction=s.world.city,
        value=150,
        effective_from=timezone.localdate(),
        reason="提前半年启动续聘",
    )
    assert renewals.propose_all_due() == {("city", s.world.city.name): 1}


def test_the_command_and_the_beat_task_run_the_proposals(s):
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from dudao.evaluation.tasks import propose_renewals

    _graded(s, "pass")
    out = StringIO()
    call_command("propose_renewals", stdout=out)
    assert "proposed: 1" in out.getvalue()
    assert propose_renewals().endswith("proposed: 0")
    assert settings.CELERY_BEAT_SCHEDULE["propose-renewals"]["task"] == propose_renewals.name
