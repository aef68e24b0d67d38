"""Shared by the directory page tests: persona expectations and form data."""

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from dudao.directory.models import (
    EducationLevel,
    OrganizationType,
    ServiceDomain,
)
from tests.conftest import ALL_PERSONAS
from tests.factories import OrganizationFactory, credit_code, id_number, staff

# Codes made up in these tests use regions the factories never use, so they
# cannot collide with factory-generated ones whatever the sequence counters say.
NEW_CODE_REGION = "410199"
NEW_ID_REGION = "410102"


def zh(message: str) -> str:
    """A message as the default (zh-Hans) page shows it, HTML-escaped. Works
    whether or not the catalogue is compiled yet."""
    with translation.override("zh-hans"):
        return html.escape(gettext(message))


def every(value, **overrides):
    return {name: overrides.get(name, value) for name in ALL_PERSONAS}


def names(response) -> list[str]:
    return [obj.name for obj in response.context["object_list"]]


def org_data(org=None, **overrides):
    data = {
        "name": org.name if org else "新建社工服务中心",
        "credit_code": org.credit_code if org else credit_code(1, NEW_CODE_REGION),
        "type": (org.type if org else OrganizationType.objects.get(code="agency")).pk,
        "jurisdiction": org.jurisdiction.pk if org else None,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def person_data(person=None, **overrides):
    data = {
        "name": person.name if person else "新员工",
        "id_number": person.id_number if person else id_number(1, NEW_ID_REGION),
        "education": EducationLevel.objects.get(code="bachelor").pk,
        "major": "社会工作",
        "phone": "13800000000",
        "frontline_since": "2016-07-01",
        "service_domains": [ServiceDomain.objects.get(code="elderly").pk],
        "reason": "",
    }
    data.update(overrides)
    return data


def roster_row(n, **overrides):
    row = {
        "name": f"导入{n}",
        "id_number": id_number(100 + n, NEW_ID_REGION),
        "education": "本科",
        "major": "社会工作",
        "phone": "13900000000",
        "start_date": "2021-03-01",
        "position": "一线社工",
        "frontline_since": "2018-07-01",
        "service_domains": "养老、社区",
    }
    row.update(overrides)
    return row


# --- expected answers, per persona, for a record in 金水区 ----------------------

ORG_DETAIL = every(200, erqi_admin=404, outsider=404, trainer=404)
# Only the jurisdiction administrators edit organisations; agency admins read their own.
ORG_EDIT = every(403, city_admin=200, district_admin=200, erqi_admin=404, outsider=404, trainer=404)
ORG_CREATE = every(403, city_admin=200, district_admin=200, erqi_admin=200)
# Archiving world.other_agency_same_district: agency-scoped personas cannot even see it.
ORG_ARCHIVE = every(404, city_admin=200, district_admin=200, association=403, hrss=403, finance=403)
# world.social_worker_person: the supervisor only sees themself.
PERSON_DETAIL = every(200, erqi_admin=404, supervisor=404, outsider=404, trainer=404)
PERSON_EDIT = every(
    403,
    city_admin=200,
    district_admin=200,
    agency_admin=200,
    erqi_admin=404,
    supervisor=404,
    outsider=404,
    trainer=404,
)
PERSON_CREATE = every(403, city_admin=200, district_admin=200, erqi_admin=200, agency_admin=200, outsider=200)
ROSTER = every(403, city_admin=200, district_admin=200, agency_admin=200, erqi_admin=404, outsider=404, trainer=404)

ORG_LIST = {
    "city_admin": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "district_admin": {"金水阳光社工中心", "金水馨和社工中心"},
    "erqi_admin": {"二七同心社工中心"},
    "agency_admin": {"金水阳光社工中心"},
    "supervisor": {"金水阳光社工中心"},
    "social_worker": {"金水阳光社工中心"},
    "outsider": {"二七同心社工中心"},
    "trainer": {"启明培训"},
    "association": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "hrss": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "finance": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
}
PERSON_LIST = {
    **every({"督导甲", "社工乙"}),
    "erqi_admin": set(),
    "outsider": set(),
    "trainer": set(),
    "supervisor": {"督导甲"},
    "social_worker": {"社工乙"},
}


def grow_directory(world, count, domains=("elderly", "community")):
    """`count` more organisations in 金水区, each with a certified staff member
    who has two service domains: what a list must not pay more queries for."""
    domains = list(ServiceDomain.objects.filter(code__in=domains))
    for _i in range(count):
        org = OrganizationFactory(jurisdiction=world.jinshui)
        person = staff(org, certified=True)
        person.service_domains.set(domains)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)
