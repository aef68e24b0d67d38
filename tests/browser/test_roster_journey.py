import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from playwright.sync_api import expect

from dudao.directory.imports import COLUMNS
from dudao.directory.models import Person
from tests.excel import xlsx_rows
from tests.factories import id_number

pytestmark = pytest.mark.browser


def roster_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.append([str(label) for _key, label, _required in COLUMNS])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_an_agency_admin_imports_a_roster_finds_a_person_and_exports_the_list(world, page, sign_in, tmp_path):
    people = [
        [
            "王晓梅",
            id_number(801),
            "本科",
            "社会工作",
            "13800000001",
            "2021-03-01",
            "社工",
            "2016-07-01",
            "养老、社区",
            "社会工作师",
            "ZZ2020001",
            "2020-06-20",
        ],
        ["李志远", id_number(802), "硕士", "心理学", "", "2022-09-01", "", "2019-07-01", "医疗", "", "", ""],
        [
            "赵婷婷",
            id_number(803),
            "大专",
            "",
            "",
            "2020-01-06",
            "",
            "",
            "",
            "助理社会工作师",
            "ZZ2019002",
            "2019-06-20",
        ],
    ]
    upload = roster_file(tmp_path / "花名册.xlsx", people)

    sign_in("agency_admin")
    page.get_by_role("link", name="导入员工花名册").first.click()
    page.get_by_label("花名册文件（.xlsx）").set_input_files(str(upload))
    page.get_by_test_id("upload").click()
    # The preview lists the adds; nothing is written until it is confirmed.
    expect(page.get_by_test_id("preview-added")).to_contain_text("王晓梅")
    assert not Person.objects.with_id_number(id_number(801)).exists()
    page.get_by_test_id("confirm-import").click()
    page.get_by_test_id("import-done").wait_for()
    assert "已导入 3 名员工" in page.get_by_test_id("import-done").inner_text()

    page.get_by_role("link", name="查看人员列表").click()
    list_path = page.url.split("?")[0]
    swapped = []
    page.on("requestfinished", lambda r: swapped.append(r.url) if r.url.startswith(list_path + "?q=") else None)
    page.get_by_label("搜索").fill("晓梅")
    page.get_by_label("搜索").press("Enter")
    table = page.get_by_test_id("person-table")
    # The filter form swaps the table in place (htmx); wait for the narrowed result.
    expect(table).not_to_contain_text("李志远")
    expect(table.get_by_role("link", name="王晓梅")).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_contain_text("1")
    # Enter fires "change" and then "submit" on the filter form: one answer is
    # swapped in, not two (a late second swap could swallow the click on Export).
    page.wait_for_timeout(500)
    assert len(swapped) == 1, swapped

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    # Playwright saves downloads under a random name without an extension, which openpyxl refuses.
    values = [list(row) for row in xlsx_rows(Path(download.path()).read_bytes())]
    assert values[0][0] == "姓名"
    assert [row[0] for row in values[1:]] == ["王晓梅"]
    assert values[1][1] == id_number(801)  # the agency admin sees its own staff's full ID

    person = Person.objects.with_id_number(id_number(801)).get()
    assert person.employments.get().organization == world.agency
    assert person.employments.get().start_date == dt.date(2021, 3, 1)


def test_a_roster_with_one_bad_row_is_refused_in_the_browser_and_nothing_is_written(world, page, sign_in, tmp_path):
    bad = id_number(901)[:-1] + ("0" if id_number(901)[-1] != "0" else "1")
    upload = roster_file(
        tmp_path / "bad.xlsx",
        [
            ["周一", id_number(900), "本科", "", "", "2021-03-01", "", "", "", "", "", ""],
            ["周二", bad, "本科", "", "", "2021-03-01", "", "", "", "", "", ""],
        ],
    )
    before = Person.objects.count()
    sign_in("agency_admin")
    page.goto(page.base_url + f"/directory/organizations/{world.agency.pk}/staff-import/")
    page.get_by_label("花名册文件（.xlsx）").set_input_files(str(upload))
    page.get_by_test_id("upload").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "第 3 行" in errors.inner_text()
    assert "校验位" in errors.inner_text()
    assert Person.objects.count() == before
