"""The staff roster import: the whole file is checked and written in one
transaction, or nothing is written and every wrong row is named."""

import datetime as dt
import re
from io import BytesIO

import pytest
import xlwt
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from dudao.core.models import AuditEntry
from dudao.directory.imports import COLUMNS, ImportRejected, import_roster, template_file, validate_roster
from dudao.directory.models import Certificate, Employment, Person

from ..factories import id_number, staff

pytestmark = pytest.mark.django_db

KEYS = [key for key, _label, _required in COLUMNS]
TODAY = dt.date(2025, 6, 30)


def _headers(lang="en"):
    with translation.override(lang):
        return [str(label) + ("*" if required else "") for _key, label, required in COLUMNS]


def _id(n):
    return id_number(n, region="410105", birth=dt.date(1985, 5, 5))


def _row(n, **overrides):
    row = {
        "name": f"导入{n}",
        "id_number": _id(n),
        "education": "本科",
        "major": "社会工作",
        "phone": f"139{n:08d}",
        "start_date": "2021-03-01",
        "position": "一线社工",
        "frontline_since": "2019-07-01",
        "service_domains": "养老、社区",
        "certificate_level": "助理社会工作师",
        "certificate_number": f"IMP{n:06d}",
        "certificate_date": "2020-06-01",
    }
    return row | overrides


def _xlsx_bytes(rows, *, lang="en", keys=KEYS, headers=None):
    wb = Workbook()
    ws = wb.active
    all_headers = dict(zip(KEYS, _headers(lang), strict=True))
    ws.append(headers if headers is not None else [all_headers[k] for k in keys])
    for row in rows:
        ws.append([row.get(k) for k in keys] if isinstance(row, dict) else row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(content, name="roster.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _xlsx(rows, **kwargs):
    return _upload(_xlsx_bytes(rows, **kwargs))


def _counts():
    return {
        "people": Person.objects.count(),
        "employments": Employment.objects.count(),
        "certificates": Certificate.objects.count(),
        "domains": Person.service_domains.through.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _reject(world, upload, actor=None):
    before = _counts()
    # Messages are asserted in English whether or not the catalogue is compiled.
    with pytest.raises(ImportRejected) as exc, translation.override("en"):
        import_roster(actor=actor or world.agency_admin, organization=world.agency, upload=upload, today=TODAY)
    assert _counts() == before, "a rejected file must write nothing"
    return exc.value.errors


def _messages(errors, row):
    return " | ".join(e.message for e in errors if e.row == row)


# --- the big ones ----------------------------------------------------------------


def test_500_good_rows_and_one_bad_id_check_digit_writes_nothing_and_names_the_row(world):
    rows = [_row(n) for n in range(1000, 1501)]
    bad = rows[317]
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")

    errors = _reject(world, _xlsx(rows))

    assert [e.row for e in errors] == [319]  # header is row 1, rows[0] is row 2
    assert bad["id_number"] in errors[0].message
    assert not Person.objects.with_id_numbers([r["id_number"] for r in rows]).exists()


def test_500_good_rows_are_all_written_with_employments_certificates_domains_and_audit(world):
    rows = [_row(n) for n in range(2000, 2500)]
    before = _counts()

    count = import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY)

    assert count == 500
    after = _counts()
    assert after["people"] - before["people"] == 500
    assert after["employments"] - before["employments"] == 500
    assert after["certificates"] - before["certificates"] == 500
    assert after["domains"] - before["domains"] == 1000
    imported = Person.objects.with_id_numbers([r["id_number"] for r in rows])
    assert imported.count() == 500
    assert Employment.objects.filter(person__in=imported, organization=world.agency, end_date=None).count() == 500

    person = imported.with_id_number(_id(2123)).get()
    assert person.name == "导入2123"
    assert person.education.name == "本科"
    assert person.frontline_since == dt.date(2019, 7, 1)
    assert sorted(d.code for d in person.service_domains.all()) == ["community", "elderly"]
    certificate = person.certificates.get()
    assert (certificate.level.name, certificate.number, certificate.issued_on) == (
        "助理社会工作师",
        "IMP002123",
        dt.date(2020, 6, 1),
    )
    employment = person.employments.get()
    assert (employment.start_date, employment.position) == (dt.date(2021, 3, 1), "一线社工")

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert entries.count() == 501  # one for the organisation, one per person
    assert set(entries.values_list("actor", flat=True)) == {world.agency_admin.pk}
    org_entry = entries.get(object_id=str(world.agency.pk), content_type__model="organization")
    assert org_entry.changes["staff_imported"] == [None, 500]
    assert org_entry.changes["file"] == [None, "roster.xlsx"]
    assert entries.filter(object_id=str(person.pk), content_type__model="person").get().changes == {
        "employer": [None, world.agency.name]
    }


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_headers_in_either_language_are_accepted(world, lang):
    count = import_roster(
        actor=world.agency_admin, organization=world.agency, upload=_xlsx([_row(1)], lang=lang), today=TODAY
    )
    assert count == 1
    assert Person.objects.with_id_number(_id(1)).exists()


def test_headers_without_the_required_star_and_optional_columns_left_out_are_accepted(world):
    keys = ["name", "id_number", "start_date"]
    headers = [h.rstrip("*") for k, h in zip(KEYS, _headers(), strict=True) if k in keys]
    upload = _xlsx([_row(2)], keys=keys, headers=headers)
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=upload, today=TODAY) == 1
    person = Person.objects.with_id_number(_id(2)).get()
    assert person.education is None
    assert not person.certificates.exists()


def test_every_wrong_row_is_listed_in_row_order(world):
    rows = [_row(n) for n in range(3000, 3010)]
    rows[7]["education"] = "小学"
    rows[2]["start_date"] = "2021-02-30"
    rows[5]["name"] = ""
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [4, 7, 9]


# --- duplicates ------------------------------------------------------------------


def test_an_id_number_repeated_in_the_file_is_named_by_row(world):
    rows = [_row(n) for n in range(3100, 3105)]
    rows[4]["id_number"] = rows[1]["id_number"]
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [6]
    assert "3" in errors[0].message and rows[1]["id_number"] in errors[0].message


def test_a_certificate_number_repeated_in_the_file_is_named_by_row(world):
    rows = [_row(n) for n in range(3200, 3205)]
    rows[3]["certificate_number"] = rows[0]["certificate_number"]
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [5]
    assert rows[0]["certificate_number"] in errors[0].message


def test_the_same_certificate_number_at_different_levels_is_not_a_duplicate(world):
    rows = [_row(3300), _row(3301, certificate_number="IMP003300", certificate_level="社会工作师")]
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY) == 2


def test_an_id_number_already_on_the_platform_is_named_by_row(world):
    # Someone still employed by another unit; the agency's own staff would be updated instead
    # (tests/directory/test_roster_reimport.py).
    elsewhere = staff(world.erqi_agency, name="导入3402")
    rows = [_row(n) for n in range(3400, 3403)]
    rows[2]["id_number"] = elsewhere.id_number
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [4]
    assert elsewhere.id_number in errors[0].message


def test_a_certificate_number_already_on_the_platform_is_named_by_row(world):
    taken = world.supervisor_person.certificates.get()
    rows = [_row(n) for n in range(3500, 3503)]
    rows[1]["certificate_level"] = taken.level.name
    rows[1]["certificate_number"] = taken.number
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [3]
    assert taken.number in errors[0].message


def test_a_lower_case_x_id_number_is_a_duplicate_of_the_upper_case_one(world):
    value = next(v for v in (_id(n) for n in range(3600, 3700)) if v.endswith("X"))
    rows = [_row(1, id_number=value), _row(2, id_number=value.lower())]
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [3]


# --- the file as a whole -----------------------------------------------------------


def test_a_missing_required_column_is_reported_on_the_header_row(world):
    keys = [k for k in KEYS if k != "id_number"]
    errors = _reject(world, _xlsx([_row(1)], keys=keys))
    assert [e.row for e in errors] == [1]
    assert "ID number" in errors[0].message


def test_a_sheet_with_unrelated_headers_names_every_missing_required_column(world):
    errors = _reject(world, _xlsx([["a", "b", "c"]], headers=["foo", "bar", "baz"]))
    assert [e.row for e in errors] == [1]
    for column in ("Name", "ID number", "Employed since"):
        assert column in errors[0].message


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("姓名,身份证号\n张三,410105199001011233\n".encode(), "roster.csv", ".xlsx"),
        (b"this is not a zip archive at all", "roster.xlsx", "could not be read"),
        (b"PK\x03\x04 truncated zip", "roster.xlsx", "could not be read"),
        (b"", "roster.xlsx", "empty"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_rejected_with_a_clear_message(world, content, name, expected):
    errors = _reject(world, _upload(content, name=name))
    assert [e.row for e in errors] == [0]
    assert expected in errors[0].message


def test_a_real_workbook_renamed_to_csv_is_still_refused(world):
    errors = _reject(world, _upload(_xlsx_bytes([_row(1)]), name="roster.csv"))
    assert [e.row for e in errors] == [0]


def test_an_upper_case_extension_is_accepted(world):
    upload = _upload(_xlsx_bytes([_row(4)]), name="ROSTER.XLSX")
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=upload, today=TODAY) == 1


def test_a_file_over_the_size_limit_is_rejected(world, settings):
    content = _xlsx_bytes([_row(n) for n in range(3700, 3720)])
    settings.DUDAO_MAX_UPLOAD_BYTES = len(content) - 1
    errors = _reject(world, _upload(content))
    assert [e.row for e in errors] == [0]
    assert "limit" in errors[0].message
    settings.DUDAO_MAX_UPLOAD_BYTES = len(content)
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_upload(content), today=TODAY)


def test_a_file_with_too_many_rows_is_rejected(world, settings):
    settings.DUDAO_MAX_IMPORT_ROWS = 3
    errors = _reject(world, _xlsx([_row(n) for n in range(3800, 3804)]))
    assert [e.row for e in errors] == [0]
    assert "3" in errors[0].message


def test_a_file_with_only_headers_has_no_data_rows(world):
    errors = _reject(world, _xlsx([]))
    assert [e.row for e in errors] == [0]
    assert "no data rows" in errors[0].message


def test_a_workbook_with_an_empty_sheet_is_empty(world):
    wb = Workbook()
    buffer = BytesIO()
    wb.save(buffer)
    errors = _reject(world, _upload(buffer.getvalue()))
    assert [e.row for e in errors] == [0]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(world):
    rows = [_row(3900), [None] * len(KEYS), ["  "] + [None] * (len(KEYS) - 1), _row(3901, education="小学")]
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [5]
    good = [_row(3900), [None] * len(KEYS), _row(3901)]
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(good), today=TODAY) == 2


# --- row contents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"start_date": "2021-13-01"}, "Employed since"),
        ({"start_date": "昨天"}, "Employed since"),
        ({"start_date": ""}, "Employed since"),
        ({"start_date": "99999999999999999999-01-01"}, "Employed since"),
        ({"start_date": "2025-07-01"}, "future"),
        ({"frontline_since": "2019-02-29"}, "Frontline practice since"),
        ({"certificate_date": "2020/06/31"}, "Certificate issued on"),
        ({"education": "小学"}, "小学"),
        ({"certificate_level": "超级社工师"}, "超级社工师"),
        ({"service_domains": "养老、太空"}, "太空"),
        ({"certificate_number": ""}, "Certificate number"),
        ({"certificate_number": "N" * 65}, "Certificate number"),
        ({"certificate_level": ""}, "Certificate level"),
        ({"certificate_date": ""}, "Certificate issued on"),
        ({"certificate_date": "2025-07-01"}, "future"),
        ({"name": ""}, "Name"),
        ({"name": "名" * 65}, "Name"),
        ({"id_number": ""}, "ID number"),
        ({"id_number": "41010519900101123"}, "ID number"),
    ],
)
def test_a_wrong_cell_is_reported_for_its_row(world, overrides, expected):
    rows = [_row(4000), _row(4001, **overrides), _row(4002)]
    errors = _reject(world, _xlsx(rows))
    assert {e.row for e in errors} == {3}
    assert expected in _messages(errors, 3)


def test_a_certificate_with_only_a_number_asks_for_level_and_date(world):
    row = _row(4100, certificate_level="", certificate_date="")
    errors = _reject(world, _xlsx([row]))
    message = _messages(errors, 2)
    assert "Certificate level" in message and "Certificate issued on" in message


def test_a_row_without_any_certificate_columns_imports_without_a_certificate(world):
    row = _row(4200, certificate_level="", certificate_number="", certificate_date="")
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx([row]), today=TODAY) == 1
    assert not Person.objects.with_id_number(_id(4200)).get().certificates.exists()


def test_excel_date_cells_numbers_and_other_date_spellings_are_read(world):
    rows = [
        _row(
            4300,
            start_date=dt.datetime(2021, 3, 1),
            frontline_since=dt.date(2019, 7, 1),
            certificate_date="2020/6/1",
            phone=13912345678,
            certificate_number=2020410100123,
            service_domains="养老, 社区；禁毒",
        ),
        _row(4301, start_date="2021.03.01", frontline_since="20190701", id_number=f" {_id(4301)[:6]} {_id(4301)[6:]} "),
    ]
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY) == 2
    first = Person.objects.with_id_number(_id(4300)).get()
    assert first.employments.get().start_date == dt.date(2021, 3, 1)
    assert first.phone == "13912345678"
    assert first.certificates.get().number == "2020410100123"
    assert first.certificates.get().issued_on == dt.date(2020, 6, 1)
    assert sorted(d.code for d in first.service_domains.all()) == ["community", "drug", "elderly"]
    second = Person.objects.with_id_number(_id(4301)).get()
    assert second.employments.get().start_date == dt.date(2021, 3, 1)
    assert second.frontline_since == dt.date(2019, 7, 1)


# --- who may import -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "erqi_admin", "supervisor", "social_worker", "trainer", "hrss"])
def test_only_someone_who_manages_the_agency_may_import_into_it(world, persona):
    before = _counts()
    with pytest.raises(PermissionDenied):
        import_roster(actor=world.persona(persona), organization=world.agency, upload=_xlsx([_row(1)]), today=TODAY)
    assert _counts() == before


def test_the_district_admin_may_import_into_an_agency_of_its_district(world):
    upload = _xlsx([_row(4400)])
    assert import_roster(actor=world.district_admin, organization=world.agency, upload=upload, today=TODAY) == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT, actor=world.district_admin).count() == 2


def test_validate_roster_alone_writes_nothing(world):
    before = _counts()
    parsed = validate_roster(_xlsx([_row(4500), _row(4501)]), today=TODAY)
    assert [r["row"] for r in parsed] == [2, 3]
    assert _counts() == before


# --- the template ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_template_opens_with_its_headers_and_instructions(reference, lang):
    with translation.override(lang):
        wb = load_workbook(BytesIO(template_file()))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == _headers(lang)
    assert len(wb.worksheets) == 3 and wb.worksheets[2].sheet_state == "hidden"
    notes = " ".join(str(row[0].value) for row in wb.worksheets[1].iter_rows())
    assert "本科" in notes and "助理社会工作师" in notes and "养老" in notes and "、" in notes


def test_the_template_example_row_is_itself_a_valid_row(world):
    parsed = validate_roster(_upload(template_file()), today=TODAY)
    assert len(parsed) == 1 and parsed[0]["name"] == "张三"


def test_a_row_filled_into_the_template_imports(world):
    wb = load_workbook(BytesIO(template_file()))
    ws = wb.worksheets[0]
    ws.delete_rows(2)
    ws.append([_row(4600)[k] for k in KEYS])
    buffer = BytesIO()
    wb.save(buffer)

    count = import_roster(
        actor=world.agency_admin, organization=world.agency, upload=_upload(buffer.getvalue()), today=TODAY
    )

    assert count == 1
    person = Person.objects.with_id_number(_id(4600)).get()
    assert person.name == "导入4600"
    assert person.employments.get().organization == world.agency
    assert person.certificates.get().number == "IMP004600"


def _column(key):
    return "ABCDEFGHIJKL"[KEYS.index(key)]


def test_the_template_keeps_id_numbers_phones_and_certificate_numbers_as_text(world):
    ws = load_workbook(BytesIO(template_file())).worksheets[0]
    for key in ("id_number", "phone", "certificate_number"):
        assert ws.column_dimensions[_column(key)].number_format == "@", key
        assert ws[f"{_column(key)}2"].data_type == "s" and ws[f"{_column(key)}2"].number_format == "@"
    assert ws[f"{_column('id_number')}2"].value == "410105199001011233"
    assert ws.freeze_panes == "A2" and ws["A1"].font.b


def test_the_template_offers_the_coded_values_as_drop_down_lists(world):
    wb = load_workbook(BytesIO(template_file()))
    ws, lists = wb.worksheets[0], wb["lists"]
    rules = {str(rule.sqref).split(":")[0]: rule for rule in ws.data_validations.dataValidation}
    listed = {}
    for key in ("education", "certificate_level", "service_domains"):
        rule = rules[f"{_column(key)}2"]
        assert str(rule.sqref).endswith(":" + _column(key) + "5001")
        column, rows = re.match(r"lists!\$([A-Z])\$1:\$[A-Z]\$(\d+)", rule.formula1).groups()
        listed[key] = [lists[f"{column}{n}"].value for n in range(1, int(rows) + 1)]
        assert rule.showErrorMessage == (key != "service_domains"), key  # several domains may be typed
    assert "本科" in listed["education"]
    assert "助理社会工作师" in listed["certificate_level"]
    assert "养老" in listed["service_domains"] and "社区" in listed["service_domains"]


def _xls_bytes(rows, *, lang="en"):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, header in enumerate(_headers(lang)):
        ws.write(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(KEYS):
            value = row.get(key)
            if value is not None:
                ws.write(r, c, value, date_style) if isinstance(value, dt.date) else ws.write(r, c, value)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_legacy_xls_roster_imports(world):
    rows = [_row(5000, start_date=dt.date(2021, 3, 1)), _row(5001, frontline_since="2019年7月1日")]
    upload = _upload(_xls_bytes(rows, lang="zh-hans"), name="花名册.xls")
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=upload, today=TODAY) == 2
    person = Person.objects.with_id_number(_id(5000)).get()
    assert person.employments.get().start_date == dt.date(2021, 3, 1)
    assert Person.objects.with_id_number(_id(5001)).get().frontline_since == dt.date(2019, 7, 1)


def test_an_id_number_the_spreadsheet_stored_as_a_number_says_what_happened_and_how_to_fix_it(world):
    # What an office suite stores when 410105199001011233 is typed into a General cell.
    rows = [_row(5100), _row(5101, id_number=4.10105199001011e17), _row(5102)]
    errors = _reject(world, _xlsx(rows))
    assert [e.row for e in errors] == [3]
    message = errors[0].message
    assert "4.10105199001011E+17" in message and "last digits are lost" in message and "Text (文本)" in message
    assert "check digit" not in message


def test_a_landline_stored_as_a_number_lost_its_leading_zero_and_says_so(world):
    errors = _reject(world, _xlsx([_row(5200, phone=37165432100)]))
    assert "leading 0" in _messages(errors, 2)


@pytest.mark.parametrize(
    "spelling", ["2021年3月1日", "2021/3/1", "2021.3.1", "２０２１－０３－０１", " 2021-03-01 ", "2021年03月01日"]
)
def test_dates_typed_the_ways_people_type_them_are_read(world, spelling):
    rows = [_row(5300, start_date=spelling, certificate_date="2020年6月1日")]
    assert import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY) == 1
    person = Person.objects.with_id_number(_id(5300)).get()
    assert person.employments.get().start_date == dt.date(2021, 3, 1)
    assert person.certificates.get().issued_on == dt.date(2020, 6, 1)


def test_a_date_in_another_form_names_the_forms_that_are_accepted(world):
    errors = _reject(world, _xlsx([_row(5400, start_date="3/1/2021")]))
    assert "2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日" in _messages(errors, 2)


def _validation_queries(world, n, start):
    rows = [_row(k) for k in range(start, start + n)]
    # One person already on the platform in each file, so the lookup of existing
    # people and their employments runs in both.
    rows[-1]["id_number"] = world.supervisor_person.id_number
    rows[-1]["name"] = world.supervisor_person.name
    upload = _xlsx(rows)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ImportRejected):
        validate_roster(upload, today=TODAY)
    return len(queries.captured_queries)


def test_validation_runs_the_same_queries_for_10_rows_as_for_1000(world):
    # 1,000 rather than 500: lookups in chunks of 500 would look constant up to 500.
    assert _validation_queries(world, 10, 6000) == _validation_queries(world, 1000, 7000)


def _import_queries(world, n, start):
    upload = _xlsx([_row(k) for k in range(start, start + n)])
    # Both measured alike, cold: no content types or role assignments cached yet.
    ContentType.objects.clear_cache()
    actor = type(world.agency_admin).objects.get(pk=world.agency_admin.pk)
    with CaptureQueriesContext(connection) as queries:
        assert import_roster(actor=actor, organization=world.agency, upload=upload, today=TODAY) == n
    return len(queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite splits bulk inserts into batches of ~100 rows")
def test_the_whole_import_runs_the_same_queries_for_10_rows_as_for_500_on_postgresql(world):
    assert _import_queries(world, 10, 8000) == _import_queries(world, 500, 9000)


# --- the import and the form hold the same field rules --------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("major", "社" * 65),
        ("position", "岗" * 65),
        ("phone", "12345"),
        ("name", "名" * 65),
        ("major", "社工\u2028专业"),  # a line break where one line belongs
    ],
)
def test_a_value_the_person_form_refuses_is_refused_by_the_import_too_never_cut_short(world, field, value):
    from dudao.directory.forms import PersonCreateForm

    form_data = {
        "name": "表单人",
        "id_number": _id(901),
        "major": "",
        "phone": "",
        "employer": world.agency.pk,
        "start_date": "2021-03-01",
        "position": "",
    } | {field: value}
    form = PersonCreateForm(form_data, user=world.agency_admin)
    assert not form.is_valid() and field in form.errors, form.errors
    errors = _reject(world, _xlsx([_row(1, **{field: value})]))
    assert _messages(errors, 2), "the import names the row it refuses"
