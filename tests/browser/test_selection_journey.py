"""The whole quota path in the browser: the agency nominates, the district
returns it, the agency revises and resubmits, the district approves, the city
approves, and the person is listed as a trainee."""

import re

import pytest
from playwright.sync_api import expect

from dudao.selection.models import Nomination, Trainee, Transition
from tests.browser.conftest import open_menu
from tests.factories import publicity_off
from tests.selection.helpers import hire, hire_many, make_round

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login/"))


def open_from_queue(page, name):
    open_menu(page, "选拔推荐", "待我审核")
    page.get_by_test_id("nomination-table").get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r"/selection/nominations/\d+/$"))


def decide(page, decision, reason=""):
    form = page.get_by_test_id("review-form")
    form.get_by_label(decision, exact=True).check()
    if reason:
        form.get_by_label("原因").fill(reason)
    page.get_by_test_id("record-decision").click()


def test_a_nomination_goes_from_the_agency_through_a_return_and_two_approvals_to_the_trainee_list(world, page, sign_in):
    publicity_off(world.city)  # the journey to the trainee list; 公示 has its own journey
    hire_many(world.agency, 13)
    hire(world.agency, name="王晓梅")  # with 督导甲: 15 certified, so 2 places
    round_ = make_round(world.city_admin, world.city)

    # The agency nominates 王晓梅 from the round page.
    sign_in("agency_admin")
    open_menu(page, "选拔推荐", "推荐轮次")
    page.get_by_role("link", name=round_.title).click()
    expect(page.get_by_test_id("quota-text")).to_contain_text("持证社工 15 人，可推荐 2 人，已推荐 0 人")
    page.get_by_test_id("nominate-link").click()
    row = page.locator('[data-testid="staff-row"][data-person="王晓梅"]')
    expect(row).to_contain_text("社会工作师")
    row.get_by_label("推荐理由").fill("从事社区服务多年")
    row.get_by_test_id("nominate-submit").click()
    page.wait_for_url(re.compile(r"/selection/nominations/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("待县（市、区）审核")
    nomination = Nomination.objects.get(person__name="王晓梅")
    sign_out(page)

    # The district returns it with a reason.
    sign_in("jinshui_admin")
    open_from_queue(page, "王晓梅")
    decide(page, "退回修改", "请补充督导案例")
    expect(page.get_by_test_id("status")).to_have_text("退回修改")
    expect(page.get_by_test_id("timeline")).to_contain_text("请补充督导案例")
    sign_out(page)

    # The agency reads the notice, revises the statement and resubmits.
    sign_in("agency_admin")
    page.get_by_test_id("notifications").click()
    page.get_by_test_id("notification-list").get_by_role("button", name=re.compile("王晓梅")).first.click()
    page.wait_for_url(re.compile(rf"/selection/nominations/{nomination.pk}/$"))
    expect(page.get_by_test_id("status")).to_have_text("退回修改")
    page.get_by_label("推荐理由").fill("从事社区服务多年，主持过三个督导项目")
    # One click saves the edited statement and resubmits it.
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("待县（市、区）审核")
    expect(page.get_by_role("alert")).to_contain_text("修改已保存并提交审核")
    sign_out(page)

    # The district approves.
    sign_in("jinshui_admin")
    open_from_queue(page, "王晓梅")
    decide(page, "通过")
    expect(page.get_by_test_id("status")).to_have_text("待市级审核")
    sign_out(page)

    # The city approves.
    sign_in("city_admin")
    open_from_queue(page, "王晓梅")
    decide(page, "通过", "同意列为培养对象")
    expect(page.get_by_test_id("status")).to_have_text("已通过，列为培养对象")

    # The person is listed as a trainee of the round.
    open_menu(page, "选拔推荐", "培养对象")
    table = page.get_by_test_id("trainee-table")
    expect(table.get_by_role("link", name="王晓梅")).to_be_visible()
    expect(table).to_contain_text(world.agency.name)
    expect(table).to_contain_text(round_.title)

    trainee = Trainee.objects.get()
    assert (trainee.person.name, trainee.round, trainee.nomination_id) == ("王晓梅", round_, nomination.pk)
    nomination.refresh_from_db()
    assert nomination.statement == "从事社区服务多年，主持过三个督导项目"
    assert list(Transition.objects.filter(nomination=nomination).values_list("to_status", "actor__username")) == [
        ("draft", "agency_admin"),
        ("district_review", "agency_admin"),
        ("returned", "jinshui_admin"),
        ("district_review", "agency_admin"),
        ("city_review", "jinshui_admin"),
        ("approved", "city_admin"),
    ]
