"""National-scale load benchmark: do lists cost the page they show, at any data size?

    .venv/bin/python bench/scale.py --people 10000            # one size
    .venv/bin/python bench/scale.py --compare 10000,1000000   # both, side by side
    .venv/bin/python bench/scale.py --compare 10000,1000000 --report-only   # reprint saved results
    .venv/bin/python bench/scale.py --people 1000000 --explain-only   # query plans only

For each size it makes sure the data set exists (bench/scale_data.py: a
database of its own, built once by COPY), starts the platform under gunicorn
(2 workers, bench/settings.py: the application's settings with DEBUG off, an
X-Query-Count header, and the floor view), signs in three personas (city,
district and agency administrators) through the login page and the token
endpoint, and drives every target with wrk (4 connections, a fixed time each,
127.0.0.1 only). The floor is a bare Django view that renders 50 people from one
indexed query with a plain template: the least a page of 50 people costs here.

It prints a table (p50, p95, requests/s, queries per request, requests/s as a
share of the floor's, the load average while it ran) and writes
bench/results/scale-<people>.json. With --explain (or --explain-only) it also runs
every target once in-process and writes EXPLAIN (ANALYZE, BUFFERS) of each SQL
statement to bench/results/plans-<people>.txt, with a summary of the statements
that read more rows than a page needs.

The machine's load matters: the load average before and after each target is
recorded beside its figures.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS_DIR writes elsewhere (the test suite's smoke run does).
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
sys.path.insert(0, str(ROOT))

from bench.scale_data import BENCH_PASSWORD, database_url, split_url  # noqa: E402

PERSONAS = {
    "city": "bench_city",
    "district": "bench_district",
    "agency": "bench_agency",
    # Made by bench/supervision_data.py: the supervisor with the most sessions, the
    # administrator of the agency with the most staff, and of the district with the
    # most organisations.
    "supervisor": "bench_supervisor",
    "sup_agency": "bench_sup_agency",
    "sup_district": "bench_sup_district",
}

# (name, persona or None, kind, path). Paths are filled from facts(): ids and
# search terms read from the data set, the same for every size where possible.
TARGETS = [
    ("floor: 50 people, one query, plain template", None, "page", "/bench/floor/"),
    ("people list, city admin, page 1", "city", "page", "/directory/people/"),
    ("people list, district admin, page 1", "district", "page", "/directory/people/"),
    ("people list, agency admin, page 1", "agency", "page", "/directory/people/"),
    (
        "people list, filtered by district and certificate",
        "city",
        "page",
        "/directory/people/?jurisdiction={district_id}&certificate_level={level_id}",
    ),
    ("people list, name search (3 characters)", "city", "page", "/directory/people/?q={search3}"),
    ("people list, name search (2 characters)", "city", "page", "/directory/people/?q={search2}"),
    ("people list, far page", "city", "page", "/directory/people/?page={far_page}"),
    ("person detail page", "district", "page", "/directory/people/{person_id}/"),
    ("organisation list, city admin", "city", "page", "/directory/organizations/"),
    ("nomination queue, city admin", "city", "page", "/selection/queue/"),
    ("nomination queue, district admin", "district", "page", "/selection/queue/"),
    ("nomination list, city admin", "city", "page", "/selection/nominations/"),
    ("trainee list, city admin", "city", "page", "/selection/trainees/"),
    ("pool list, city admin", "city", "page", "/pools/"),
    ("pool list, district admin", "district", "page", "/pools/"),
    ("training activities, district admin", "district", "page", "/training/activities/"),
    ("API people list, page 1", "city", "api", "/api/v1/people/"),
    ("API people list, far cursor", "city", "api", "/api/v1/people/?cursor={far_cursor}"),
    ("API person detail", "city", "api", "/api/v1/people/{person_id}/"),
    ("API organisation list", "city", "api", "/api/v1/organizations/"),
    ("API nomination list", "city", "api", "/api/v1/nominations/"),
    # Supervision (issue 10), over S sessions (10 per person: 10 M at 1 M people).
    ("supervision sessions, the supervisor's own", "supervisor", "page", "/supervision/sessions/"),
    (
        "supervision coverage, agency: need vs supply per staff",
        "sup_agency",
        "page",
        "/supervision/coverage/organizations/{sup_org_id}/",
    ),
    ("supervision coverage, district: agencies worst first", "sup_district", "page", "/supervision/coverage/"),
]
FLOOR = TARGETS[0][0]

# The targets (shown, never asserted).
P95_TARGET_MS = 100
FLAT_RATIO = 1.5
FLOOR_SHARE = 0.3


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- the data set -------------------------------------------------------------------


def ensure_data(people: int, sessions: int | None = None) -> None:
    extra = ["--sessions", str(sessions)] if sessions is not None else []
    subprocess.run([str(PYTHON), str(ROOT / "bench" / "scale_data.py"), "--people", str(people), *extra], check=True)


def facts(url: str, people: int) -> dict:
    """Ids and search terms for the targets, read from the data set."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from dudao.core.paging import encode_cursor

    with psycopg.connect(url) as conn:
        one = lambda sql, *args: conn.execute(sql, args).fetchone()  # noqa: E731
        # 郑州 and 金水区, at whatever depth the tree puts them (a province may sit above).
        city_id, city_depth = one("SELECT id, depth FROM directory_jurisdiction WHERE code = '410100'")
        district_id, district_depth = one("SELECT id, depth FROM directory_jurisdiction WHERE code = '410105'")
        city_col, district_col = f"scope_j{city_depth}", f"scope_j{district_depth}"
        level_id = one("SELECT id FROM directory_certificatelevel WHERE code = 'intermediate'")[0]
        in_city = one(f"SELECT count(*) FROM directory_person WHERE {city_col} = %s AND employed", city_id)[0]
        # Page 2,000 where the list is that long (1 M people); else four fifths down.
        far_page = max(2, min(2000, in_city * 4 // 5 // 25))
        offset = (far_page - 1) * 25
        name, pk = one(
            f"SELECT name, id FROM directory_person WHERE {city_col} = %s AND employed ORDER BY name, id OFFSET %s LIMIT 1",
            city_id,
            offset,
        )
        person_id = one(
            f"SELECT id FROM directory_person WHERE {district_col} = %s AND employed ORDER BY id OFFSET %s LIMIT 1",
            district_id,
            people // 40,
        )[0]
        # A full three-character name and its first two characters (a surname
        # and a given name, the way people search Chinese names), chosen the
        # same way at every size.
        search3 = one(
            "SELECT name FROM directory_person WHERE char_length(name) = 3 ORDER BY id LIMIT 1 OFFSET %s", 777
        )[0]
        # The supervision personas' organisation (bench/supervision_data.py).
        sup_org = one(
            "SELECT r.organization_id FROM accounts_roleassignment r JOIN accounts_user u ON u.id = r.user_id "
            "WHERE u.username = %s",
            PERSONAS["sup_agency"],
        )
    return {
        "city_id": city_id,
        "district_id": district_id,
        "level_id": level_id,
        "person_id": person_id,
        "far_page": far_page,
        "far_cursor": encode_cursor([name, pk], reverse=False),
        "far_cursor_offset": offset,
        "search3": search3,
        "search2": search3[:2],
        "people_in_city_list": in_city,
        "sup_org_id": sup_org[0] if sup_org else None,
    }


def selected(args, values: dict) -> list:
    """The targets to run: those --only names, less the supervision ones when the
    data set was built without supervision (--sessions 0)."""
    chosen = []
    for target in TARGETS:
        name, persona = target[0], target[1]
        if getattr(args, "only", None) and not any(word in name for word in args.only):
            continue
        if persona in {"sup_agency", "sup_district", "supervisor"} and values.get("sup_org_id") is None:
            print(f"skipped (no supervision data: built with --sessions 0): {name}")
            continue
        chosen.append(target)
    return chosen


def fill(path: str, values: dict) -> str:
    quoted = {k: (urlencode({"x": v})[2:] if isinstance(v, str) else v) for k, v in values.items()}
    return path.format(**quoted)


# --- the server ------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def start_server(url: str, port: int, workers: int, log: Path):
    if not port_free(port):
        raise SystemExit(f"port {port} is in use; pass --port")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    handle = log.open("w")
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "dudao.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--chdir",
            str(ROOT),
        ],
        env=env,
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log}")
        try:
            status, _h, _b = request(port, "/bench/floor/")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def stop_server(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def request(port: int, path: str, *, method="GET", headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def cookies_of(headers) -> dict:
    jar = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(port: int, username: str) -> dict:
    """A browser session through the login page, and an API token: the
    headers each kind of target sends."""
    status, headers, body = request(port, "/login/")
    if status != 200:
        raise SystemExit(f"login page answered {status}")
    jar = cookies_of(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": BENCH_PASSWORD})
    status, headers, _ = request(
        port,
        "/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    jar.update(cookies_of(headers))
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login as {username} failed ({status})")
    status, _h, body = request(
        port,
        "/api/v1/auth/token/",
        method="POST",
        body=json.dumps({"username": username, "password": BENCH_PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    if status not in (200, 201):
        raise SystemExit(f"token for {username} failed ({status}: {body[:200]!r})")
    token = json.loads(body)["token"]
    return {
        "page": {"Cookie": f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"},
        "api": {"Authorization": f"Token {token}", "Accept": "application/json"},
    }


# --- measuring -------------------------------------------------------------------------


def preflight(port: int, path: str, headers: dict, kind: str) -> dict:
    """One request first: it must answer 200; what it shows is recorded."""
    status, response_headers, body = request(port, path, headers=headers)
    if status != 200:
        raise SystemExit(f"{path} answered {status}, not 200: {body[:300]!r}")
    if kind == "api":
        data = json.loads(body)
        rows = len(data["results"]) if isinstance(data, dict) and "results" in data else 1
    else:
        rows = len(re.findall(rb"<tr[ >]", body)) - len(re.findall(rb"<thead", body))
    for _ in range(3):  # warm both workers
        request(port, path, headers=headers)
    return {"queries": int(response_headers.get("X-Query-Count", -1)), "rows_shown": rows, "bytes": len(body)}


def run_wrk(port: int, path: str, headers: dict, *, duration: int, connections: int, threads: int) -> dict:
    env = {**os.environ, "WRK_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items())}
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
        f"http://127.0.0.1:{port}{path}",
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result for {path}:\n{out}")
    return json.loads(line[len("WRK_JSON ") :])


def measure(people: int, args) -> dict:
    url = database_url(people)
    if not args.no_build:
        ensure_data(people, args.sessions)
    values = facts(url, people)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"gunicorn-{people}.log"
    print(f"\n== {people} people ({split_url(url)[1]}); gunicorn {args.workers} workers on :{args.port}", flush=True)
    proc = start_server(url, args.port, args.workers, log)
    results = []
    try:
        sessions = {}
        for name, persona, kind, template in selected(args, values):
            path = fill(template, values)
            if persona and persona not in sessions:
                sessions[persona] = login(args.port, PERSONAS[persona])
            headers = sessions[persona][kind] if persona else {}
            shown = preflight(args.port, path, headers, kind)
            before = load_average()
            figures = run_wrk(
                args.port, path, headers, duration=args.duration, connections=args.connections, threads=args.threads
            )
            results.append(
                {
                    "target": name,
                    "persona": persona,
                    "path": path,
                    **shown,
                    **figures,
                    "load_before": before,
                    "load_after": load_average(),
                }
            )
            print_row(results[-1], None)
    finally:
        stop_server(proc)
    floor = next((r for r in results if r["target"] == FLOOR), None)
    for r in results:
        r["rps_vs_floor"] = round(r["rps"] / floor["rps"], 3) if floor and floor["rps"] else None
    report = {
        "people": people,
        "database": split_url(url)[1],
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgresql": server_version(url),
        },
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "seconds_per_target": args.duration,
            "db_conn_max_age": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        },
        "facts": values,
        "targets": results,
    }
    path = RESULTS / f"scale-{people}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_table(report)
    print(f"written {path}")
    return report


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- printing ----------------------------------------------------------------------------


def print_row(r: dict, floor_rps) -> None:
    share = r.get("rps_vs_floor")
    share = f"{share:>6.2f}" if share is not None else "     -"
    bad = f"  NON-2XX {r['non2xx']}" if r["non2xx"] else ""
    print(
        f"{r['target'][:52]:<52} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['rps']:>8.1f} "
        f"{queries_of(r):>4} {share} {r['load_before'][0]:>5.2f}{bad}",
        flush=True,
    )


def queries_of(r: dict):
    """Statements per request: the mean of X-Query-Count under load (the first
    request of a worker may run one more, to fill a per-process cache)."""
    mean = r.get("queries_mean")
    return round(mean) if mean is not None else r["queries"]


def header() -> str:
    return f"{'target':<52} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'SQL':>4} {'×floor':>6} {'load1':>5}"


def print_table(report: dict) -> None:
    print(f"\n{report['people']} people, {report['date']}, {report['machine']['cpus']} CPUs")
    print(header())
    for r in report["targets"]:
        print_row(r, None)


def compare(sizes: list[int]) -> None:
    reports = []
    for n in sizes:
        path = RESULTS / f"scale-{n}.json"
        if not path.exists():
            raise SystemExit(f"no {path}: run bench/scale.py --people {n} first")
        reports.append(json.loads(path.read_text()))
    small, large = reports[0], reports[-1]
    by_name = {r["target"]: r for r in small["targets"]}
    a, b = small["people"], large["people"]
    print(f"\nCompared: {a} vs {b} people (p95 in ms; ratio = p95 at {b} / p95 at {a})")
    plans = [plans_of(n) for n in (a, b)]
    print(
        f"{'target':<52} {'p95@' + str(a):>10} {'p95@' + str(b):>10} {'ratio':>6} {'DB ms':>13} "
        f"{'req/s@' + str(b):>12} {'×floor':>6} {'SQL':>7} {'load1':>11}  targets"
    )
    for r in large["targets"]:
        s = by_name.get(r["target"])
        if s is None:
            continue
        ratio = r["p95_ms"] / s["p95_ms"] if s["p95_ms"] else float("nan")
        share = r.get("rps_vs_floor")
        misses = []
        if r["target"] != FLOOR:
            if r["p95_ms"] > P95_TARGET_MS:
                misses.append(f"p95>{P95_TARGET_MS}")
            if ratio > FLAT_RATIO:
                misses.append(f"ratio>{FLAT_RATIO}")
            if share is not None and share < FLOOR_SHARE:
                misses.append(f"<{FLOOR_SHARE}×floor")
        db = "/".join(f"{p[r['target']]['db_ms']:.1f}" if r["target"] in p else "-" for p in plans)
        print(
            f"{r['target'][:52]:<52} {s['p95_ms']:>10.1f} {r['p95_ms']:>10.1f} {ratio:>6.2f} {db:>13} {r['rps']:>12.1f} "
            f"{(share if share is not None else float('nan')):>6.2f} {str(queries_of(s)) + '/' + str(queries_of(r)):>7} "
            f"{s['load_before'][0]:>5.2f}/{r['load_before'][0]:<5.2f}  {', '.join(misses) or 'met'}"
        )


def plans_of(people: int) -> dict:
    """Per target, the statements and their summed execution time in
    PostgreSQL (EXPLAIN ANALYZE, one request, no load): the database's share
    of a request, which the machine's load hardly moves."""
    path = RESULTS / f"plans-{people}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def markdown(sizes: list[int]) -> str:
    """The comparison as a Markdown table, for bench/README.md."""
    reports = [json.loads((RESULTS / f"scale-{n}.json").read_text()) for n in sizes]
    small, large = reports[0], reports[-1]
    by_name = {r["target"]: r for r in small["targets"]}
    a, b = small["people"], large["people"]
    loads = [r["load_before"][0] for rep in reports for r in rep["targets"]]
    lines = [
        f"{large['date'][:10]}, {large['machine']['cpus']} CPUs ({large['machine']['platform']}), "
        f"PostgreSQL {large['machine']['postgresql']}, gunicorn {large['settings']['workers']} workers, "
        f"wrk {large['settings']['connections']} connections × {large['settings']['seconds_per_target']} s per target; "
        f"1-minute load average {min(loads):.1f}–{max(loads):.1f} while it ran.",
        "",
        f"| target | p50 ms @{a} | p95 ms @{a} | p50 ms @{b} | p95 ms @{b} | p95 ratio | req/s @{b} | × floor "
        f"| SQL | DB ms @{a} | DB ms @{b} | load1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    plans = [plans_of(a), plans_of(b)]

    def db_ms(p, r):
        return f"{p[r['target']]['db_ms']:.1f}" if r["target"] in p else "-"

    for r in large["targets"]:
        s = by_name.get(r["target"])
        if s is None:
            continue
        ratio = r["p95_ms"] / s["p95_ms"] if s["p95_ms"] else float("nan")
        share = r.get("rps_vs_floor") or float("nan")
        lines.append(
            f"| {r['target']} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{ratio:.2f} | {r['rps']:.1f} | {share:.2f} | {queries_of(r)} | {db_ms(plans[0], r)} | {db_ms(plans[1], r)} "
            f"| {r['load_before'][0]:.1f} |"
        )
    return "\n".join(lines)


# --- query plans -------------------------------------------------------------------------------

# A statement is flagged when one node reads more rows than this of a large
# table (or sorts, hashes or aggregates that many): a page of 25 needs far fewer.
FLAG_ROWS = 2000
BIG_TABLES = {
    "directory_person",
    "directory_employment",
    "directory_certificate",
    "directory_person_service_domains",
    "selection_nomination",
    "selection_trainee",
    "pools_entry",
    "pools_entry_domains",
    "training_activity",
    "training_activity_participants",
    "directory_organization",
    "supervision_engagement",
    "supervision_engagement_supervisees",
    "supervision_session",
    "supervision_attendance",
    "supervision_rating",
    "supervision_monthsignoff",
    "supervision_practicelog",
    "supervision_organizationcoverage",
}


def explain(people: int, only=None) -> None:
    """In a child process: run each target once in-process, EXPLAIN every statement."""
    subprocess.run(
        [
            str(PYTHON),
            str(Path(__file__)),
            "--people",
            str(people),
            "--_explain_child",
            *(["--only", *only] if only else []),
        ],
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": database_url(people)},
    )


def _walk(node, depth=0):
    yield node, depth
    for child in node.get("Plans", []):
        yield from _walk(child, depth + 1)


def explain_child(people: int, args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dudao.accounts.models import User

    values = facts(database_url(people), people)
    clients = {}
    out, summary, per_target = [], [], {}
    for name, persona, kind, template in selected(args, values):
        path = fill(template, values)
        if persona and persona not in clients:
            clients[persona] = Client(HTTP_HOST="127.0.0.1")
            clients[persona].force_login(User.objects.get(username=PERSONAS[persona]))
        client = clients[persona] if persona else Client(HTTP_HOST="127.0.0.1")
        extra = {"HTTP_ACCEPT": "application/json"} if kind == "api" else {}
        client.get(path, **extra)  # warm caches (the scope, templates)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **extra)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        out.append(f"\n{'=' * 100}\n{name}\nGET {path}  ({len(ctx.captured_queries)} statements)\n{'=' * 100}")
        worst_overall = None
        db_ms = 0.0
        for i, query in enumerate(ctx.captured_queries, 1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                out.append(f"\n-- [{i}] not a SELECT: {sql[:200]}")
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                if isinstance(plan, str):
                    plan = json.loads(plan)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                text = "\n".join(row[0] for row in cursor.fetchall())
            root = plan[0]["Plan"]
            db_ms += plan[0].get("Execution Time", 0)
            worst = None
            for node, _depth in _walk(root):
                loops = node.get("Actual Loops", 1)
                touched = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
                relation = node.get("Relation Name") or ""
                kind_ = node["Node Type"]
                heavy = touched > FLAG_ROWS and (relation in BIG_TABLES or kind_ in {"Sort", "Aggregate", "Hash"})
                if heavy:
                    label = f"{kind_}{' on ' + relation if relation else ''}"
                    if node.get("Index Name"):
                        label += f" using {node['Index Name']}"
                    candidate = (touched, label, round(plan[0].get("Execution Time", 0), 2))
                    if worst is None or candidate[0] > worst[0]:
                        worst = candidate
            flag = f"   <-- {worst[1]}: {worst[0]} rows" if worst else ""
            out.append(f"\n-- [{i}] {plan[0].get('Execution Time', 0):.2f} ms{flag}\n{sql}\n{text}")
            if worst and (worst_overall is None or worst[0] > worst_overall[0]):
                worst_overall = (worst[0], worst[1], worst[2], i)
        per_target[name] = {
            "statements": len(ctx.captured_queries),
            "db_ms": round(db_ms, 2),
            "worst": {"rows": worst_overall[0], "node": worst_overall[1], "statement": worst_overall[3]}
            if worst_overall
            else None,
        }
        if worst_overall:
            rows, label, ms, i = worst_overall
            summary.append(f"NOT FLAT  {name}: statement [{i}] {label} reads {rows} rows ({ms} ms)")
        else:
            summary.append(
                f"flat      {name}: {len(ctx.captured_queries)} statements, none reads more than {FLAG_ROWS} rows"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"plans-{people}.txt"
    head = [
        f"EXPLAIN (ANALYZE, BUFFERS) of every statement of every target, {people} people, "
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, load average {load_average()}",
        f"A statement is flagged when a node reads more than {FLAG_ROWS} rows of a large table (or sorts,",
        "hashes or aggregates that many): a page of 25 rows needs far fewer.",
        "",
        *summary,
    ]
    path.write_text("\n".join(head + out) + "\n")
    (RESULTS / f"plans-{people}.json").write_text(json.dumps(per_target, ensure_ascii=False, indent=2))
    print("\n".join(summary))
    print(f"written {path}")


# --- main ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--compare", help="sizes to run and compare, e.g. 10000,1000000")
    parser.add_argument(
        "--sessions",
        type=int,
        help="supervision sessions in the data set (default 10 per person: 10,000,000 at 1,000,000 people)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (one is plenty at these rates)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="only targets whose name contains one of these words")
    parser.add_argument("--no-build", action="store_true", help="do not check or build the data set")
    parser.add_argument("--report-only", action="store_true", help="with --compare: print saved results")
    parser.add_argument("--markdown", action="store_true", help="with --compare: also print a Markdown table")
    parser.add_argument("--explain", action="store_true", help="also write the query plans of every target")
    parser.add_argument("--explain-only", action="store_true", help="only write the query plans")
    parser.add_argument("--_explain_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._explain_child:
        explain_child(args.people, args)
        return
    sizes = [int(s) for s in args.compare.split(",")] if args.compare else [args.people]
    if len(sizes) > 1 and "{people}" not in os.environ.get("BENCH_DATABASE_URL", "{people}"):
        raise SystemExit("with --compare, BENCH_DATABASE_URL must contain {people} (one database per size)")
    if not (args.report_only or args.explain_only) and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench-scale installs it)")
    for n in sizes:
        if args.explain_only:
            if not args.no_build:
                ensure_data(n, args.sessions)
            explain(n, args.only)
            continue
        if not args.report_only:
            measure(n, args)
            if args.explain:
                explain(n, args.only)
    if len(sizes) > 1:
        compare(sizes)
        if args.markdown:
            print("\n" + markdown(sizes))


if __name__ == "__main__":
    main()
