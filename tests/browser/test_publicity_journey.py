"""公示 in the browser: during the period a social worker lodges an objection
to an approved nominee from the list; the city opens it from its queue,
upholds it with a reason, and the nominee's record says why it stopped."""

import re

import pytest
from playwright.sync_api import expect

from dudao.publicity.models import Objection
from dudao.selection.models import Nomination
from tests.publicity.conftest import approve_to_publicity

pytestmark = pytest.mark.browser


def test_a_user_objects_during_publicity_and_the_city_upholds_the_objection(world, page, sign_in):
    nomination, item = approve_to_publicity(world)

    # A social worker finds the list under 公示 and objects to the nominee.
    sign_in("social_worker")
    page.locator("#nav").get_by_role("link", name="公示").click()
    page.get_by_test_id("notice-table").get_by_role("link", name=item.notice.title).click()
    expect(page.get_by_test_id(f"item-{item.pk}")).to_contain_text("公示中（待生效）")
    page.get_by_test_id(f"object-{item.pk}").click()
    expect(page.get_by_test_id("objection-subject")).to_contain_text(item.name)
    page.get_by_test_id("objection-form").locator("textarea[name=text]").fill(
        "该同志近一年未从事一线服务，推荐材料所述不实。"
    )
    page.get_by_test_id("lodge").click()
    page.wait_for_url(re.compile(r"/publicity/objections/\d+/$"))
    expect(page.get_by_test_id("objection-status")).to_have_text("待处理")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login/"))

    # The city opens its queue of objections awaiting decision and upholds it.
    sign_in("city_admin")
    page.goto(page.base_url + "/publicity/")
    page.get_by_test_id("objection-queue").click()
    page.get_by_test_id("objection-table").get_by_role("link", name=item.name).click()
    expect(page.get_by_test_id("lodged-by")).to_contain_text("social_worker")
    form = page.get_by_test_id("decision-form")
    form.get_by_label("异议成立：终止该对象").check()
    form.locator("textarea[name=reason]").fill("经向所在单位核实，异议属实。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("objection-status")).to_have_text("异议成立")
    expect(page.get_by_test_id("item-status")).to_contain_text("经向所在单位核实，异议属实。")

    assert Objection.objects.get().status == Objection.Status.UPHELD
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.REJECTED

    # The nomination's record shows the 公示 and the decision.
    page.goto(page.base_url + f"/selection/nominations/{nomination.pk}/")
    expect(page.get_by_test_id("publicity-record")).to_contain_text("经向所在单位核实，异议属实。")
