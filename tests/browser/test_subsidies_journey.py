"""Subsidies in the browser (issue 11): the agency confirms and pays a
statement, split across purposes; the supervisor sees it paid."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from dudao.subsidies.models import Statement
from tests.subsidies.helpers import session, sign_off
from tests.supervision.conftest import internal_engagement, supply  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def test_the_agency_confirms_and_pays_a_statement(page, sign_in, world, internal_engagement):  # noqa: F811
    session(internal_engagement, dt.date(2026, 3, 5), 90)
    session(internal_engagement, dt.date(2026, 3, 19), 60)
    sign_off(internal_engagement, dt.date(2026, 3, 1), world.agency_admin)
    # The sign-off committed: its receiver has computed the statement.
    statement = Statement.objects.get(engagement=internal_engagement, month=dt.date(2026, 3, 1))
    assert statement.total == 150  # 1.50 h and 1.00 h at the default 60.00 per hour

    sign_in("agency_admin")
    page.get_by_test_id("todos").get_by_role("link", name=re.compile("待确认的督导补贴结算单")).click()
    page.get_by_test_id("statement-table").get_by_role("link", name="2026-03").click()
    expect(page).to_have_url(re.compile(rf"/subsidies/statements/{statement.pk}/"))
    expect(page.get_by_test_id("statement-total")).to_have_text("150.00")
    page.get_by_label("本人已核对明细，确认该金额应予支付。").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认结算单").click()
    expect(page.get_by_test_id("pay-form")).to_be_visible()
    page.fill("input[name=paid_on]", "2026-04-10")
    page.fill("input[name=reference]", "ZF-2026-0410")
    page.fill("input[name=transport]", "50.00")
    page.fill("input[name=self_training]", "60.00")
    page.fill("input[name=other]", "40.00")
    page.get_by_label("本人确认已按所填信息完成支付。").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("pay-form").get_by_role("button", name="登记支付").click()
    expect(page.get_by_text("ZF-2026-0410")).to_be_visible()
    paid = Statement.objects.get(pk=statement.pk)
    assert paid.status == Statement.Status.PAID
    assert (paid.paid_transport, paid.paid_self_training, paid.paid_other) == (50, 60, 40)
    page.get_by_role("button", name="退出登录").click()

    sign_in("supervisor")
    page.goto(page.base_url + "/subsidies/statements/")
    expect(page.get_by_test_id("statement-table")).to_contain_text("已支付")
