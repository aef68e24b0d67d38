"""Excel helpers shared by the test modules: reading what a page or endpoint
exported, and building roster files to import."""

from io import BytesIO
from pathlib import Path

from django.utils import translation
from openpyxl import Workbook, load_workbook

from dudao.core import excel
from dudao.core.excel import XLSX_TYPE
from dudao.directory import imports


def xlsx_content(response_or_bytes) -> bytes:
    """The bytes of an exported workbook: a response (checked to be an .xlsx
    answered with 200, streamed or not), a file's bytes or a path."""
    if isinstance(response_or_bytes, bytes):
        return response_or_bytes
    if isinstance(response_or_bytes, str | Path):
        return Path(response_or_bytes).read_bytes()
    response = response_or_bytes
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_TYPE
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def xlsx_sheet_rows(response_or_bytes, *, sheet: int = 0) -> list[tuple]:
    """Every row of a sheet of an export as written: the title, the issuing
    unit and date, the header (序号 first), the data."""
    wb = load_workbook(BytesIO(xlsx_content(response_or_bytes)), read_only=True)
    rows = list(wb.worksheets[sheet].iter_rows(values_only=True))
    wb.close()
    return rows


def xlsx_rows(response_or_bytes, *, sheet: int = 0) -> list[tuple]:
    """The table of a sheet of an exported workbook, header first: the title
    rows above it and the 序号 column skipped (tests of that layout read
    xlsx_sheet_rows)."""
    rows = xlsx_sheet_rows(response_or_bytes, sheet=sheet)[excel.TITLE_ROWS :]
    return [tuple(row[1:]) for row in rows]


def roster_file(rows, *, name="roster.xlsx") -> BytesIO:
    """A staff roster with the template's Chinese headers; `rows` are dicts by
    column key (imports.COLUMNS), missing keys left empty."""
    with translation.override("zh-hans"):
        headers = [str(label) for _key, label, _required in imports.COLUMNS]
    keys = [key for key, _label, _required in imports.COLUMNS]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(key, "") for key in keys])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer
