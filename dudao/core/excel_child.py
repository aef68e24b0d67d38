"""Reads the first sheet of an uploaded workbook in a process of its own and
prints its non-blank rows as JSON. Run by dudao.core.excel.read_rows as a
script (`python -I excel_child.py MEMORY CELLS ROWS`, the file on stdin); it
imports nothing from Django.

Why a process of its own: the reader trusts sizes written inside the file. A
5 KB .xls whose DIMENSIONS record claims 4 billion rows, or a 1 KB .xlsx whose
shared-string table claims 2 billion entries, makes it ask for tens of
gigabytes, and a failed allocation aborts the whole process, which in the web
server would be the worker with every request it holds. Here the address space
is capped first, so such a file ends this process only, and the server answers
that the file could not be read.
"""

import datetime as dt
import io
import json
import resource
import sys


def _plain(value):
    """JSON for the values JSON has no type for (called by json.dumps only for those)."""
    # datetime before date: a datetime is a date too.
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"duration": value.total_seconds()}
    raise TypeError(type(value).__name__)


def main() -> int:
    memory, max_cells, max_rows = (int(arg) for arg in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = sys.stdin.buffer.read()

    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    out = sys.stdout
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
    except PasswordError:
        json.dump({"error": "password"}, out)
        return 0
    except (CalamineError, ValueError, OSError):
        json.dump({"error": "unreadable"}, out)
        return 0
    end = sheet.end
    if sheet.start is None or end is None:
        # iter_rows() of an empty sheet panics; an empty sheet has no rows anyway.
        json.dump({"rows": []}, out)
        return 0
    height, width = end[0] + 1, sheet.width
    if height * width > max_cells:
        json.dump({"error": "cells", "height": height, "width": width}, out)
        return 0
    rows = []
    # iter_rows() yields from the sheet's first row (padding leading blank
    # rows) or, in other versions, from the first used row: number the rows
    # from the last one, which is the same either way.
    raw = list(sheet.iter_rows())
    first = end[0] + 1 - len(raw) + 1
    for offset, values in enumerate(raw):
        if all(v == "" or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        rows.append([first + offset, [None if v == "" else v for v in values]])
        if len(rows) > max_rows + 1:  # the header row and max_rows data rows
            json.dump({"error": "rows"}, out)
            return 0
    json.dump({"rows": rows}, out, default=_plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
