"""Rerunnable benchmarks for the directory: list pages, API, export and the
roster import at realistic sizes. Uses its own database (SQLite in a temp file
unless BENCH_DATABASE_URL is set), never the development one.

    .venv/bin/python bench/run.py [--people 20000] [--import-rows 2000]
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
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--organizations", type=int, default=400)
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="dudao-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from openpyxl import Workbook

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)

    from dudao.accounts.models import Role, RoleAssignment, User
    from dudao.core.validators import credit_code_check_char, id_check_char
    from dudao.directory import imports
    from dudao.directory.models import (
        Certificate,
        CertificateLevel,
        Employment,
        Jurisdiction,
        Organization,
        OrganizationType,
        Person,
    )

    def credit(n):
        body = f"52410100{n:09d}"
        return body + credit_code_check_char(body)

    def idn(n):
        body = f"410105{1970 + n % 30}0101{n % 1000:03d}"
        body = f"4101{n // 30000 % 100:02d}{1960 + (n // 1000) % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        return body + id_check_char(body)

    started = time.perf_counter()
    districts = list(Jurisdiction.objects.exclude(kind__in=["province", "city"]))
    agency = OrganizationType.objects.get(code="agency")
    orgs = Organization.objects.bulk_create(
        [
            Organization(
                name=f"基准机构{i}", credit_code=credit(i), type=agency, jurisdiction=districts[i % len(districts)]
            )
            for i in range(args.organizations)
        ]
    )
    seen, people = set(), []
    n = 0
    while len(people) < args.people:
        n += 1
        code = idn(n)
        if code in seen:
            continue
        seen.add(code)
        people.append(Person(name=f"基准{n}", id_number=code))
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.order_by("pk"))
    Employment.objects.bulk_create(
        [Employment(person=p, organization=orgs[i % len(orgs)], start_date="2018-01-01") for i, p in enumerate(people)],
        batch_size=2000,
    )
    level = CertificateLevel.objects.get(code="intermediate")
    Certificate.objects.bulk_create(
        [
            Certificate(person=p, level=level, number=f"B{i:08d}", issued_on="2019-01-01")
            for i, p in enumerate(people)
            if i % 3
        ],
        batch_size=2000,
    )
    city_admin = User.objects.create_user("bench_city", password="x")
    RoleAssignment.objects.create(
        user=city_admin, role=Role.CITY_ADMIN, jurisdiction=Jurisdiction.objects.get(code="410100")
    )
    agency_admin = User.objects.create_user("bench_agency", password="x")
    RoleAssignment.objects.create(user=agency_admin, role=Role.AGENCY_ADMIN, organization=orgs[0])
    setup_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(city_admin)

    def measure(label, fn):
        times, queries = [], 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            queries = len(ctx.captured_queries)
        return {
            "what": label,
            "median_ms": round(statistics.median(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1),
            "queries": queries,
        }

    def get(url):
        def _():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return _

    results = [
        measure(f"people list page, city admin, {args.people} people", get("/directory/people/")),
        measure(
            "people list page, filtered by district and certificate",
            get(f"/directory/people/?jurisdiction={districts[0].pk}&certificate_level={level.pk}"),
        ),
        measure("people list page, page 200", get("/directory/people/?page=200")),
        measure("organisation list page", get("/directory/organizations/")),
        measure("API /api/v1/people/", get("/api/v1/people/")),
        measure("API /api/v1/organizations/", get("/api/v1/organizations/")),
    ]
    export = measure(f"Excel export of all {args.people} people", get("/directory/people/?export=xlsx"))
    results.append(export)

    wb = Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.append([str(label) for _k, label, _r in imports.COLUMNS])
    for i in range(args.import_rows):
        ws.append(
            [
                f"导入{i}",
                idn(10_000_000 + i),
                "本科",
                "",
                "",
                "2021-01-01",
                "",
                "",
                "养老、社区",
                "社会工作师",
                f"IMP{i:07d}",
                "2020-01-01",
            ]
        )
    buffer = BytesIO()
    wb.save(buffer)
    content = buffer.getvalue()

    t = time.perf_counter()
    count = imports.import_roster(
        actor=agency_admin, organization=orgs[0], upload=SimpleUploadedFile("r.xlsx", content)
    )
    results.append(
        {
            "what": f"roster import of {count} rows (validate and write)",
            "median_ms": round((time.perf_counter() - t) * 1000, 1),
            "max_ms": None,
            "queries": None,
        }
    )

    report = {
        "database": connection.vendor,
        "people": args.people,
        "organizations": args.organizations,
        "setup_seconds": round(setup_seconds, 1),
        "results": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"directory-{connection.vendor}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    width = max(len(r["what"]) for r in results)
    print(f"database: {connection.vendor}; {args.people} people in {args.organizations} organisations")
    for r in results:
        print(
            f"{r['what']:<{width}}  median {r['median_ms']:>8} ms  max {r['max_ms'] or '-':>8}  queries {r['queries'] if r['queries'] is not None else '-'}"
        )


if __name__ == "__main__":
    main()
