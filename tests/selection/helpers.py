"""Helpers for the selection tests: open a round, staff an agency, move
nominations along."""

import datetime as dt
import html

from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.accounts.models import Role
from dudao.directory.models import CertificateLevel, DisciplinaryRecord, EducationLevel
from dudao.selection import services
from dudao.selection.models import Nomination
from tests.factories import CertificateFactory, EmploymentFactory, OrganizationFactory, PersonFactory, user_with_role

SNAPSHOT = dt.date(2026, 9, 30)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def zh(message: str, **params) -> str:
    """A message as the default (zh-Hans) page shows it, HTML-escaped."""
    with translation.override("zh-hans"):
        text = gettext(message)
    return html.escape(text % params if params else text)


def make_round(actor, jurisdiction, *, year=2026, snapshot=SNAPSHOT, days_open=30, title=None):
    now = timezone.now()
    return services.open_round(
        actor=actor,
        jurisdiction=jurisdiction,
        year=year,
        title=title or f"{year}年度督导人才培养对象推荐",
        snapshot_date=snapshot,
        submission_deadline=now + dt.timedelta(days=days_open),
        district_review_deadline=now + dt.timedelta(days=days_open + 15),
        city_review_deadline=now + dt.timedelta(days=days_open + 30),
    )


def hire(
    org,
    *,
    certified=True,
    level="intermediate",
    start=dt.date(2018, 1, 1),
    end=None,
    issued=dt.date(2019, 6, 1),
    **person,
):
    """A person on the organisation's staff; certified with the given level."""
    p = PersonFactory(**person)
    EmploymentFactory(person=p, organization=org, start_date=start, end_date=end)
    if certified:
        CertificateFactory(person=p, level=CertificateLevel.objects.get(code=level), issued_on=issued)
    return p


def hire_many(org, n, **kwargs):
    return [hire(org, **kwargs) for _ in range(n)]


def education(code):
    return EducationLevel.objects.get(code=code)


def discipline(person, on=dt.date(2024, 5, 1), text="违规收取服务对象费用"):
    return DisciplinaryRecord.objects.create(person=person, decided_on=on, description=text, authority="市民政局")


def agency_with_admin(jurisdiction, name=None, username=None):
    org = OrganizationFactory(jurisdiction=jurisdiction, **({"name": name} if name else {}))
    admin = user_with_role(Role.AGENCY_ADMIN, organization=org, **({"username": username} if username else {}))
    return org, admin


def nominate(world, round_, person, *, org=None, actor=None, submit=True, **kwargs):
    nomination = services.create_nomination(
        actor=actor or world.agency_admin, round_=round_, person=person, organization=org or world.agency, **kwargs
    )
    if submit:
        nomination = services.submit(actor=actor or world.agency_admin, nomination=nomination)
    return nomination


def refreshed(nomination):
    return Nomination.objects.get(pk=nomination.pk)
