"""Excel in and out. Exports stream rows through openpyxl's write-only mode so a
city-wide list does not sit in memory twice; imports are read whole because
they are validated whole before anything is written."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Column = tuple[str, Callable[[object], object]]


def _cell(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, int | float | dt.date | str):
        return value
    return str(value)


def write_workbook(
    target, title: str, columns: list[Column], objects: Iterable, *, progress=None, progress_every: int = 1000
) -> int:
    """Stream `objects` as rows into an .xlsx written to `target` (a path or a
    binary file object); returns the number of data rows. `progress(n)` is
    called every `progress_every` rows so a background job can report how far
    it has got. The one writer every export uses, immediate or in a job."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append([str(header) for header, _accessor in columns])
    count = 0
    for obj in objects:
        ws.append([_cell(accessor(obj)) for _header, accessor in columns])
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    wb.save(target)
    if progress is not None:
        progress(count)
    return count


def workbook_bytes(title: str, columns: list[Column], objects: Iterable) -> bytes:
    buffer = BytesIO()
    write_workbook(buffer, title, columns, objects)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    # RFC 6266/5987 so a Chinese filename survives every browser.
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def template_bytes(title: str, headers: list[str], example: list, notes: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(example)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, len(header) * 2 + 4)
    help_sheet = wb.create_sheet(_("Instructions"))
    for line in notes:
        help_sheet.append([line])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class UploadError(Exception):
    """The file as a whole cannot be read; no row-level detail applies."""


def read_rows(upload) -> tuple[list[str], list[tuple[int, list]]]:
    """Headers and (sheet row number, values) of the first sheet, blank rows skipped."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.DUDAO_MAX_UPLOAD_BYTES:
        raise UploadError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(settings.DUDAO_MAX_UPLOAD_BYTES / 1048576, 1)}
        )
    if size == 0:
        raise UploadError(_("The file is empty."))
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise UploadError(_("Upload an Excel file (.xlsx) made from the template."))
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, Exception) as exc:  # noqa: BLE001
        # openpyxl raises many unrelated types for a corrupt zip; all mean the same to a user.
        raise UploadError(_("The file could not be read as an Excel workbook.")) from exc
    try:
        ws = wb.worksheets[0]
        rows_iter = ws.iter_rows(values_only=True)
        try:
            header_row = next(rows_iter)
        except StopIteration:
            raise UploadError(_("The file is empty.")) from None
        headers = [str(h).strip() if h is not None else "" for h in header_row]
        rows = []
        for number, values in enumerate(rows_iter, start=2):
            values = list(values)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, values))
            if len(rows) > settings.DUDAO_MAX_IMPORT_ROWS:
                raise UploadError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": settings.DUDAO_MAX_IMPORT_ROWS}
                )
    finally:
        # A read-only workbook keeps the archive open until closed, also on the error paths.
        wb.close()
    if not rows:
        raise UploadError(_("The file has no data rows."))
    return headers, rows


# --- all-or-nothing imports --------------------------------------------------------


@dataclass
class RowError:
    row: int
    message: str

    def as_dict(self):
        return {"row": self.row, "message": self.message}


class ImportRejected(Exception):
    """Nothing was written; `errors` says why, by row (row 0 for the file)."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


def header_map(headers: list[str], columns) -> tuple[dict[str, int], list[str]]:
    """Column key -> index, and the labels of required columns that are missing.
    `columns` are (key, label, required). Headers are matched in every shipped
    language, so a template downloaded in English imports under Chinese and back."""
    labels = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for key, label, _required in columns:
                labels[str(label)] = key
    mapping = {}
    for index, header in enumerate(headers):
        key = labels.get(header.rstrip("*").strip())
        if key and key not in mapping:
            mapping[key] = index
    missing = [str(label) for key, label, required in columns if required and key not in mapping]
    return mapping, missing


def missing_columns_error(missing: list[str]) -> list[RowError]:
    return (
        [RowError(1, _("Required column missing: %(columns)s.") % {"columns": "、".join(missing)})] if missing else []
    )


def cell_text(value) -> str:
    """A cell as text: Excel stores typed numbers as floats, so 2019.0 reads 2019."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
