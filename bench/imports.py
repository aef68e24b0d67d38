"""The roster import at its row limit, against the floor of reading the same
file. Builds a roster of --rows rows (5,000 by default, DUDAO_MAX_IMPORT_ROWS),
times python-calamine's bare read of it, then the whole import (upload checks,
reading, validation and the all-or-nothing write) on a fresh database: SQLite
in a temporary folder unless BENCH_DATABASE_URL is set. Prints both, their
ratio and the import's query count; writes bench/results/imports-<database>.json.

    .venv/bin/python bench/imports.py [--rows 5000] [--repeat 3]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_bench .venv/bin/python bench/imports.py

Each repetition imports into a new organisation with new people, so every run
writes the full file. BENCH_QUERIES=1 prints each import's slowest queries;
BENCH_PROFILE=<file> writes a cProfile of the last import.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="dudao-bench-imports-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from python_calamine import CalamineWorkbook
    from xlsxwriter import Workbook

    from dudao.accounts.models import Role, RoleAssignment, User
    from dudao.core.validators import credit_code_check_char, id_check_char
    from dudao.directory import imports
    from dudao.directory.models import Jurisdiction, Organization, OrganizationType, Person

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        # A fresh database: start from empty tables, whatever an earlier run left.
        call_command("flush", interactive=False, verbosity=0)
    call_command("load_reference_data", verbosity=0)

    def credit(n):
        body = f"52410105{n:09d}"
        return body + credit_code_check_char(body)

    def id_number(n):
        """A valid ID number, different for every n below 13 million."""
        body = f"410105{1960 + n // 336_000 % 40}{1 + n // 28_000 % 12:02d}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
        return body + id_check_char(body)

    def roster(offset):
        """The template's columns as an office suite saves them: text cells for
        the codes, date cells for the dates."""
        import datetime as dt

        buffer = BytesIO()
        wb = Workbook(buffer)
        ws = wb.add_worksheet("花名册")
        date = wb.add_format({"num_format": "yyyy-mm-dd"})
        with translation.override("zh-hans"):
            ws.write_row(0, 0, [str(label) for _k, label, _r in imports.COLUMNS])
        seen, row, n = set(), 1, offset
        while row <= args.rows:
            n += 1
            code = id_number(n)
            if code in seen:
                continue
            seen.add(code)
            ws.write_row(row, 0, [f"导入{n}", code, "本科", "社会工作", f"139{n % 10**8:08d}"])
            ws.write_datetime(row, 5, dt.date(2021, 3, 1), date)
            ws.write_string(row, 6, "一线社工")
            ws.write_datetime(row, 7, dt.date(2019, 7, 1), date)
            ws.write_row(row, 8, ["养老、社区", "社会工作师", f"IMP{n:08d}"])
            ws.write_datetime(row, 11, dt.date(2020, 6, 1), date)
            row += 1
        wb.close()
        return buffer.getvalue()

    jinshui = Jurisdiction.objects.get(code="410105")
    agency_type = OrganizationType.objects.get(code="agency")
    city_admin = User.objects.create_user(f"bench_city_{time.time_ns()}", password="x")
    RoleAssignment.objects.create(
        user=city_admin, role=Role.CITY_ADMIN, jurisdiction=Jurisdiction.objects.get(code="410100")
    )

    reads, validations, imports_, queries, size = [], [], [], [], 0
    for run in range(args.repeat):
        content = roster(offset=run * 2 * args.rows)
        size = len(content)
        started = time.perf_counter()
        with CalamineWorkbook.from_filelike(BytesIO(content)) as wb:
            rows = list(wb.get_sheet_by_index(0).iter_rows())
        reads.append(time.perf_counter() - started)
        assert len(rows) == args.rows + 1

        started = time.perf_counter()
        imports.validate_roster(SimpleUploadedFile("roster.xlsx", content))
        validations.append(time.perf_counter() - started)

        organization = Organization.objects.create(
            name=f"基准导入机构{run}", credit_code=credit(run + 1), type=agency_type, jurisdiction=jinshui
        )
        before = Person.objects.count()
        upload = SimpleUploadedFile("roster.xlsx", content)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            try:
                if os.environ.get("BENCH_PROFILE"):
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                count = imports.import_roster(actor=city_admin, organization=organization, upload=upload)
            except imports.ImportRejected as exc:
                sys.exit(f"the import refused the file: {exc.errors[:3]}")
            imports_.append(time.perf_counter() - started)
            if os.environ.get("BENCH_PROFILE"):
                profiler.disable()
                profiler.dump_stats(os.environ["BENCH_PROFILE"])
        queries.append(len(captured.captured_queries))
        if os.environ.get("BENCH_QUERIES"):
            for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:8]:
                print(f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
        assert count == args.rows and Person.objects.count() - before == args.rows

    read, full = statistics.median(reads), statistics.median(imports_)
    report = {
        "database": connection.vendor,
        "rows": args.rows,
        "file_bytes": size,
        "repeat": args.repeat,
        "calamine_read_ms": round(read * 1000, 1),
        "validate_ms": round(statistics.median(validations) * 1000, 1),
        "import_ms": round(full * 1000, 1),
        "import_max_ms": round(max(imports_) * 1000, 1),
        "ratio": round(full / read, 1),
        "queries": queries,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"imports-{connection.vendor}.json").write_text(json.dumps(report, indent=2))
    print(f"database: {connection.vendor}; roster of {args.rows} rows, {size / 1024:.0f} KB; median of {args.repeat}")
    print(f"python-calamine bare read    {report['calamine_read_ms']:>8} ms")
    print(f"check, read and validate only {report['validate_ms']:>8} ms")
    print(f"import (check, read, validate, write)  {report['import_ms']:>8} ms  (max {report['import_max_ms']} ms)")
    print(f"ratio import / bare read     {report['ratio']:>8}x")
    print(f"queries per import           {', '.join(str(q) for q in queries)}")


if __name__ == "__main__":
    main()
