"""The 1:N quota: who counts as a certified social worker of an agency on the
round's snapshot date, and how submitted nominations use the places."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dudao.policy.models import ParameterVersion
from dudao.selection import services
from dudao.selection.models import Nomination
from dudao.selection.selectors import district_summary, quota_for

from .helpers import SNAPSHOT, agency_with_admin, hire, hire_many, nominate, refreshed

S = Nomination.Status
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(("certified", "quota"), [(15, 2), (6, 0), (7, 1), (13, 1), (14, 2), (0, 0), (1, 0)])
def test_the_quota_is_certified_staff_divided_by_seven_rounded_down(world, round_, defaults, certified, quota):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, certified)
    q = quota_for(round_, org)
    assert (q.certified, q.ratio, q.quota, q.used, q.remaining) == (certified, 7, quota, 0, quota)


def test_uncertified_staff_do_not_count(world, round_, defaults):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 6)
    hire_many(org, 10, certified=False)
    q = quota_for(round_, org)
    assert (q.certified, q.quota) == (6, 0)


@pytest.mark.parametrize("level", ["assistant", "intermediate", "senior"])
def test_any_of_the_three_certificates_counts(world, round_, level):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 7, level=level)
    assert quota_for(round_, org).quota == 1


def test_staff_who_left_before_the_snapshot_date_do_not_count(world, round_):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 6)
    hire(org, end=SNAPSHOT - DAY)
    assert quota_for(round_, org).certified == 6
    hire(org, end=SNAPSHOT)  # still employed on the snapshot date itself
    assert quota_for(round_, org).certified == 7
    hire(org, end=SNAPSHOT + dt.timedelta(days=20))  # left after it: counted
    assert quota_for(round_, org).certified == 8


def test_staff_who_joined_after_the_snapshot_date_do_not_count(world, round_):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 6)
    hire(org, start=SNAPSHOT + DAY)
    assert quota_for(round_, org).certified == 6
    hire(org, start=SNAPSHOT)
    assert quota_for(round_, org).certified == 7
    assert quota_for(round_, org).quota == 1


def test_a_certificate_obtained_after_the_snapshot_date_does_not_count(world, round_):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 6)
    hire(org, issued=SNAPSHOT + DAY)
    assert quota_for(round_, org).certified == 6
    hire(org, issued=SNAPSHOT)
    assert quota_for(round_, org).certified == 7


def test_a_person_with_two_certificates_counts_once(world, round_):
    from tests.factories import CertificateFactory

    org, _admin = agency_with_admin(world.jinshui)
    people = hire_many(org, 7)
    CertificateFactory(person=people[0], issued_on=dt.date(2022, 6, 1))
    assert quota_for(round_, org).certified == 7


def test_a_person_who_moved_counts_for_the_employer_on_the_snapshot_date_only(world, round_):
    from tests.factories import EmploymentFactory

    old, _a = agency_with_admin(world.jinshui)
    new, _b = agency_with_admin(world.jinshui)
    mover = hire(old, start=dt.date(2018, 1, 1), end=SNAPSHOT - dt.timedelta(days=30))
    EmploymentFactory(person=mover, organization=new, start_date=SNAPSHOT - dt.timedelta(days=29))
    assert quota_for(round_, old).certified == 0
    assert quota_for(round_, new).certified == 1


def test_the_world_agency_counts_only_its_certified_supervisor(world, round_):
    q = quota_for(round_, world.agency)
    assert (q.certified, q.quota) == (1, 0)  # 督导甲 is certified, 社工乙 is not


def test_the_quota_follows_a_changed_ratio_in_force_on_the_snapshot_date(world, round_, defaults):
    org, _admin = agency_with_admin(world.jinshui)
    hire_many(org, 15)
    ParameterVersion.objects.create(
        key="selection.nomination_ratio", jurisdiction=world.city, value=5, effective_from=dt.date(2025, 1, 1)
    )
    q = quota_for(round_, org)
    assert (q.ratio, q.quota) == (5, 3)
    ParameterVersion.objects.create(
        key="selection.nomination_ratio", jurisdiction=world.city, value=3, effective_from=SNAPSHOT + DAY
    )
    assert quota_for(round_, org).quota == 3  # a version after the snapshot date does not change this round


def test_a_district_ratio_applies_to_that_district_agencies_only(world, round_, defaults):
    jinshui_org, _a = agency_with_admin(world.jinshui)
    erqi_org, _b = agency_with_admin(world.erqi)
    hire_many(jinshui_org, 15)
    hire_many(erqi_org, 15)
    ParameterVersion.objects.create(
        key="selection.nomination_ratio", jurisdiction=world.jinshui, value=5, effective_from=dt.date(2025, 1, 1)
    )
    assert (quota_for(round_, jinshui_org).ratio, quota_for(round_, jinshui_org).quota) == (5, 3)
    assert (quota_for(round_, erqi_org).ratio, quota_for(round_, erqi_org).quota) == (7, 2)


def test_the_district_summary_adds_up_the_quota_each_agency_is_shown(world, round_, defaults):
    # One formula (selectors.quota_of) for the agency's page and the summary: they cannot drift.
    jinshui_org, _a = agency_with_admin(world.jinshui)
    erqi_org, _b = agency_with_admin(world.erqi)
    hire_many(jinshui_org, 13)
    hire_many(erqi_org, 20)
    ParameterVersion.objects.create(
        key="selection.nomination_ratio", jurisdiction=world.jinshui, value=5, effective_from=dt.date(2025, 1, 1)
    )
    summary = {row["district"]: row for row in district_summary(round_, world.city_admin)}
    for district, orgs in ((world.jinshui, [jinshui_org, world.agency]), (world.erqi, [erqi_org])):
        shown = sum(quota_for(round_, org).quota for org in orgs if org.jurisdiction_id == district.pk)
        assert summary[district.name]["quota"] == shown


def quota_agency(world, certified):
    """world.agency topped up to `certified` certified staff; returns the extra people."""
    return hire_many(world.agency, certified - 1)


def test_a_submission_beyond_the_quota_is_refused_with_the_quota_and_the_count_used(world, round_, defaults):
    first, second, third = quota_agency(world, 14)[:3]  # 14 certified: quota 2
    nominate(world, round_, first)
    nominate(world, round_, second)
    extra = nominate(world, round_, third, submit=False)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit(actor=world.agency_admin, nomination=extra)
    message = exc.value.messages[0]
    assert "quota is used up" in message
    assert "14 certified social workers" in message
    assert "2 place(s) at 1:7" in message
    assert "2 are taken" in message
    assert refreshed(extra).status == S.DRAFT
    assert quota_for(round_, world.agency).used == 2


def test_the_over_quota_message_reads_in_chinese(world, round_):
    first, second = quota_agency(world, 7)[:2]
    nominate(world, round_, first)
    extra = nominate(world, round_, second, submit=False)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.submit(actor=world.agency_admin, nomination=extra)
    assert "持证社工 7 人" in exc.value.messages[0]
    assert "可推荐 1 人" in exc.value.messages[0]
    assert "已推荐 1 人" in exc.value.messages[0]


def test_drafts_do_not_use_a_place(world, round_):
    people = quota_agency(world, 7)
    nominate(world, round_, people[0], submit=False)
    nominate(world, round_, people[1], submit=False)
    assert quota_for(round_, world.agency).used == 0


@pytest.mark.parametrize("ending", ["reject_district", "reject_city", "withdraw_submitted", "withdraw_returned"])
def test_a_rejected_or_withdrawn_nomination_frees_its_place(world, round_, ending):
    first, second = quota_agency(world, 7)[:2]
    held = nominate(world, round_, first)
    if ending == "reject_district":
        services.review(actor=world.district_admin, nomination=held, decision="reject", reason="材料不实")
    elif ending == "reject_city":
        services.review(actor=world.district_admin, nomination=held, decision="approve")
        services.review(actor=world.city_admin, nomination=held, decision="reject", reason="名额调整")
    elif ending == "withdraw_submitted":
        services.withdraw(actor=world.agency_admin, nomination=held, reason="本人放弃")
    else:
        services.review(actor=world.district_admin, nomination=held, decision="return", reason="补充材料")
        services.withdraw(actor=world.agency_admin, nomination=held, reason="本人放弃")
    assert refreshed(held).status in (S.REJECTED, S.WITHDRAWN)
    assert quota_for(round_, world.agency).used == 0
    replacement = nominate(world, round_, second)
    assert replacement.status == S.DISTRICT_REVIEW
    assert quota_for(round_, world.agency).used == 1


@pytest.mark.parametrize("stage", ["district_review", "returned", "city_review", "approved"])
def test_a_submitted_returned_or_approved_nomination_holds_its_place(world, round_, stage):
    first, second = quota_agency(world, 7)[:2]
    held = nominate(world, round_, first)
    if stage == "returned":
        services.review(actor=world.district_admin, nomination=held, decision="return", reason="补充材料")
    if stage in ("city_review", "approved"):
        services.review(actor=world.district_admin, nomination=held, decision="approve")
    if stage == "approved":
        services.review(actor=world.city_admin, nomination=held, decision="approve")
    assert refreshed(held).status == stage
    assert quota_for(round_, world.agency).used == 1
    with pytest.raises(ValidationError):
        nominate(world, round_, second)


def test_a_returned_nomination_is_resubmitted_within_its_own_place(world, round_):
    (first,) = quota_agency(world, 7)[:1]
    held = nominate(world, round_, first)
    services.review(actor=world.district_admin, nomination=held, decision="return", reason="补充材料")
    again = services.submit(actor=world.agency_admin, nomination=held)
    assert again.status == S.DISTRICT_REVIEW
    assert quota_for(round_, world.agency).used == 1


def test_direct_entries_are_outside_the_quota(world, round_, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .helpers import PDF

    settings.MEDIA_ROOT = tmp_path
    people = quota_agency(world, 7)
    nominate(world, round_, people[0])
    direct = nominate(
        world,
        round_,
        people[1],
        submit=False,
        path=Nomination.Path.DIRECT,
        category=Nomination.Category.HIGH_LEVEL_TALENT,
    )
    services.add_evidence(actor=world.agency_admin, nomination=direct, upload=SimpleUploadedFile("博士学位证.pdf", PDF))
    assert services.submit(actor=world.agency_admin, nomination=direct).status == S.CITY_REVIEW
    assert quota_for(round_, world.agency).used == 1
