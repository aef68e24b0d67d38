"""Two agencies proposing the same supervisor at the same moment cannot both
take the last place: the second waits on the lock of the supervisor's Person
row and then sees the first one's hours. Skipped on SQLite, which has no
SELECT ... FOR UPDATE (test_engagements_services checks the lock is taken
before capacity is read)."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.supervision.models import Engagement
from dudao.supervision.services import engagements as services
from tests.factories import OrganizationFactory, staff, user_with_role
from tests.threads import skip_unless_postgresql

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    skip_unless_postgresql()


def run_together(calls):
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
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
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def test_two_proposals_at_once_cannot_both_take_the_last_hours(world, supply, monkeypatch):
    other = OrganizationFactory(name="金水第二社工中心", jurisdiction=world.jinshui)
    staff(other, name="第二社工")
    other_admin = user_with_role(Role.AGENCY_ADMIN, username="second_admin", organization=other)
    real = services.capacity_of

    def slow(person, **kwargs):
        load = real(person, **kwargs)
        time.sleep(0.5)  # both would read the same load without the lock
        return load

    monkeypatch.setattr(services, "capacity_of", slow)
    today = timezone.localdate()

    def proposal(actor, organization):
        return lambda: services.propose(
            actor=actor,
            organization=organization,
            entry=supply.external_entry,
            starts_on=today,
            ends_on=today + dt.timedelta(days=60),
            hours_per_month=Decimal(30),  # the default maximum is 40 a month
            covers_all_staff=True,
        )

    outcomes = run_together([proposal(world.agency_admin, world.agency), proposal(other_admin, other)])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Engagement.objects.filter(supervisor=supply.external_person).count() == 1
