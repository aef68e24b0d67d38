"""Excel in and out.

Exports stream rows through XlsxWriter in constant-memory mode: each row goes
to disk as it is written and strings are written inline, so memory stays flat
however many rows (and however many different names) a city-wide list has.
Whatever is stored is written as data, never as a formula or markup.

Imports accept .xlsx and legacy .xls. An upload is checked before any reader
sees it (size, the zip's declared and real unpacked sizes, the used area of
each sheet), then read by python-calamine in a process of its own with a memory
ceiling (see excel_child.py), and handed back as plain rows. Cells are turned
into values by the helpers at the end, which say in words what went wrong and
how to fix it in the spreadsheet.
"""

import datetime as dt
import json
import logging
import math
import re
import struct
import subprocess
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Column = tuple[str, Callable[[object], object]]

# --- writing --------------------------------------------------------------------------

# Rows per sheet, the title rows and the header included (Excel's limit); a longer export
# continues on "<title> (2)". A module constant so tests can make it small.
MAX_SHEET_ROWS = 1_048_576
# Characters per cell (Excel's limit); XlsxWriter would cut the text itself.
MAX_CELL_CHARS = 32_767
# Characters that XML 1.0 cannot carry (and lone surrogates, which UTF-8
# cannot): one stored name holding \x01 used to make every export fail.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A spreadsheet reads a cell typed with one of these first as a formula.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
# Column widths follow the content of the first rows only, so a million-row
# export does not measure every cell.
WIDTH_SAMPLE_ROWS = 1000
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def clean_text(value: str) -> str:
    """Text as a workbook can hold it: characters XML forbids are removed."""
    return ILLEGAL_CHARACTERS.sub("", value)


def display_width(text: str) -> int:
    """Width in Latin character cells: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(title: str, number: int = 1) -> str:
    """A legal, at most 31-character sheet name; the n-th sheet of one export
    is "<title> (n)"."""
    base = _SHEET_NAME_ILLEGAL.sub(" ", clean_text(str(title))).strip().strip("'") or "Sheet"
    suffix = f" ({number})" if number > 1 else ""
    return base[: 31 - len(suffix)] + suffix


# Above the header of every sheet: the title, then the issuing unit and the
# export date. The header row is frozen under them and repeats on each printed
# page; the first column numbers the rows (序号) across sheets.
TITLE_ROWS = 2
HEADER_ROW = TITLE_ROWS  # 0-based index of the header row
SERIAL_WIDTH = 6
MAX_COLUMN_WIDTH = 50

# Who names the unit a user exports for (a function of the user returning a
# name): registered by the accounts app at start-up, as the scope resolver is.
_issuer_resolver = None


def register_issuer(resolver) -> None:
    global _issuer_resolver
    _issuer_resolver = resolver


def issuing_unit(user) -> str:
    """The unit an export of this user is issued by ("" when none is known)."""
    if user is None or _issuer_resolver is None or not getattr(user, "is_authenticated", False):
        return ""
    return _issuer_resolver(user) or ""


def issue_line(issuer: str, exported_on: dt.date) -> str:
    """The second row of an export: 制表单位：…　　导出日期：2026年11月30日."""
    date = date_format(exported_on, "DATE_FORMAT")
    parts = [_("Issued by: %(unit)s") % {"unit": issuer}] if issuer else []
    parts.append(_("Exported on: %(date)s") % {"date": date})
    return "\u3000\u3000".join(parts)


class _SheetWriter:
    """One export: the formats, the current sheet, and the rule that turns a
    Python value into a cell."""

    def __init__(self, workbook, title: str, headers: list[str], issuer: str = "", exported_on=None):
        self.workbook = workbook
        self.title = clean_text(str(title))
        self.headers = [str(_("No."))] + [clean_text(str(h)) for h in headers]
        self.issue_line = clean_text(issue_line(issuer, exported_on or timezone.localdate()))
        self.title_format = workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.issue_format = workbook.add_format({"font_size": 10, "align": "left", "valign": "vcenter"})
        self.header_format = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "bg_color": "#E7EEF7",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.serial_format = workbook.add_format({"align": "center", "valign": "top"})
        # Data columns wrap long text within their capped width; a cell
        # written without a format of its own takes its column's.
        self.column_format = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top"})
        # quote_prefix keeps text that looks like a formula text even when
        # someone edits the cell later.
        self.text_format = workbook.add_format({"quote_prefix": True, "text_wrap": True, "valign": "top"})
        self.sheets = 0
        self.sheet = None
        self.row = 0
        self.serial = 0

    def new_sheet(self):
        if self.sheet is not None:
            self._finish_sheet()
        self.sheets += 1
        self.sheet = sheet = self.workbook.add_worksheet(sheet_name(self.title, self.sheets))
        last = len(self.headers) - 1
        for row, (value, fmt, height) in enumerate(
            [(self.title, self.title_format, 28), (self.issue_line, self.issue_format, 20)]
        ):
            sheet.set_row(row, height)
            if last:
                sheet.merge_range(row, 0, row, last, value, fmt)
            else:
                sheet.write_string(row, 0, value, fmt)
        # The header leaves room for the filter button beside its text.
        self.widths = [display_width(h) + 2 for h in self.headers]
        for col, header in enumerate(self.headers):
            sheet.write_string(HEADER_ROW, col, header, self.header_format)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        if last:
            sheet.set_column(1, last, None, self.column_format)
        # Printed: A4, landscape when wide, as wide as one page, the header on every page.
        sheet.set_paper(9)
        if len(self.headers) > 6:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(HEADER_ROW)
        sheet.set_footer("&C&P / &N")
        self.first_data_row = self.row = HEADER_ROW + 1

    def _finish_sheet(self):
        self.sheet.set_column(0, 0, SERIAL_WIDTH)
        for col, width in enumerate(self.widths[1:], start=1):
            self.sheet.set_column(col, col, min(max(width + 2, 8), MAX_COLUMN_WIDTH), self.column_format)
        self.sheet.autofilter(HEADER_ROW, 0, max(self.row - 1, HEADER_ROW), len(self.headers) - 1)

    def append(self, values):
        if self.sheet is None or self.row >= MAX_SHEET_ROWS:
            self.new_sheet()
        self.serial += 1
        self.sheet.write_number(self.row, 0, self.serial, self.serial_format)
        measure = self.row - self.first_data_row < WIDTH_SAMPLE_ROWS
        for col, value in enumerate(values, start=1):
            shown = self.write(self.row, col, value)
            if measure and shown:
                self.widths[col] = max(self.widths[col], display_width(shown[:60]))
        self.row += 1

    def close(self):
        if self.sheet is None:
            self.new_sheet()
        self._finish_sheet()

    def write(self, row: int, col: int, value) -> str:
        """Write one value; returns its text for the column width."""
        if type(value) is str:  # the common case first
            return self.write_text(row, col, value) if value else ""
        sheet = self.sheet
        if value is None:
            return ""
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
            return "FALSE"
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            if value.year < 1900:  # before Excel's epoch: keep it readable as text
                return self.write_text(row, col, value.isoformat(sep=" "))
            sheet.write_datetime(row, col, value, self.datetime_format)
            return "2000-01-01 00:00:00"
        if isinstance(value, dt.date):
            if value.year < 1900:
                return self.write_text(row, col, value.isoformat())
            sheet.write_datetime(row, col, value, self.date_format)
            return "2000-01-01"
        if isinstance(value, int | float | Decimal):
            number = float(value)
            # A number Excel would round (over 15 digits) or cannot show is kept as text.
            if not math.isfinite(number) or (isinstance(value, int) and abs(value) >= 10**15):
                return self.write_text(row, col, str(value))
            sheet.write_number(row, col, number)
            return str(value)
        return self.write_text(row, col, str(value))

    def write_text(self, row: int, col: int, text: str) -> str:
        text = clean_text(text)[:MAX_CELL_CHARS]
        if not text:
            return ""
        if text.startswith("<r>") and text.endswith("</r>"):
            # XlsxWriter writes such a string raw into the sheet's XML, taking
            # it for rich text it built itself; split into escaped fragments,
            # it reads back as the same text and cannot inject markup.
            self.sheet.write_rich_string(row, col, text[:1], text[1:2], text[2:])
        elif text.startswith(FORMULA_LEAD):
            self.sheet.write_string(row, col, text, self.text_format)
        else:
            self.sheet.write_string(row, col, text)
        return text


def write_workbook(
    target,
    title: str,
    columns: list[Column],
    objects: Iterable,
    *,
    user=None,
    issuer: str | None = None,
    progress=None,
    progress_every: int = 1000,
) -> int:
    """Stream `objects` as rows into an .xlsx written to `target` (a path or a
    binary file object); returns the number of data rows. Each sheet starts
    with the title, the issuing unit (`issuer`, or the unit `user` exports
    for) and the export date, then the frozen header with 序号 first.
    `progress(n)` is called every `progress_every` rows so a background job
    can report how far it has got. The one writer every export uses,
    immediate or in a job."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            # One row in memory at a time, strings inline: no shared-strings table.
            "constant_memory": True,
            # Text stays text: never a formula, a link or a number.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    if issuer is None:
        issuer = issuing_unit(user)
    writer = _SheetWriter(workbook, title, [header for header, _accessor in columns], issuer)
    count = 0
    try:
        for obj in objects:
            writer.append([accessor(obj) for _header, accessor in columns])
            count += 1
            if progress is not None and count % progress_every == 0:
                progress(count)
        writer.close()
    finally:
        workbook.close()
    if progress is not None:
        progress(count)
    return count


def workbook_bytes(title: str, columns: list[Column], objects: Iterable, *, user=None, issuer=None) -> bytes:
    buffer = BytesIO()
    write_workbook(buffer, title, columns, objects, user=user, issuer=issuer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    # RFC 6266/5987 so a Chinese filename survives every browser.
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


# --- import templates -----------------------------------------------------------------


@dataclass
class Choice:
    """A drop-down list for one template column. `strict` refuses other
    values in the spreadsheet; otherwise the list only suggests (for a column
    that may hold several values)."""

    values: list[str]
    strict: bool = True
    prompt: str = ""


LISTS_SHEET = "lists"


def template_bytes(
    title: str,
    headers: list[str],
    example: list,
    notes: list[str],
    *,
    rows: list[list] | None = None,
    text_columns: Iterable[int] = (),
    date_columns: Iterable[int] = (),
    choices: dict[int, Choice] | None = None,
) -> bytes:
    """An import template: headers in bold and frozen, the example row (or
    `rows`), then an instructions sheet. Text columns (ID numbers, phones,
    certificate numbers) are formatted as Text for the whole column, so that an
    office suite keeps what is typed as typed instead of turning an 18-digit ID
    number into 4.10105199001011E+17; coded columns offer a drop-down list kept
    on a hidden sheet (a list written into the rule itself is limited to 255
    characters)."""
    text_columns, date_columns, choices = set(text_columns), set(date_columns), choices or {}
    body = rows if rows is not None else ([example] if example else [])
    last_row = max(settings.DUDAO_MAX_IMPORT_ROWS + 1, len(body) + 1)

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(title)
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    for values in body:
        ws.append([str(v) if i in text_columns and v not in (None, "") else v for i, v in enumerate(values)])

    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        dimension = ws.column_dimensions[letter]
        samples = [str(header)] + [str(r[index]) for r in body[:50] if index < len(r) and r[index] not in (None, "")]
        dimension.width = min(max(max(display_width(s) for s in samples) + 4, 12), 40)
        number_format = "@" if index in text_columns else "yyyy-mm-dd" if index in date_columns else None
        if number_format:
            # The column's own format applies to every cell typed into it later.
            dimension.number_format = number_format
            for row in ws.iter_rows(min_row=2, max_row=len(body) + 1, min_col=index + 1, max_col=index + 1):
                row[0].number_format = number_format

    if choices:
        lists = wb.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
        for n, (index, choice) in enumerate(sorted(choices.items()), start=1):
            list_letter = get_column_letter(n)
            for r, value in enumerate(choice.values, start=1):
                lists.cell(row=r, column=n, value=str(value))
            column_letter = get_column_letter(index + 1)
            rule = DataValidation(
                type="list",
                formula1=f"{LISTS_SHEET}!${list_letter}$1:${list_letter}${max(len(choice.values), 1)}",
                allow_blank=True,
                showErrorMessage=choice.strict,
                errorStyle="stop",
                errorTitle=str(headers[index]).rstrip("*"),
                error=_("Choose a value from the list."),
                showInputMessage=bool(choice.prompt),
                prompt=choice.prompt or None,
            )
            rule.add(f"{column_letter}2:{column_letter}{last_row}")
            ws.add_data_validation(rule)

    help_sheet = wb.create_sheet(sheet_name(_("Instructions")), index=1)
    help_sheet.column_dimensions["A"].width = 100
    for line in notes:
        help_sheet.append([line])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------


class UploadError(Exception):
    """The file as a whole cannot be read; no row-level detail applies."""


XLSX_SUFFIX, XLS_SUFFIX = ".xlsx", ".xls"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
# An .xlsx holds about a dozen parts; thousands means something else.
MAX_ZIP_MEMBERS = 1000
# Spreadsheet XML packs 5-20 to one; a large part packed hundreds to one is
# made to explode, not to be read. Small parts may pack tighter harmlessly.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# The reading process: its address-space ceiling and how long it may take.
READER_MEMORY_BYTES = 1024 * 1024 * 1024
READER_TIMEOUT_SECONDS = 60
CHILD_SCRIPT = Path(__file__).with_name("excel_child.py")

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CHUNK = 256 * 1024


def _unreadable() -> UploadError:
    return UploadError(_("The file could not be read as an Excel workbook."))


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".rstrip("0").rstrip(".")


def _members(data: bytes, info: zipfile.ZipInfo):
    """The member's real content in chunks, read from its own local header and
    inflated with a bound: a member that unpacks to more than its central
    directory entry declares (the check above trusted that figure), or fails
    its checksum, is refused here before any reader meets it."""
    offset = info.header_offset
    header = data[offset : offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise _unreadable()
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != 0x04034B50:
        raise _unreadable()
    start = offset + _LOCAL_HEADER.size + fields[9] + fields[10]
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise _unreadable()
    produced, crc = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, len(raw), _CHUNK):
            chunk = bytes(raw[pos : pos + _CHUNK])
            crc = zlib.crc32(chunk, crc)
            yield chunk
        produced = len(raw)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pos, pending = 0, b""
        while not inflater.eof:
            if not pending:
                if pos >= len(raw):
                    raise _unreadable()  # the stream ends before its end marker
                pending = raw[pos : pos + _CHUNK]
                pos += _CHUNK
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise _unreadable() from exc
            pending = inflater.unconsumed_tail
            produced += len(chunk)
            if produced > info.file_size:
                raise UploadError(_("The file unpacks to more than it declares; it was not read."))
            if chunk:
                crc = zlib.crc32(chunk, crc)
                yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise _unreadable()


def _too_many_cells(rows: int, columns: int) -> UploadError:
    return UploadError(
        _(
            "The first sheet uses cells up to row %(rows)s and column %(columns)s, more than the %(limit)s cells "
            "an import reads. Delete what lies outside the table (also far-away cells that only look empty) and "
            "upload again."
        )
        % {"rows": rows, "columns": get_column_letter(min(columns, 16384)), "limit": settings.DUDAO_MAX_IMPORT_CELLS}
    )


class _SheetScan:
    """The used area of a worksheet's XML, found as it streams past, the way
    the reader will place the cells: where a cell says where it is (r="B7"),
    there; otherwise after the one before. Stops as soon as the area passes
    the limit. The fast path reads only the r="..." of cells written the way
    every common writer writes them and counts empty formatting-only cells
    (<c r="Z9" s="1"/>) too; when that is not enough to decide, the chunk is
    read tag by tag, skipping those empty cells as the reader does."""

    # The form every common writer uses: r first, letters then digits.
    CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
    TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*?)(/?)>")
    ROW_ATTR = re.compile(rb"""\sr\s*=\s*["'](\d{1,10})["']""")
    CELL_ATTR = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,4})(\d{1,10})["']""")

    def __init__(self, limit: int):
        self.limit = limit
        self.carry = b""
        self.max_row = self.max_col = 0
        self.row = self.col = 0  # the reader's counters, for cells without r
        self.cells = 0

    def feed(self, chunk: bytes):
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut != -1 and data.find(b">", cut) == -1:
            # A tag cut in two by the chunk boundary waits for the rest.
            data, self.carry = data[:cut], data[cut:]
            if len(self.carry) > _CHUNK:
                raise _unreadable()
        else:
            self.carry = b""
        if not self._fast(data):
            self._precise(data)
        if self.cells > self.limit or self.max_row * self.max_col > self.limit:
            raise _too_many_cells(self.max_row, self.max_col)

    def _fast(self, data: bytes) -> bool:
        found = self.CELL.findall(data)
        every = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
        if len(found) != every or b":c " in data or b":c>" in data or b":c/" in data:
            return False  # cells without r, or written differently
        if not found:
            return True
        max_col = max(self.max_col, max(_column_number(c) for c in {c for c, _r in found}))
        max_row = max(self.max_row, max(int(r) for r in {r for _c, r in found}))
        cells = self.cells + len(found)
        if cells > self.limit or max_row * max_col > self.limit:
            return False  # perhaps only empty formatting cells: look closer
        last_col, last_row = found[-1]
        self.cells, self.max_row, self.max_col = cells, max_row, max_col
        self.row, self.col = int(last_row) - 1, _column_number(last_col)
        return True

    def _precise(self, data: bytes):
        for match in self.TAG.finditer(data):
            closing, name, attrs, empty = match.groups()
            if name == b"row":
                if closing:
                    self.row, self.col = self.row + 1, 0
                elif not empty:
                    found = self.ROW_ATTR.search(b" " + attrs)
                    if found:
                        self.row = int(found.group(1)) - 1
            elif not closing and not empty:
                found = self.CELL_ATTR.search(b" " + attrs)
                if found:
                    row, col = int(found.group(2)) - 1, _column_number(found.group(1)) - 1
                    self.col = col
                else:
                    row, col = self.row, self.col
                self.col += 1
                self.cells += 1
                self.max_row, self.max_col = max(self.max_row, row + 1), max(self.max_col, col + 1)
                if self.cells > self.limit or self.max_row * self.max_col > self.limit:
                    return


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters.upper():
        number = number * 26 + (byte - 64)
    return number


class _StringsScan:
    """The shared-strings table: its declared counts (the reader reserves
    room for that many strings before reading one) and its real count."""

    SST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b([^>]*)>")
    COUNT = re.compile(rb"""(?:count|uniqueCount)\s*=\s*["'](\d+)["']""")

    def __init__(self, limit: int):
        self.limit = limit
        self.head = b""
        self.strings = 0
        self.tail = b""

    def feed(self, chunk: bytes):
        if self.head is not None:
            self.head += chunk
            match = self.SST.search(self.head)
            if match:
                for count in self.COUNT.findall(match.group(1)):
                    if int(count) > self.limit:
                        raise self._error(int(count))
                self.head = None
            elif len(self.head) > 4096:
                self.head = None
        # Counting "si" openings (prefixed or not) over-counts at worst.
        data = self.tail + chunk
        self.strings += data.count(b"<si") + data.count(b":si") - self.tail.count(b"<si") - self.tail.count(b":si")
        self.tail = data[-3:]
        if self.strings > self.limit:
            raise self._error(self.strings)

    def _error(self, count):
        return UploadError(
            _("The file holds %(count)s texts, more than the %(limit)s cells an import reads.")
            % {"count": count, "limit": settings.DUDAO_MAX_IMPORT_CELLS}
        )


def check_xlsx(data: bytes) -> None:
    """Refuse an .xlsx that would cost far more to read than its size
    suggests, before any reader opens it: first from the zip's central
    directory alone (the member count, the declared unpacked total, each large
    member's packing ratio), then by unpacking every member with a bound and
    checking that the used area of each sheet and the string table stay within
    DUDAO_MAX_IMPORT_CELLS."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _unreadable()
    limit = settings.DUDAO_MAX_UNZIPPED_BYTES
    total = sum(info.file_size for info in members)
    if total > limit:
        raise UploadError(
            _(
                "The file unpacks to %(size)s MB; the limit is %(limit)s MB. Split it or remove pictures and other sheets."
            )
            % {"size": _mb(total), "limit": _mb(limit)}
        )
    for info in members:
        if info.flag_bits & 0x1:
            raise UploadError(_("The file is protected by a password; save it without one and upload again."))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable()
        if info.file_size > RATIO_CHECKED_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise UploadError(_("The file is packed suspiciously tightly; it was not read."))
    cells = settings.DUDAO_MAX_IMPORT_CELLS
    for info in members:
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            scan = _SheetScan(cells)
        elif name == "xl/sharedstrings.xml":
            scan = _StringsScan(cells)
        else:
            scan = None
        for chunk in _members(data, info):
            if scan is not None:
                scan.feed(chunk)


def _read_isolated(data: bytes) -> list[tuple[int, list]]:
    """The non-blank rows of the first sheet, read by python-calamine in a
    process of its own (see excel_child.py)."""
    command = [
        sys.executable,
        "-I",  # the reader needs nothing from the environment or the project
        str(CHILD_SCRIPT),
        str(READER_MEMORY_BYTES),
        str(settings.DUDAO_MAX_IMPORT_CELLS),
        str(settings.DUDAO_MAX_IMPORT_ROWS),
    ]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=READER_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UploadError(_("Reading the file took too long; it was not read.")) from exc
    if done.returncode != 0:
        logger.warning("workbook reader ended with %s: %s", done.returncode, done.stderr[-2000:])
        raise _unreadable()
    try:
        result = json.loads(done.stdout, object_hook=_cell_value)
    except ValueError as exc:
        raise _unreadable() from exc
    error = result.get("error") if isinstance(result, dict) else "unreadable"
    if error == "password":
        raise UploadError(_("The file is protected by a password; save it without one and upload again."))
    if error == "cells":
        raise _too_many_cells(result["height"], result["width"])
    if error == "rows":
        raise _too_many_rows()
    if error:
        raise _unreadable()
    return [(number, values) for number, values in result["rows"]]


def _cell_value(tagged: dict):
    if "datetime" in tagged:
        return dt.datetime.fromisoformat(tagged["datetime"])
    if "date" in tagged:
        return dt.date.fromisoformat(tagged["date"])
    if "time" in tagged:
        return dt.time.fromisoformat(tagged["time"])
    if "duration" in tagged:
        return dt.timedelta(seconds=tagged["duration"])
    return tagged


def _too_many_rows() -> UploadError:
    return UploadError(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": settings.DUDAO_MAX_IMPORT_ROWS}
    )


def read_rows(upload) -> tuple[list[str], list[tuple[int, list]]]:
    """Headers and (sheet row number, values) of the first sheet, blank rows
    skipped. The header is the first non-blank row; an empty cell is None."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.DUDAO_MAX_UPLOAD_BYTES:
        raise UploadError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(settings.DUDAO_MAX_UPLOAD_BYTES)}
        )
    if size == 0:
        raise UploadError(_("The file is empty."))
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith((XLSX_SUFFIX, XLS_SUFFIX)):
        raise UploadError(_("Upload an Excel workbook (.xlsx or .xls), for example one made from the template."))
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(settings.DUDAO_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.DUDAO_MAX_UPLOAD_BYTES:
        raise UploadError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(len(data)), "limit": _mb(settings.DUDAO_MAX_UPLOAD_BYTES)}
        )
    if not data:
        raise UploadError(_("The file is empty."))
    # The content decides, not the name: many "xls" files are .xlsx renamed.
    if data.startswith(ZIP_MAGIC):
        check_xlsx(data)
    elif not data.startswith(OLE_MAGIC):
        raise _unreadable()
    elif ENCRYPTED_PACKAGE in data:
        # An .xlsx with a password is an OLE container around the encrypted zip.
        raise UploadError(_("The file is protected by a password; save it without one and upload again."))
    rows = _read_isolated(data)
    if not rows:
        raise UploadError(_("The file is empty."))
    (_number, header_row), rows = rows[0], rows[1:]
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    if not rows:
        raise UploadError(_("The file has no data rows."))
    if len(rows) > settings.DUDAO_MAX_IMPORT_ROWS:
        raise _too_many_rows()
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


# --- cells ----------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: Excel stores typed numbers as floats, so 2019.0 reads 2019."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


ID_NUMBER, PHONE, CODE = "id_number", "phone", "code"
# What a spreadsheet shows for a number typed into a General cell: 15
# significant digits, e.g. 4.10105199001011E+17.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_MOBILE = re.compile(r"1\d{10}")


def _as_shown(value) -> str:
    return f"{value:.15G}"


def _id_number_lost(label: str, shown: str) -> str:
    return _(
        "%(column)s: the spreadsheet stored the ID number as the number %(value)s, which keeps only 15 "
        "digits, so its last digits are lost. Set the column's cell format to Text (文本) and type the "
        "number again."
    ) % {"column": label, "value": shown}


def code_cell(value, label: str, kind: str = CODE) -> tuple[str, str | None]:
    """A cell of a column that holds digits as text (an ID number, a phone, a
    certificate number): its text, or the message for a cell the spreadsheet
    stored as a number. A number keeps only 15 significant digits, so an
    18-digit ID number typed into a General cell loses its last digits, and a
    leading 0 disappears; the fix is in the spreadsheet, and the message says
    which."""
    if value is None:
        return "", None
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = _as_shown(value)
        if kind == ID_NUMBER:
            return "", _id_number_lost(label, shown)
        integral = isinstance(value, int) or value.is_integer()
        if not integral or abs(value) >= 10**15:
            return "", _(
                "%(column)s: the spreadsheet stored %(value)s as a number, which loses digits. Set the column's "
                "cell format to Text (文本) and type it again."
            ) % {"column": label, "value": shown}
        digits = str(int(value))
        if kind == PHONE and not _MOBILE.fullmatch(digits):
            return "", _(
                "%(column)s: the spreadsheet stored %(value)s as a number, which drops a leading 0 such as that of "
                "an area code. Set the column's cell format to Text (文本) and type it again."
            ) % {"column": label, "value": digits}
        return digits, None
    text = cell_text(value)
    if kind == ID_NUMBER and _SCIENTIFIC.fullmatch(text):
        return "", _id_number_lost(label, text.upper())
    return text, None


_DATE_SEPARATED = re.compile(
    r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Excel's serial day numbers for 1920-01-01 and 2099-12-31: a bare number in a
# date column is read as a date whose format was lost only within these; 2020
# alone is a year, not a day in 1905.
_SERIAL_RANGE = (7306, 73415)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date_cell(value, label: str) -> tuple[dt.date | None, str | None]:
    """A date cell, or the text of a date in one of the forms people type."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and float(value).is_integer() and 19000101 <= value <= 29991231:
            text = str(int(value))  # 20200301 typed into a number cell
        elif math.isfinite(value) and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), None
    elif isinstance(value, str):
        # Full-width digits and punctuation (２０２０／３／１) become plain ones.
        text = unicodedata.normalize("NFKC", value).strip()
    if text is not None:
        for pattern in (_DATE_SEPARATED, _DATE_CHINESE, _DATE_COMPACT):
            match = pattern.fullmatch(text)
            if match:
                year, month, day = (int(g) for g in match.groups() if g and g.isdigit())
                try:
                    return dt.date(year, month, day), None
                except ValueError:
                    break
    shown = cell_text(value) if not isinstance(value, dt.time | dt.timedelta) else str(value)
    return None, _(
        "%(column)s is not a date: %(value)s. Write it as 2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日."
    ) % {"column": label, "value": shown}
