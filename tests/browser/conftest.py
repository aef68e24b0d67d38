"""Playwright on Debian's Chromium. The browser is never downloaded: the tests
launch /usr/bin/chromium (installed by `make test` through apt)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("DUDAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium`")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between browser steps are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def _sign_in(username, password="Dudao@2026"):
        page.goto(page.base_url + "/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(page.base_url + "/")

    return _sign_in


def open_menu(page, group, item):
    """The menu keeps its pages in one dropdown per domain: open the group, follow the item."""
    menu = page.get_by_test_id("main-menu")
    menu.get_by_role("button", name=group).click()
    menu.get_by_role("link", name=item).click()
