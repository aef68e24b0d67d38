"""The nomination workflow: the quota path agency → district → city → trainee,
returns and resubmissions, rejections, the direct-entry path with evidence, the
timeline, notifications, and two reviewers acting on one nomination."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from dudao.accounts.models import Role
from dudao.core.models import AuditEntry, Notification
from dudao.core.selectors import live_notification_count
from dudao.selection import services
from dudao.selection.models import Evidence, Nomination, Trainee, Transition
from tests.factories import OrganizationFactory, user_with_role

from .helpers import PDF, PNG, hire, make_round, nominate, refreshed

S = Nomination.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def nominee(world):
    """world.agency with 7 certified staff (quota 1); returns an eligible one."""
    people = [hire(world.agency) for _ in range(6)]
    return people[0]


def timeline(nomination):
    return list(
        Transition.objects.filter(nomination=nomination).values_list(
            "from_status", "to_status", "actor__username", "reason"
        )
    )


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("message", "link"))


def test_the_quota_path_runs_from_the_agency_through_district_and_city_to_a_trainee(world, round_, nominee, defaults):
    draft = services.create_nomination(
        actor=world.agency_admin, round_=round_, person=nominee, organization=world.agency, statement="  扎根社区十年  "
    )
    assert (draft.status, draft.statement, draft.created_by) == (S.DRAFT, "扎根社区十年", world.agency_admin)
    submitted = services.submit(actor=world.agency_admin, nomination=draft)
    assert submitted.status == S.DISTRICT_REVIEW
    assert submitted.submitted_at is not None
    assert {r["code"]: r["passed"] for r in refreshed(draft).eligibility} == {
        "employer": True,
        "employed_on_snapshot": True,
        "certificate": True,
        "frontline_years": True,
        "discipline": True,
    }
    services.review(actor=world.district_admin, nomination=draft, decision="approve", expected_status=S.DISTRICT_REVIEW)
    assert refreshed(draft).status == S.CITY_REVIEW
    assert not Trainee.objects.exists()
    services.review(
        actor=world.city_admin, nomination=draft, decision="approve", reason="同意", expected_status=S.CITY_REVIEW
    )
    final = refreshed(draft)
    assert final.status == S.APPROVED
    assert final.decided_at is not None
    trainee = Trainee.objects.get()
    assert (trainee.person, trainee.round, trainee.nomination) == (nominee, round_, final)
    assert timeline(draft) == [
        ("", S.DRAFT, "agency_admin", ""),
        (S.DRAFT, S.DISTRICT_REVIEW, "agency_admin", ""),
        (S.DISTRICT_REVIEW, S.CITY_REVIEW, "jinshui_admin", ""),
        (S.CITY_REVIEW, S.APPROVED, "city_admin", "同意"),
    ]


def test_every_transition_records_actor_time_and_reason_and_an_audit_entry(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="return", reason="请补充服务案例")
    services.update_nomination(actor=world.agency_admin, nomination=n, statement="已补充案例")
    services.submit(actor=world.agency_admin, nomination=n)
    services.review(actor=world.district_admin, nomination=n, decision="approve", reason="材料齐全")
    services.review(actor=world.city_admin, nomination=n, decision="reject", reason="年度名额调整")
    rows = list(Transition.objects.filter(nomination=n))
    assert [r.to_status for r in rows] == [
        S.DRAFT,
        S.DISTRICT_REVIEW,
        S.RETURNED,
        S.DISTRICT_REVIEW,
        S.CITY_REVIEW,
        S.REJECTED,
    ]
    assert all(r.actor is not None and r.at is not None for r in rows)
    assert [r.at for r in rows] == sorted(r.at for r in rows)
    assert rows[2].reason == "请补充服务案例"
    assert rows[-1].reason == "年度名额调整"
    assert rows[-1].actor == world.city_admin
    status_changes = AuditEntry.objects.filter(object_id=str(n.pk), changes__has_key="status").count()
    assert status_changes == len(rows)
    assert refreshed(n).decided_at is not None


def test_a_returned_nomination_is_edited_and_resubmitted_to_the_district(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="return", reason="推荐理由过于简单")
    assert refreshed(n).status == S.RETURNED
    services.update_nomination(actor=world.agency_admin, nomination=n, statement="十年社区服务，主持三个督导项目")
    assert refreshed(n).statement == "十年社区服务，主持三个督导项目"
    assert services.submit(actor=world.agency_admin, nomination=n).status == S.DISTRICT_REVIEW
    services.review(actor=world.district_admin, nomination=n, decision="approve")
    assert refreshed(n).status == S.CITY_REVIEW


def test_the_city_may_return_a_nomination_which_goes_back_through_the_district(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="approve")
    services.review(actor=world.city_admin, nomination=n, decision="return", reason="请附工作证明")
    assert refreshed(n).status == S.RETURNED
    assert services.submit(actor=world.agency_admin, nomination=n).status == S.DISTRICT_REVIEW


def test_a_submitted_nomination_cannot_be_edited_or_submitted_again(world, round_, nominee):
    n = nominate(world, round_, nominee)
    with pytest.raises(ValidationError):
        services.update_nomination(actor=world.agency_admin, nomination=n, statement="改")
    with pytest.raises(ValidationError):
        services.submit(actor=world.agency_admin, nomination=n)
    assert refreshed(n).status == S.DISTRICT_REVIEW


@pytest.mark.parametrize("decision", ["return", "reject"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required_to_return_or_reject(world, round_, nominee, decision, reason):
    n = nominate(world, round_, nominee)
    with pytest.raises(ValidationError) as exc:
        services.review(actor=world.district_admin, nomination=n, decision=decision, reason=reason)
    assert "reason" in exc.value.message_dict
    assert refreshed(n).status == S.DISTRICT_REVIEW
    assert Transition.objects.filter(nomination=n).count() == 2


def test_an_unknown_decision_is_refused(world, round_, nominee):
    n = nominate(world, round_, nominee)
    with pytest.raises(ValidationError) as exc:
        services.review(actor=world.district_admin, nomination=n, decision="maybe")
    assert "decision" in exc.value.message_dict


def test_another_district_admin_may_not_review_and_gets_404_in_the_pages(world, round_, nominee, client):
    n = nominate(world, round_, nominee)
    with pytest.raises(PermissionDenied):
        services.review(actor=world.erqi_admin, nomination=n, decision="approve")
    client.force_login(world.erqi_admin)
    assert client.get(reverse("selection:nomination_detail", args=[n.pk])).status_code == 404
    response = client.post(
        reverse("selection:nomination_review", args=[n.pk]),
        {"decision": "approve", "reason": "", "expected_status": S.DISTRICT_REVIEW},
    )
    assert response.status_code == 404
    assert refreshed(n).status == S.DISTRICT_REVIEW


def test_the_city_cannot_act_while_the_nomination_is_with_the_district(world, round_, nominee, client):
    n = nominate(world, round_, nominee)
    with pytest.raises(PermissionDenied):
        services.review(actor=world.city_admin, nomination=n, decision="approve")
    client.force_login(world.city_admin)
    page = client.get(reverse("selection:nomination_detail", args=[n.pk]))
    assert page.status_code == 200
    assert page.context["review_form"] is None
    response = client.post(
        reverse("selection:nomination_review", args=[n.pk]),
        {"decision": "approve", "reason": "", "expected_status": S.DISTRICT_REVIEW},
    )
    assert response.status_code == 403
    assert refreshed(n).status == S.DISTRICT_REVIEW
    assert not Trainee.objects.exists()


@pytest.mark.parametrize("persona", ["agency_admin", "hrss", "association", "supervisor", "outsider"])
def test_roles_that_do_not_review_cannot_review(world, round_, nominee, persona):
    n = nominate(world, round_, nominee)
    with pytest.raises(PermissionDenied):
        services.review(actor=world.persona(persona), nomination=n, decision="approve")
    assert refreshed(n).status == S.DISTRICT_REVIEW


def test_only_the_nominating_unit_submits_edits_and_withdraws(world, round_, nominee):
    n = nominate(world, round_, nominee, submit=False)
    for persona in ("outsider", "district_admin", "city_admin", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.submit(actor=world.persona(persona), nomination=n)
        with pytest.raises(PermissionDenied):
            services.withdraw(actor=world.persona(persona), nomination=n)
    with pytest.raises(PermissionDenied):
        services.create_nomination(actor=world.outsider, round_=round_, person=nominee, organization=world.agency)
    assert refreshed(n).status == S.DRAFT


def test_a_person_can_have_only_one_live_nomination_per_round(world, round_, nominee):
    first = nominate(world, round_, nominee, submit=False)
    with pytest.raises(ValidationError) as exc:
        nominate(world, round_, nominee, submit=False)
    assert "person" in exc.value.message_dict
    services.withdraw(actor=world.agency_admin, nomination=first)
    assert nominate(world, round_, nominee, submit=False).status == S.DRAFT


def test_nobody_nominates_someone_off_their_staff(world, round_):
    other = hire(world.other_agency_same_district)
    with pytest.raises(ValidationError) as exc:
        services.create_nomination(actor=world.agency_admin, round_=round_, person=other, organization=world.agency)
    assert "person" in exc.value.message_dict


def test_a_decided_nomination_cannot_be_withdrawn(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="reject", reason="不符合")
    with pytest.raises(ValidationError):
        services.withdraw(actor=world.agency_admin, nomination=n)
    assert refreshed(n).status == S.REJECTED


def test_submissions_stop_after_the_deadline_and_when_the_round_is_closed(world, nominee):
    late = make_round(world.city_admin, world.city, year=2025, days_open=-1, snapshot=dt.date(2025, 9, 30))
    with pytest.raises(ValidationError):
        services.create_nomination(actor=world.agency_admin, round_=late, person=nominee, organization=world.agency)
    current = make_round(world.city_admin, world.city)
    draft = nominate(world, current, nominee, submit=False)
    services.close_round(actor=world.city_admin, round_=current, reason="结束")
    with pytest.raises(ValidationError):
        services.submit(actor=world.agency_admin, nomination=draft)
    assert refreshed(draft).status == S.DRAFT


def test_no_decision_is_recorded_once_the_round_is_closed(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.close_round(actor=world.city_admin, round_=round_, reason="到期")
    with pytest.raises(ValidationError):
        services.review(actor=world.district_admin, nomination=n, decision="approve")
    assert refreshed(n).status == S.DISTRICT_REVIEW


def test_only_the_city_admin_opens_and_closes_rounds(world):
    for persona in ("district_admin", "agency_admin", "hrss"):
        with pytest.raises(PermissionDenied):
            make_round(world.persona(persona), world.city)
    round_ = make_round(world.city_admin, world.city)
    with pytest.raises(ValidationError):
        make_round(world.city_admin, world.city)  # one round per year
    with pytest.raises(PermissionDenied):
        services.close_round(actor=world.district_admin, round_=round_)
    services.close_round(actor=world.city_admin, round_=round_)
    with pytest.raises(ValidationError):
        services.close_round(actor=world.city_admin, round_=round_)


def test_a_round_needs_deadlines_in_order_and_a_snapshot_before_the_deadline(world):
    from django.utils import timezone

    now = timezone.now()
    good = {
        "actor": world.city_admin,
        "jurisdiction": world.city,
        "year": 2027,
        "title": "2027",
        "snapshot_date": now.date(),
        "submission_deadline": now + dt.timedelta(days=10),
        "district_review_deadline": now + dt.timedelta(days=20),
        "city_review_deadline": now + dt.timedelta(days=30),
    }
    with pytest.raises(ValidationError):
        services.open_round(**{**good, "district_review_deadline": now + dt.timedelta(days=5)})
    with pytest.raises(ValidationError):
        services.open_round(**{**good, "snapshot_date": (now + dt.timedelta(days=11)).date()})
    assert services.open_round(**good).year == 2027


# --- notifications ---------------------------------------------------------------


def test_the_next_reviewer_and_the_agency_are_notified_at_each_step(
    world, round_, nominee, django_capture_on_commit_callbacks
):
    second_jinshui = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    with django_capture_on_commit_callbacks(execute=True):
        n = nominate(world, round_, nominee)
    link = reverse("selection:nomination_detail", args=[n.pk])
    # Submitted: every district admin of 金水区, nobody else.
    for reviewer in (world.district_admin, second_jinshui):
        assert [link_ for _m, link_ in inbox(reviewer)] == [link]
        assert nominee.name in inbox(reviewer)[0][0]
    for persona in ("erqi_admin", "city_admin", "agency_admin", "outsider", "hrss"):
        assert inbox(world.persona(persona)) == []

    # District approval: the city reviews next, the agency hears of it.
    with django_capture_on_commit_callbacks(execute=True):
        services.review(actor=world.district_admin, nomination=n, decision="approve")
    assert [link_ for _m, link_ in inbox(world.city_admin)] == [link]
    assert [link_ for _m, link_ in inbox(world.agency_admin)] == [link]
    assert inbox(world.erqi_admin) == []

    # City approval: the agency learns its nominee is a trainee.
    with django_capture_on_commit_callbacks(execute=True):
        services.review(actor=world.city_admin, nomination=n, decision="approve")
    assert len(inbox(world.agency_admin)) == 2
    assert nominee.name in inbox(world.agency_admin)[-1][0]
    assert round_.title in inbox(world.agency_admin)[-1][0]
    assert len(inbox(world.city_admin)) == 1


def test_notification_messages_name_the_nominee_and_the_decision(
    world, round_, nominee, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        n = nominate(world, round_, nominee)
        services.review(actor=world.district_admin, nomination=n, decision="return", reason="补充")
    assert inbox(world.district_admin)[-1][0] == f"Nomination to review: {nominee.name} ({world.agency.name})"
    assert inbox(world.agency_admin)[-1][0] == f"Nomination returned for revision: {nominee.name}"
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        services.submit(actor=world.agency_admin, nomination=n)
        services.review(actor=world.district_admin, nomination=n, decision="reject", reason="不符合")
    assert nominee.name in inbox(world.agency_admin)[-1][0]
    assert (
        Notification.objects.filter(
            recipient=world.agency_admin, link=reverse("selection:nomination_detail", args=[n.pk])
        ).count()
        == 2
    )


def test_a_review_handled_by_any_reviewer_leaves_no_live_notice_with_anyone(
    world, round_, nominee, login, django_capture_on_commit_callbacks
):
    colleague = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    with django_capture_on_commit_callbacks(execute=True):
        n = nominate(world, round_, nominee)
    assert [live_notification_count(u) for u in (world.district_admin, colleague)] == [1, 1]
    with django_capture_on_commit_callbacks(execute=True):
        services.review(actor=colleague, nomination=n, decision="return", reason="补充证书扫描件")
    # The colleague handled it: neither district admin has it to do any more, read or not.
    assert [live_notification_count(u) for u in (world.district_admin, colleague)] == [0, 0]
    page = login(world.district_admin).get(reverse("core:notification_list"))
    assert page.context["unread_notifications"] == 0
    assert page.content.decode().count("data-handled") == 1
    # The agency's to-do of revising is handled by resubmitting, which asks the district again.
    assert live_notification_count(world.agency_admin) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(actor=world.agency_admin, nomination=n)
    assert live_notification_count(world.agency_admin) == 0
    assert [live_notification_count(u) for u in (world.district_admin, colleague)] == [1, 1]
    with django_capture_on_commit_callbacks(execute=True):
        services.review(actor=world.district_admin, nomination=n, decision="approve")
    assert [live_notification_count(u) for u in (world.district_admin, colleague, world.city_admin)] == [0, 0, 1]
    # A notice that only informs stays until it is read.
    assert live_notification_count(world.agency_admin) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(actor=world.agency_admin, nomination=n, reason="本人放弃")
    assert live_notification_count(world.city_admin) == 0


def test_nothing_is_notified_when_the_transition_fails(world, round_, nominee, django_capture_on_commit_callbacks):
    n = nominate(world, round_, nominee)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.review(actor=world.district_admin, nomination=n, decision="reject", reason="")
    assert Notification.objects.count() == before


# --- two reviewers at once -------------------------------------------------------


def test_a_second_reviewer_acting_on_a_stale_page_is_told_it_was_already_handled(world, round_, nominee):
    colleague = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    colleague.display_name = "王科长"
    colleague.save()
    n = nominate(world, round_, nominee)
    services.review(actor=colleague, nomination=n, decision="approve", expected_status=S.DISTRICT_REVIEW)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.review(
            actor=world.district_admin,
            nomination=n,
            decision="reject",
            reason="不符合",
            expected_status=S.DISTRICT_REVIEW,
        )
    message = exc.value.messages[0]
    assert "already handled by 王科长" in message
    assert "Awaiting city review" in message
    assert refreshed(n).status == S.CITY_REVIEW
    assert Transition.objects.filter(nomination=n, from_status=S.DISTRICT_REVIEW).count() == 1


def test_a_second_reviewer_without_an_expected_status_is_also_told(world, round_, nominee):
    colleague = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    n = nominate(world, round_, nominee)
    services.review(actor=colleague, nomination=n, decision="return", reason="补充")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.review(actor=world.district_admin, nomination=n, decision="approve")
    assert "jinshui_admin2" in exc.value.messages[0]
    assert "已由" in exc.value.messages[0]
    assert refreshed(n).status == S.RETURNED


def test_a_stale_page_after_a_return_and_resubmission_is_refused_by_expected_status(world, round_, nominee):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="approve")
    with pytest.raises(ValidationError) as exc:
        services.review(actor=world.city_admin, nomination=n, decision="approve", expected_status=S.DISTRICT_REVIEW)
    assert "already" in exc.value.messages[0] or "已由" in exc.value.messages[0]
    assert refreshed(n).status == S.CITY_REVIEW


def test_the_stale_review_in_the_page_shows_the_message_instead_of_an_error(world, round_, nominee, client):
    n = nominate(world, round_, nominee)
    services.review(actor=world.district_admin, nomination=n, decision="approve")
    colleague = user_with_role(Role.DISTRICT_ADMIN, username="jinshui_admin2", jurisdiction=world.jinshui)
    client.force_login(colleague)
    response = client.post(
        reverse("selection:nomination_review", args=[n.pk]),
        {"decision": "reject", "reason": "不符合", "expected_status": S.DISTRICT_REVIEW},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert any("已由" in t for t in texts)
    assert refreshed(n).status == S.CITY_REVIEW


# --- direct entry ----------------------------------------------------------------


def direct(world, round_, person, category=Nomination.Category.HIGH_LEVEL_TALENT, **kwargs):
    return nominate(world, round_, person, submit=False, path=Nomination.Path.DIRECT, category=category, **kwargs)


def test_a_direct_entry_needs_evidence_then_goes_straight_to_the_city(
    world, round_, nominee, media, django_capture_on_commit_callbacks
):
    n = direct(world, round_, nominee)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit(actor=world.agency_admin, nomination=n)
    assert "Attach at least one PDF or image" in exc.value.messages[0]
    evidence = services.add_evidence(
        actor=world.agency_admin,
        nomination=n,
        upload=SimpleUploadedFile("博士学位证书.pdf", PDF, "application/pdf"),
        description="学位证",
    )
    assert (evidence.content_type, evidence.original_name, evidence.size) == (
        "application/pdf",
        "博士学位证书.pdf",
        len(PDF),
    )
    assert (media / evidence.file.name).read_bytes() == PDF
    assert "博士学位证书" not in evidence.file.name  # stored under a random name
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit(actor=world.agency_admin, nomination=n)
    assert submitted.status == S.CITY_REVIEW
    assert inbox(world.district_admin) == []
    assert inbox(world.city_admin)[-1][1] == reverse("selection:nomination_detail", args=[n.pk])
    with pytest.raises(PermissionDenied):
        services.review(actor=world.district_admin, nomination=n, decision="approve")
    services.review(actor=world.city_admin, nomination=n, decision="approve", expected_status=S.CITY_REVIEW)
    assert refreshed(n).status == S.APPROVED
    assert Trainee.objects.get().nomination == n
    assert [t[1] for t in timeline(n)] == [S.DRAFT, S.CITY_REVIEW, S.APPROVED]


def test_a_png_or_jpeg_is_accepted_as_evidence(world, round_, nominee, media):
    n = direct(world, round_, nominee)
    png = services.add_evidence(actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("a.png", PNG))
    jpg = services.add_evidence(
        actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    )
    assert (png.content_type, jpg.content_type) == ("image/png", "image/jpeg")


def test_a_text_file_named_pdf_is_refused(world, round_, nominee, media):
    n = direct(world, round_, nominee)
    fake = SimpleUploadedFile("证明.pdf", b"this is only text pretending", content_type="application/pdf")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.add_evidence(actor=world.agency_admin, nomination=n, upload=fake)
    assert "PDF, PNG or JPEG" in exc.value.messages[0]
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*"))


def test_an_oversized_file_is_refused(world, round_, nominee, media, settings):
    settings.DUDAO_MAX_EVIDENCE_BYTES = 1024 * 1024
    n = direct(world, round_, nominee)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.add_evidence(actor=world.agency_admin, nomination=n, upload=big)
    assert "the limit is 1.0 MB" in exc.value.messages[0]
    assert not Evidence.objects.exists()
    exactly = SimpleUploadedFile("刚好.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))
    assert services.add_evidence(actor=world.agency_admin, nomination=n, upload=exactly).size == 1024 * 1024


def test_an_empty_file_is_refused(world, round_, nominee, media):
    n = direct(world, round_, nominee)
    with pytest.raises(ValidationError):
        services.add_evidence(actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("空.pdf", b""))


def test_evidence_cannot_be_added_once_submitted_or_by_another_unit(world, round_, nominee, media):
    n = direct(world, round_, nominee)
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=world.outsider, nomination=n, upload=SimpleUploadedFile("a.pdf", PDF))
    services.add_evidence(actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("a.pdf", PDF))
    services.submit(actor=world.agency_admin, nomination=n)
    with pytest.raises(ValidationError):
        services.add_evidence(actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("b.pdf", PDF))
    assert Evidence.objects.count() == 1


def test_a_direct_entry_needs_a_category(world, round_, nominee):
    with pytest.raises(ValidationError) as exc:
        direct(world, round_, nominee, category="")
    assert "category" in exc.value.message_dict
    with pytest.raises(ValidationError):
        nominate(world, round_, nominee, submit=False, category=Nomination.Category.HIGH_LEVEL_TALENT)


def test_a_university_teacher_must_be_recommended_by_a_university(world, round_, nominee, media):
    from dudao.directory.models import OrganizationType

    n = direct(world, round_, nominee, category=Nomination.Category.UNIVERSITY_TEACHER)
    services.add_evidence(actor=world.agency_admin, nomination=n, upload=SimpleUploadedFile("a.pdf", PDF))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit(actor=world.agency_admin, nomination=n)
    assert "not a university" in exc.value.messages[0]

    university = OrganizationFactory(jurisdiction=world.jinshui, type=OrganizationType.objects.get(code="university"))
    admin = user_with_role(Role.AGENCY_ADMIN, organization=university)
    teacher = hire(university)
    m = direct(world, round_, teacher, category=Nomination.Category.UNIVERSITY_TEACHER, org=university, actor=admin)
    services.add_evidence(actor=admin, nomination=m, upload=SimpleUploadedFile("a.pdf", PDF))
    assert services.submit(actor=admin, nomination=m).status == S.CITY_REVIEW


def test_a_district_recommends_the_supervisor_it_selected_and_follows_it_in_the_pages(
    world, round_, nominee, media, client
):
    n = services.create_nomination(
        actor=world.district_admin,
        round_=round_,
        person=nominee,
        organization=world.agency,
        path=Nomination.Path.DIRECT,
        category=Nomination.Category.DISTRICT_SELECTED,
    )
    with pytest.raises(PermissionDenied):
        services.create_nomination(
            actor=world.erqi_admin,
            round_=round_,
            person=hire(world.agency),
            organization=world.agency,
            path=Nomination.Path.DIRECT,
            category=Nomination.Category.DISTRICT_SELECTED,
        )
    client.force_login(world.district_admin)
    detail = client.get(reverse("selection:nomination_detail", args=[n.pk]))
    assert detail.status_code == 200
    assert detail.context["can_edit"] is True
    upload = client.post(
        reverse("selection:nomination_evidence", args=[n.pk]),
        {"file": SimpleUploadedFile("区级评选文件.pdf", PDF), "description": "区评选结果"},
    )
    assert upload.status_code == 302
    assert client.post(reverse("selection:nomination_submit", args=[n.pk])).status_code == 302
    assert refreshed(n).status == S.CITY_REVIEW
    services.review(actor=world.city_admin, nomination=n, decision="approve")
    assert Trainee.objects.get().person == nominee


def test_a_district_admin_may_not_recommend_other_direct_categories(world, round_, nominee):
    with pytest.raises(PermissionDenied):
        services.create_nomination(
            actor=world.district_admin,
            round_=round_,
            person=nominee,
            organization=world.agency,
            path=Nomination.Path.DIRECT,
            category=Nomination.Category.HIGH_LEVEL_TALENT,
        )


def test_a_nomination_cannot_be_withdrawn_once_the_round_is_closed(world, nominee):
    round_ = make_round(world.city_admin, world.city)
    nomination = nominate(world, round_, nominee)
    services.close_round(actor=world.city_admin, round_=round_)
    with pytest.raises(ValidationError):
        services.withdraw(actor=world.agency_admin, nomination=nomination, reason="x")
    assert refreshed(nomination).status == Nomination.Status.DISTRICT_REVIEW
