import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.core.scoping import CHAIN_FIELDS
from dudao.core.validators import credit_code_check_char, id_check_char
from dudao.directory.models import (
    Certificate,
    CertificateLevel,
    EducationLevel,
    Employment,
    Jurisdiction,
    Organization,
    OrganizationType,
    Person,
)
from dudao.directory.scoping import refresh_people


def credit_code(n: int, region: str = "410105") -> str:
    body = f"52{region}{n:09d}"
    return body + credit_code_check_char(body)


def id_number(n: int, region: str = "410105", birth: dt.date = dt.date(1990, 1, 1)) -> str:
    birth = birth + dt.timedelta(days=n // 1000)
    body = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return body + id_check_char(body)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    type = factory.LazyFunction(lambda: OrganizationType.objects.get(code="agency"))
    jurisdiction = factory.LazyFunction(lambda: Jurisdiction.objects.get(code="410105"))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    id_number = factory.Sequence(lambda n: id_number(n + 1))
    education = factory.LazyFunction(lambda: EducationLevel.objects.get(code="bachelor"))
    frontline_since = dt.date(2015, 7, 1)


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    start_date = dt.date(2018, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Services keep a person's stored scope in step with employment; data
        # written straight to the table in tests must do the same.
        employment = super()._create(model_class, *args, **kwargs)
        rescope(employment.person)
        return employment


def rescope(*people) -> None:
    """Bring people's stored scope (employer, chain) up to date after a test
    changed their employment rows directly, and the instances in hand too."""
    refresh_people([p.pk for p in people])
    for person in people:
        person.refresh_from_db(fields=["employer", "employed", *CHAIN_FIELDS])


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    person = factory.SubFactory(PersonFactory)
    level = factory.LazyFunction(lambda: CertificateLevel.objects.get(code="intermediate"))
    number = factory.Sequence(lambda n: f"CERT{n:06d}")
    issued_on = dt.date(2019, 6, 1)


def staff(organization, *, certified=False, **kwargs) -> Person:
    person = PersonFactory(**kwargs)
    EmploymentFactory(person=person, organization=organization)
    if certified:
        CertificateFactory(person=person)
    return person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    # Hashed before the insert (with the suite's fast hasher), not set afterwards: set_password()
    # then save() cost every user an UPDATE and a delete of its tokens, and nearly every test
    # makes eleven users (tests/conftest.py, world).
    password = factory.LazyFunction(lambda: make_password("Dudao@2026"))


def user_with_role(role: Role, *, username=None, jurisdiction=None, organization=None, person=None) -> User:
    user = UserFactory(**({"username": username} if username else {}), person=person)
    RoleAssignment.objects.create(user=user, role=role, jurisdiction=jurisdiction, organization=organization)
    return user


def publicity_off(city) -> None:
    """The city publishes nothing before it takes effect (公示 off, from today):
    for the tests of the workflows themselves; tests/publicity runs with it on."""
    from django.utils import timezone

    from dudao.policy.models import ParameterVersion

    ParameterVersion.objects.create(
        key="publicity.enabled", jurisdiction=city, value=False, effective_from=timezone.localdate()
    )
