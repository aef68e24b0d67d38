"""Every role's 工作台 at 1440 px and on a 390 px phone: each to-do card is
visible and nothing runs off the side of the page."""

import pytest
from playwright.sync_api import expect

from dudao.core.workbench import todos_for
from tests.conftest import ALL_PERSONAS
from tests.workbench_scene import workbench_scene

pytestmark = pytest.mark.browser

SIZES = [(1440, 900), (390, 844)]
# One persona per role (二七's district and agency administrators repeat two of them).
ROLES = [p for p in ALL_PERSONAS if p not in {"erqi_admin", "outsider"}]


def test_every_role_s_workbench_shows_its_to_dos_on_a_desktop_and_a_phone(world, browser, live_server):
    workbench_scene(world)
    for persona in ROLES:
        user = world.persona(persona)
        expected = len(todos_for(user))
        context = browser.new_context(locale="zh-CN", viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill("Dudao@2026")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/", wait_until="domcontentloaded")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(live_server.url + "/", wait_until="domcontentloaded")
            cards = page.get_by_test_id("todo-card")
            expect(cards).to_have_count(expected)
            for i in range(expected):
                expect(cards.nth(i)).to_be_visible()
            if expected == 0:
                # The read-only bureaus watch figures with links to their reports.
                expect(page.get_by_test_id("figure").first).to_be_visible()
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"{persona} at {width} px overflows horizontally"
        context.close()
