"""The functions of supervision an organisation's records may name (policy 一:
administrative, educational, supportive; Chinese practice adds project planning
and resource linking), read from the policy data `supervision.functions` at the
organisation's jurisdiction: the one place the forms' choices and the
services' checks read them."""

import datetime as dt

from django.utils import timezone

from dudao.policy.selectors import value


def functions_of(organization, on: dt.date | None = None) -> list[str]:
    return list(value("supervision.functions", organization.jurisdiction, on or timezone.localdate()))
