"""Races that only a real database with row locks can show: twenty
simultaneous submissions against a quota of two, and two reviewers deciding
one nomination at once. Skipped on SQLite, which has no SELECT ... FOR UPDATE."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from dudao.accounts.models import Role, User
from dudao.core import audit as real_audit
from dudao.directory.models import Organization, Person
from dudao.selection import services
from dudao.selection.models import Nomination, Round, Transition
from dudao.selection.selectors import quota_for
from tests.factories import user_with_role

from .helpers import agency_with_admin, hire_many, make_round

pytestmark = pytest.mark.postgres_only
S = Nomination.Status


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL row locks: SQLite ignores SELECT ... FOR UPDATE, so these races cannot be reproduced; "
            "run with DATABASE_URL=postgres://..."
        )


def run_together(calls):
    """Run each call in its own thread, released at the same instant; return
    (results, validation errors, other errors) in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", call())
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def test_twenty_simultaneous_submissions_against_a_quota_of_two_leave_exactly_two_submitted(world):
    round_ = make_round(world.city_admin, world.city)
    org, admin = agency_with_admin(world.jinshui, name="金水并发社工中心")
    people = hire_many(org, 20)  # 20 certified, all eligible: quota floor(20 / 7) = 2
    assert quota_for(round_, org).quota == 2
    drafts = [services.create_nomination(actor=admin, round_=round_, person=p, organization=org) for p in people]

    def submit(nomination_pk):
        def call():
            actor = User.objects.get(pk=admin.pk)
            return services.submit(actor=actor, nomination=Nomination.objects.get(pk=nomination_pk)).status

        return call

    outcomes = run_together([submit(n.pk) for n in drafts])
    errors = [o[1] for o in outcomes if o[0] == "error"]
    assert errors == []
    assert sum(o[0] == "ok" for o in outcomes) == 2
    refused = [o[1] for o in outcomes if o[0] == "refused"]
    assert len(refused) == 18
    assert all(("2" in e.messages[0]) for e in refused)  # the message names the quota and the places used
    statuses = list(Nomination.objects.filter(round=round_, organization=org).values_list("status", flat=True))
    assert statuses.count(S.DISTRICT_REVIEW) == 2
    assert statuses.count(S.DRAFT) == 18
    assert quota_for(Round.objects.get(pk=round_.pk), org).used == 2
    assert Transition.objects.filter(nomination__organization=org, to_status=S.DISTRICT_REVIEW).count() == 2


class SlowAudit:
    """The real audit module, but slow to write, so the first reviewer holds
    the row lock long enough for the second to queue behind it."""

    def __getattr__(self, name):
        return getattr(real_audit, name)

    @staticmethod
    def record(**kwargs):
        time.sleep(0.3)
        return real_audit.record(**kwargs)


def test_two_district_admins_deciding_one_nomination_at_once_make_exactly_one_transition(world, monkeypatch):
    round_ = make_round(world.city_admin, world.city)
    nominee = hire_many(world.agency, 6)[0]
    nomination = services.submit(
        actor=world.agency_admin,
        nomination=services.create_nomination(
            actor=world.agency_admin, round_=round_, person=nominee, organization=world.agency
        ),
    )
    colleague = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    monkeypatch.setattr(services, "audit", SlowAudit())

    def decide(user_pk, decision, reason):
        def call():
            actor = User.objects.get(pk=user_pk)
            return services.review(
                actor=actor,
                nomination=Nomination.objects.get(pk=nomination.pk),
                decision=decision,
                reason=reason,
                expected_status=S.DISTRICT_REVIEW,
            ).status

        return call

    outcomes = run_together([decide(world.district_admin.pk, "approve", ""), decide(colleague.pk, "reject", "不符合")])
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "已由" in refused.messages[0] or "already handled" in refused.messages[0]
    decided = Transition.objects.filter(nomination=nomination, from_status=S.DISTRICT_REVIEW)
    assert decided.count() == 1
    assert Nomination.objects.get(pk=nomination.pk).status == decided.get().to_status


def test_a_review_in_progress_locks_the_nomination_but_not_its_unit_round_or_person(world):
    round_ = make_round(world.city_admin, world.city)
    nominee = hire_many(world.agency, 6)[0]
    nomination = services.submit(
        actor=world.agency_admin,
        nomination=services.create_nomination(
            actor=world.agency_admin, round_=round_, person=nominee, organization=world.agency
        ),
    )
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services._locked(nomination)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            # The unit's row is what a submission locks first; a review must not hold it.
            assert Organization.objects.select_for_update(nowait=True).get(pk=world.agency.pk)
            assert Round.objects.select_for_update(nowait=True).get(pk=round_.pk)
            assert Person.objects.select_for_update(nowait=True).get(pk=nominee.pk)
            with pytest.raises(DatabaseError), transaction.atomic():
                Nomination.objects.select_for_update(nowait=True).get(pk=nomination.pk)
    finally:
        release.set()
        holder.join(timeout=30)
