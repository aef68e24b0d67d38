"""Sessions, sign-offs and standards for the subsidy tests, written directly
(the supervision services that make them are tested in tests/supervision)."""

import datetime as dt
from itertools import count

from django.utils import timezone

from dudao.policy.models import ParameterVersion
from dudao.supervision.models import MonthSignOff, Session

_hours = count(8)


def session(engagement, day: dt.date, minutes: int, status=Session.Status.CONFIRMED, topics="个案督导") -> Session:
    """A session of the engagement on `day`, each at its own hour so none overlap."""
    return Session.objects.create(
        engagement=engagement,
        supervisor_id=engagement.supervisor_id,
        organization_id=engagement.organization_id,
        home_organization_id=engagement.home_organization_id,
        date=day,
        start_time=dt.time(next(_hours) % 24, 0),
        duration_minutes=minutes,
        month=day.replace(day=1),
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        topics=topics,
        status=status,
    )


def sign_off(engagement, month: dt.date, by) -> MonthSignOff:
    return MonthSignOff.objects.create(engagement=engagement, month=month, signed_by=by, signed_at=timezone.now())


def standard(key: str, jurisdiction, effective_from: dt.date, value: str) -> ParameterVersion:
    return ParameterVersion.objects.create(
        key=key, jurisdiction=jurisdiction, effective_from=effective_from, value=value, reason="测试"
    )
