"""The assessment in the browser: the trainer records attendance and scores,
the city admin confirms the results, the passing trainee's certificate
downloads, and the public verification page finds the entry."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dudao.pools.models import Entry
from dudao.training import services
from dudao.training.models import Activity, Attendance, Member
from tests.factories import publicity_off
from tests.selection.helpers import make_round
from tests.training.conftest import make_trainee, trainer_org_of

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login/"))


@pytest.fixture
def cohort(world):
    publicity_off(world.city)  # results enter the pool at once; 公示 has its own journey
    round_ = make_round(world.city_admin, world.city)
    trainees = [
        make_trainee(round_, world.supervisor_person, world.agency),
        make_trainee(round_, world.social_worker_person, world.agency),
    ]
    programme = services.create_programme(
        actor=world.city_admin,
        jurisdiction=world.city,
        name="2026年百名督导培养计划",
        trainer=trainer_org_of(world.trainer),
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    theory = services.add_module(
        actor=world.trainer, programme=programme, title="督导理论", kind="theory", hours=Decimal("8")
    )
    practice = services.add_module(
        actor=world.trainer, programme=programme, title="督导实务", kind="practice", hours=Decimal("2")
    )
    cohort = services.create_cohort(
        actor=world.trainer, programme=programme, name="第一期", round_=round_, trainees=trainees
    )
    for module, day in ((theory, 1), (practice, 2)):
        services.schedule_session(
            actor=world.trainer,
            cohort=cohort,
            module=module,
            starts_at=timezone.make_aware(dt.datetime(2026, 4, day, 9)),
            location="市社会工作指导中心",
        )
    return cohort


def record_attendance(page, session_row, *names):
    session_row.get_by_test_id("attendance-link").click()
    page.wait_for_url(re.compile(r"/training/sessions/\d+/attendance/$"))
    for name in names:
        page.get_by_label(name, exact=True).check()
    page.get_by_test_id("save-attendance").click()
    page.wait_for_url(re.compile(r"/training/cohorts/\d+/$"))


def test_the_trainer_records_attendance_and_scores_and_the_city_confirms_into_the_pool(world, cohort, page, sign_in):
    supervisor = Member.objects.get(cohort=cohort, trainee__person=world.supervisor_person)
    worker = Member.objects.get(cohort=cohort, trainee__person=world.social_worker_person)

    # The trainer finds the cohort through the programme list.
    sign_in("trainer")
    page.goto(page.base_url + "/training/programmes/")
    page.get_by_test_id("programme-table").get_by_role("link", name="2026年百名督导培养计划").click()
    page.get_by_test_id("cohort-table").get_by_role("link", name="第一期").click()
    page.wait_for_url(re.compile(r"/training/cohorts/\d+/$"))

    # 8 hours of theory, both present; 2 hours of practice, only 督导甲.
    sessions = page.get_by_test_id("session-table").locator("tbody tr")
    record_attendance(page, sessions.filter(has_text="督导理论"), "督导甲", "社工乙")
    record_attendance(page, sessions.filter(has_text="督导实务"), "督导甲")
    members = page.get_by_test_id("member-table")
    expect(members.locator("tr", has_text="督导甲")).to_contain_text("100.0%")
    expect(members.locator("tr", has_text="社工乙")).to_contain_text("80.0%")
    assert Attendance.objects.filter(present=True).count() == 3

    # Scores: 督导甲 passes, 社工乙 (at 80 % attendance) falls short on the score.
    page.get_by_test_id("scores-link").click()
    page.locator(f'input[name="theory-{supervisor.pk}"]').fill("82")
    page.locator(f'input[name="practice-{supervisor.pk}"]').fill("76.5")
    page.locator(f'input[name="theory-{worker.pk}"]').fill("58")
    page.locator(f'input[name="practice-{worker.pk}"]').fill("60")
    page.get_by_test_id("save-scores").click()
    table = page.get_by_test_id("results-table")
    expect(table.locator('tr[data-member="督导甲"] [data-testid="overall"]')).to_have_text("79.3")
    expect(table.locator('tr[data-member="社工乙"] [data-testid="overall"]')).to_have_text("59.0")
    expect(table.locator('tr[data-member="督导甲"] [data-testid="outcome"] .badge.text-bg-success')).to_be_visible()
    expect(table.locator('tr[data-member="社工乙"] [data-testid="outcome"] .badge.text-bg-danger')).to_be_visible()
    expect(page.get_by_test_id("confirm-results")).to_have_count(0)  # the trainer does not confirm
    scores_url = page.url
    sign_out(page)

    # The city admin confirms, through the confirmation dialog.
    sign_in("city_admin")
    page.goto(scores_url)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_test_id("confirm-results").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("confirm-results")).to_have_count(0)
    assert dialogs and "2" in dialogs[0]
    assert Member.objects.get(pk=supervisor.pk).passed is True
    assert Member.objects.get(pk=worker.pk).passed is False
    entry = Entry.objects.get()
    assert entry.person == world.supervisor_person and entry.level == Entry.Level.CITY

    # The certificate of the passing trainee downloads from the pool entry,
    # reached through the supervisor's pool profile.
    page.get_by_test_id("results-table").locator('tr[data-member="督导甲"]').get_by_test_id("entry-link").click()
    page.wait_for_url(re.compile(r"/pools/people/\d+/$"))
    page.get_by_test_id("pool-entries").get_by_role("link", name=entry.entry_number).click()
    page.wait_for_url(re.compile(r"/pools/entries/\d+/$"))
    expect(page.get_by_test_id("entry-number")).to_have_text(entry.entry_number)
    with page.expect_download() as info:
        page.get_by_test_id("certificate").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    sign_out(page)

    # Anyone may verify it on the public page, without signing in.
    page.goto(page.base_url + "/pools/verify/")
    page.get_by_test_id("verify-form").locator("input[name=code]").fill(entry.verification_code)
    page.get_by_test_id("verify-form").get_by_role("button").click()
    expect(page.get_by_test_id("verify-result")).to_be_visible()
    expect(page.get_by_test_id("verify-name")).to_contain_text("督")


def test_the_trainer_ticks_everyone_present_then_marks_one_excused(world, cohort, page, sign_in):
    sign_in("trainer")
    page.goto(page.base_url + f"/training/cohorts/{cohort.pk}/")
    sessions = page.get_by_test_id("session-table").locator("tbody tr")
    sessions.filter(has_text="督导理论").get_by_test_id("attendance-link").click()
    page.wait_for_url(re.compile(r"/training/sessions/\d+/attendance/$"))
    page.get_by_test_id("check-all").check()
    expect(page.get_by_label("督导甲", exact=True)).to_be_checked()
    expect(page.get_by_label("社工乙", exact=True)).to_be_checked()
    # 请假 for 社工乙 takes the tick off 出勤 and leaves 全选 half-set.
    page.locator('tr[data-member="社工乙"] input[name="excused"]').check()
    expect(page.get_by_label("社工乙", exact=True)).not_to_be_checked()
    assert page.get_by_test_id("check-all").evaluate("box => box.indeterminate")
    page.get_by_test_id("save-attendance").click()
    page.wait_for_url(re.compile(r"/training/cohorts/\d+/$"))
    rows = {
        a.member.trainee.person.name: (a.present, a.excused)
        for a in Attendance.objects.select_related("member__trainee__person")
    }
    assert rows == {"督导甲": (True, False), "社工乙": (False, True)}


def test_an_agency_admin_finds_participants_by_name_and_unit_in_the_picker(world, page, sign_in):
    sign_in("agency_admin")
    page.goto(page.base_url + "/training/activities/new/")
    page.locator("#id_title").fill("伦理专题学习")
    page.locator("#id_held_on").fill("2026-05-10")
    page.locator("#id_hours").fill("2")
    picker = page.locator(".ts-wrapper").filter(has=page.locator("#id_participants-ts-control"))
    page.locator("#id_participants-ts-control").fill("督导")
    page.locator(".ts-dropdown .option", has_text="督导甲").click()
    page.locator("#id_participants-ts-control").fill(world.agency.name[:4])
    page.locator(".ts-dropdown .option", has_text="社工乙").click()
    expect(picker.locator(".item")).to_have_count(2)
    picker.locator(".item", has_text="社工乙").locator(".remove").click()
    expect(picker.locator(".item")).to_have_count(1)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/training/activities/$"))
    activity = Activity.objects.get()
    assert [p.name for p in activity.participants.all()] == ["督导甲"]
