"""Using supervisors in the browser (issue 10): the agency sees it lacks
supervision, engages the ranked external supervisor, the supervisor accepts
and records a session, the social worker confirms and rates it, and the agency
signs the month off."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dudao.supervision.models import Attendance, Engagement, MonthSignOff, Rating, Session
from tests.supervision.conftest import supply  # noqa: F401 - the fixture, shared with the supervision tests

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_an_agency_engages_a_ranked_supervisor_and_signs_off_a_confirmed_month(page, sign_in, world, supply):  # noqa: F811
    today = timezone.localdate()

    # The agency sees its staff are not covered and asks for candidates.
    sign_in("agency_admin")
    page.goto(page.base_url + f"/supervision/coverage/organizations/{world.agency.pk}/")
    page.get_by_role("link", name="查找督导").click()
    candidate = page.locator("tr, .card, li").filter(has_text="二七督导丙").first
    expect(candidate).to_be_visible()
    candidate.get_by_role("link", name="选择").click()

    # The engagement form comes preselected with the chosen supervisor.
    expect(page.get_by_test_id("chosen-entry")).to_contain_text("二七督导丙")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", today.replace(month=12, day=31).isoformat())
    page.fill("input[name=hours_per_month]", "4")
    page.get_by_label("社工乙").check()
    page.get_by_role("button", name="聘用").click()
    expect(page.get_by_text("待接受").first).to_be_visible()
    engagement = Engagement.objects.get(supervisor=supply.external_person)
    assert engagement.status == Engagement.Status.PROPOSED
    assert engagement.match_explanation, "the ranking the agency saw is kept with the proposal"
    sign_out(page)

    # The supervisor accepts and records a session.
    sign_in("external_supervisor")
    page.goto(page.base_url + f"/supervision/engagements/{engagement.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("accept")).to_have_count(0)
    page.goto(page.base_url + f"/supervision/engagements/{engagement.pk}/sessions/new/")
    page.fill("input[name=date]", today.isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=duration_minutes]", "60")
    page.select_option("select[name=form]", "individual")
    page.get_by_label("教育").check()
    page.get_by_label("社工乙").check()
    page.fill("input[name=topics], textarea[name=topics]", "个案工作中的专业关系")
    page.get_by_role("button", name="提交督导记录").click()
    session = Session.objects.get(engagement=engagement)
    expect(page).to_have_url(re.compile(rf"/supervision/sessions/{session.pk}/"))
    sign_out(page)

    # The social worker confirms and rates it.
    # The social worker's 工作台 says what to do; the to-do leads to the session.
    sign_in("social_worker")
    page.get_by_test_id("todos").get_by_role("link").first.click()
    row = page.get_by_test_id("session-table").locator("tr").filter(has_text="个案工作中的专业关系")
    row.get_by_role("link", name=today.isoformat()).click()
    expect(page).to_have_url(re.compile(rf"/supervision/sessions/{session.pk}/"))
    page.locator("[name=rating]").first.wait_for()
    if page.locator("select[name=rating]").count():
        page.select_option("select[name=rating]", "5")
    else:
        page.locator("input[name=rating][value='5']").check()
    page.get_by_role("button", name="确认督导").click()
    expect(page.get_by_text("已确认").first).to_be_visible()
    assert Attendance.objects.get(session=session).status == Attendance.Status.CONFIRMED
    assert Rating.objects.filter(supervisor=supply.external_person, score=5).count() == 1
    sign_out(page)

    # The agency signs the month off; the session is then frozen.
    sign_in("agency_admin")
    page.goto(page.base_url + f"/supervision/engagements/{engagement.pk}/months/")
    # The page asks before a month is frozen.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="签认").first.click()
    expect(page.get_by_text("已签认").first).to_be_visible()
    assert MonthSignOff.objects.filter(engagement=engagement, status=MonthSignOff.Status.SIGNED).count() == 1
