"""The site's chrome in the browser: the city admin's grouped menu fits one row
at 1440 px; on a phone (390 px) the pool list folds its filters behind a button
and shows each entry as a card whose status and term are on screen, with no
sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from tests.pools.conftest import city_entry

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_menu_on_one_row_and_the_pool_list_as_cards_on_a_phone(world, page, sign_in):
    entries = [city_entry(world, world.supervisor_person), city_entry(world, world.social_worker_person)]
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in("city_admin")
    menu = page.get_by_test_id("main-menu")
    tops = {round(box["y"]) for box in (item.bounding_box() for item in menu.locator(":scope > li").all())}
    assert len(tops) == 1, "the menu wraps to a second row"
    # Brand, menu and the user's buttons share one row too.
    assert page.locator("nav.navbar").bounding_box()["height"] < 80
    assert page.evaluate(NO_OVERFLOW)
    # The served web font draws Chinese where the system has no Chinese font.
    assert page.evaluate("document.fonts.load('16px \"Noto Sans SC\"', '人才库').then(f => f.length > 0)")
    # A narrower desktop (1280 px) keeps one row too, without the brand's subtitle.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("nav.navbar").bounding_box()["height"] < 80
    assert page.evaluate(NO_OVERFLOW)
    assert menu.get_by_role("button", name="人才库").count() == 0  # one page: a plain link
    menu.get_by_role("link", name="人才库").click()
    expect(page.get_by_test_id("entry-table")).to_be_visible()
    expect(page.locator("#filter-form")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # The filters are folded behind a button.
    expect(page.locator("#filter-form")).to_be_hidden()
    page.get_by_test_id("filter-toggle").click()
    expect(page.locator("#filter-form")).to_be_visible()
    # Bootstrap ignores a toggle while the fold is still moving.
    expect(page.locator("#filter-form")).to_have_class(re.compile(r"\bcollapse show\b"))
    page.get_by_test_id("filter-toggle").click()
    expect(page.locator("#filter-form")).to_be_hidden()
    # Each entry is a card; its status and term are on screen, labelled.
    row = page.get_by_test_id("entry-table").locator("tbody tr").filter(has_text=entries[0].entry_number)
    for label in ("状态", "到期日期"):
        cell = row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, label
    expect(row.locator('td[data-label="状态"]')).to_contain_text("有效")
    assert page.evaluate("document.fonts.load('bold 16px \"Noto Sans SC\"', '有效').then(f => f.length > 0)")
    assert page.evaluate(NO_OVERFLOW)
