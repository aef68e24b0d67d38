"""In a real browser: the strict Content-Security-Policy breaks nothing
(htmx filtering, the language switch, the behaviour moved out of on*
attributes), and the idle-session warning shows and keeps the session."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def csp_violations(page):
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def test_pages_work_under_the_content_security_policy(world, page, sign_in):
    violations = csp_violations(page)
    sign_in("city_admin")
    page.goto(page.base_url + "/accounts/access-log/")
    expect(page.get_by_test_id("access-log-table")).to_contain_text("city_admin")
    # The filter form works through htmx (no inline script needed).
    page.get_by_label("事件").select_option("logout")
    expect(page.get_by_test_id("access-log-table")).to_contain_text("没有符合条件的记录")
    page.goto(page.base_url + "/api/docs/")
    expect(page.locator("#swagger-ui .information-container")).to_be_visible()
    # The language switch submits from site.js, not an onchange attribute.
    page.goto(page.base_url + "/")
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []


def test_the_idle_warning_shows_and_stay_logged_in_keeps_the_session(world, page, sign_in, settings):
    settings.DUDAO_SESSION_IDLE_MINUTES = 2
    settings.DUDAO_SESSION_WARNING_MINUTES = 2  # at once, so the test need not wait
    sign_in("hrss")
    warning = page.get_by_test_id("session-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("即将自动退出登录")
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive/")) as answer:
        warning.get_by_role("button", name="保持登录").click()
    assert answer.value.status == 204
