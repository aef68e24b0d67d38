"""How long a pool certificate takes to make: renders it `--count` times (50
by default) and prints the first render (which loads the CJK font once per
process) and the mean, median and slowest of the rest, in milliseconds. Exits
non-zero if the mean reaches the one-second bound the issue sets. Uses its own
database (SQLite in a temp folder unless BENCH_DATABASE_URL is set).

    .venv/bin/python bench/certificate.py [--count 50]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOUND_MS = 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="dudao-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)

    from dudao.core.validators import credit_code_check_char, id_check_char
    from dudao.directory.models import Jurisdiction, Organization, OrganizationType, Person, ServiceDomain
    from dudao.pools import certificates
    from dudao.pools.models import Entry

    city, jinshui = Jurisdiction.objects.get(code="410100"), Jurisdiction.objects.get(code="410105")
    body = "52410105000000001"
    organization = Organization.objects.create(
        name="郑州市金水区阳光社会工作服务中心",
        credit_code=body + credit_code_check_char(body),
        type=OrganizationType.objects.get(code="agency"),
        jurisdiction=jinshui,
    )
    body = "41010519850612002"
    person = Person.objects.create(name="欧阳督导", id_number=body + id_check_char(body))
    entries = []
    for level, jurisdiction, org, number in [
        (Entry.Level.CITY, city, None, "ZZ-SJ-2026-0001"),
        (Entry.Level.DISTRICT, jinshui, None, "ZZ-410105-2026-0001"),
        (Entry.Level.AGENCY, None, organization, f"ZZ-JG{organization.pk}-2026-0001"),
    ]:
        entry = Entry.objects.create(
            person=person,
            level=level,
            jurisdiction=jurisdiction,
            organization=org,
            home_district=jinshui,
            entry_number=number,
            admitted_on=dt.date(2026, 6, 30),
            expires_on=dt.date(2029, 6, 29),
        )
        entry.domains.set(ServiceDomain.objects.filter(code__in=["elderly", "community", "children"]))
        entries.append(Entry.objects.select_related("person", "jurisdiction", "organization").get(pk=entry.pk))

    started = time.perf_counter()
    size = len(certificates.render(entries[0]))
    first_ms = (time.perf_counter() - started) * 1000

    timings = []
    for i in range(args.count):
        started = time.perf_counter()
        certificates.render(entries[i % len(entries)])
        timings.append((time.perf_counter() - started) * 1000)

    mean = statistics.mean(timings)
    print(f"database: {connection.vendor}")
    print(f"certificate size: {size / 1024:.1f} KiB")
    print(f"first render (loads the font): {first_ms:.1f} ms")
    print(
        f"{args.count} renders: mean {mean:.1f} ms, median {statistics.median(timings):.1f} ms, slowest {max(timings):.1f} ms"
    )
    if mean >= BOUND_MS:
        print(f"FAIL: the mean is not under {BOUND_MS} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
