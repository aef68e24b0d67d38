"""Excel helpers shared by the test modules: reading what a page or endpoint
exported, and building roster files to import."""

from io import BytesIO

from django.utils import translation
from openpyxl import Workbook, load_workbook

from dudao.core.excel import XLSX_TYPE
from dudao.directory import imports


def xlsx_rows(response_or_bytes) -> list[tuple]:
    """The rows of the first sheet of an exported workbook: a response (checked
    to be an .xlsx answered with 200) or the file's bytes."""
    if isinstance(response_or_bytes, bytes):
        content = response_or_bytes
    else:
        response = response_or_bytes
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"] == XLSX_TYPE
        content = response.content
    wb = load_workbook(BytesIO(content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


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
