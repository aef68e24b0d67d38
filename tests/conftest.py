"""Shared personas. Every page and endpoint test uses the same cast:

city_admin, district_admin (金水区), agency_admin (an agency in 金水区),
supervisor and social_worker (staff of that agency), outsider (agency admin in
二七区), plus trainer, association, hrss and finance.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings

from dudao.accounts.models import Role
from dudao.directory import reference_data
from dudao.directory.models import Jurisdiction, OrganizationType

from .factories import OrganizationFactory, staff, user_with_role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings, tmp_path):
    """Background jobs run synchronously inside the request that starts them
    (a thread would not see the test's uncommitted rows), and write their files
    under a temporary MEDIA_ROOT."""
    settings.DUDAO_JOBS_RUN_INLINE = True
    settings.CELERY_BROKER_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"


# The rows the reference data loads, read after its first load in this worker.
_reference_rows: dict = {}


def _reference_tables():
    from dudao.core.models import ReferenceDataVersion
    from dudao.directory.models import CertificateLevel, City, EducationLevel, ServiceDomain

    return [Jurisdiction, City, OrganizationType, ServiceDomain, EducationLevel, CertificateLevel, ReferenceDataVersion]


@pytest.fixture
def reference(db):
    """Zhengzhou's reference data, as `manage.py load_reference_data` loads it.
    The first test of a worker loads it through reference_data.load(); later
    tests, whose transaction rolled those rows back, get the same rows again by
    one bulk insert per table: the load saves 46 rows one by one, and nearly
    every test starts with it (tests/directory tests the load itself)."""
    key = connection.settings_dict["NAME"]
    if key not in _reference_rows or Jurisdiction.objects.exists():
        reference_data.load()
        _reference_rows.setdefault(
            key, [(model, list(model.objects.order_by("pk").values())) for model in _reference_tables()]
        )
    else:
        # The foreign keys are checked at commit (deferred), so a parent after its child is fine.
        for model, rows in _reference_rows[key]:
            model.objects.bulk_create([model(**row) for row in rows])
    return {j.code: j for j in Jurisdiction.objects.all()}


@dataclass
class World:
    city: object
    jinshui: object
    erqi: object
    agency: object
    other_agency_same_district: object
    erqi_agency: object
    supervisor_person: object
    social_worker_person: object
    city_admin: object
    district_admin: object
    erqi_admin: object
    agency_admin: object
    supervisor: object
    social_worker: object
    outsider: object
    trainer: object
    association: object
    hrss: object
    finance: object

    def persona(self, name):
        return getattr(self, name)


@pytest.fixture
def world(reference):
    city, jinshui, erqi = reference["410100"], reference["410105"], reference["410103"]
    agency = OrganizationFactory(name="金水阳光社工中心", jurisdiction=jinshui)
    other = OrganizationFactory(name="金水馨和社工中心", jurisdiction=jinshui)
    erqi_agency = OrganizationFactory(name="二七同心社工中心", jurisdiction=erqi)
    trainer_org = OrganizationFactory(
        name="启明培训", type=OrganizationType.objects.get(code="trainer"), jurisdiction=city
    )
    supervisor_person = staff(agency, certified=True, name="督导甲")
    social_worker_person = staff(agency, name="社工乙")
    return World(
        city=city,
        jinshui=jinshui,
        erqi=erqi,
        agency=agency,
        other_agency_same_district=other,
        erqi_agency=erqi_agency,
        supervisor_person=supervisor_person,
        social_worker_person=social_worker_person,
        city_admin=user_with_role(Role.CITY_ADMIN, username="city_admin", jurisdiction=city),
        district_admin=user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin", jurisdiction=jinshui),
        erqi_admin=user_with_role(Role.DISTRICT_ADMIN, username="erqi_admin", jurisdiction=erqi),
        agency_admin=user_with_role(Role.AGENCY_ADMIN, username="agency_admin", organization=agency),
        supervisor=user_with_role(Role.SUPERVISOR, username="supervisor", person=supervisor_person),
        social_worker=user_with_role(Role.SOCIAL_WORKER, username="social_worker", person=social_worker_person),
        outsider=user_with_role(Role.AGENCY_ADMIN, username="outsider", organization=erqi_agency),
        trainer=user_with_role(Role.TRAINER, username="trainer", organization=trainer_org),
        association=user_with_role(Role.ASSOCIATION, username="association", jurisdiction=city),
        hrss=user_with_role(Role.HRSS, username="hrss", jurisdiction=city),
        finance=user_with_role(Role.FINANCE, username="finance", jurisdiction=city),
    )


ALL_PERSONAS = [
    "city_admin",
    "district_admin",
    "erqi_admin",
    "agency_admin",
    "supervisor",
    "social_worker",
    "outsider",
    "trainer",
    "association",
    "hrss",
    "finance",
]


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api


__all__ = ["ALL_PERSONAS", "make_password", "override_settings"]
