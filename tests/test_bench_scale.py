"""The national-scale benchmark runs end to end (issue 7: a smoke run in CI;
its numbers are not asserted, only that it completes and writes its JSON)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark's data set is PostgreSQL's")
needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="the benchmark drives wrk (make bench-scale installs it)"
)


def server_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/dudao_scale_smoke_{{people}}"


@needs_wrk
def test_the_scale_benchmark_builds_its_data_serves_every_target_and_writes_its_results(tmp_path):
    env = {**bench_env(), "BENCH_RESULTS_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "bench/scale.py", "--people", "2000", "--duration", "1", "--port", "8799", "--explain"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads((tmp_path / "scale-2000.json").read_text())
    targets = {t["target"]: t for t in report["targets"]}
    assert len(targets) > 20 and all(t["requests"] > 0 and t["non2xx"] == 0 for t in targets.values())
    floor = targets["floor: 50 people, one query, plain template"]
    assert floor["queries"] <= 2 and floor["rows_shown"] == 50
    assert targets["people list, city admin, page 1"]["rows_shown"] == 25
    plans = json.loads((tmp_path / "plans-2000.json").read_text())
    assert set(plans) == set(targets)
    # Issue 10: the supervisor's sessions, an agency's and a district's coverage, over supervision data.
    supervision = {name: t for name, t in targets.items() if name.startswith("supervision")}
    assert len(supervision) == 3 and all(t["rows_shown"] > 0 for t in supervision.values())


def smoke_db(people: int) -> str:
    return server_url().replace("{people}", str(people))


def bench_env() -> dict:
    env = {**os.environ, "BENCH_DATABASE_URL": server_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_check(people: int):
    return subprocess.run(
        [sys.executable, "bench/supervision_data.py", "--people", str(people), "--check"],
        cwd=ROOT,
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_supervision_generator_writes_what_the_models_would_and_the_check_catches_a_wrong_chain():
    import psycopg

    built = subprocess.run(
        [sys.executable, "bench/scale_data.py", "--people", "2000"],
        cwd=ROOT,
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    checked = run_check(2000)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    result = json.loads(checked.stdout)
    rows = result["rows"]
    assert rows["supervision_session"] == 20000  # 10 per person
    assert rows["supervision_attendance"] > rows["supervision_session"]
    assert 0 < rows["supervision_rating"] < rows["supervision_attendance"]
    assert rows["supervision_monthsignoff"] > 0 and rows["supervision_practicelog"] > 0
    assert rows["supervision_organizationcoverage"] > 0
    with psycopg.connect(smoke_db(2000), autocommit=True) as conn:
        per_agency = conn.execute(
            "SELECT organization_id, count(*) FROM supervision_engagement "
            "WHERE status IN ('active', 'ended') GROUP BY 1"
        ).fetchall()
        assert per_agency and all(1 <= n <= 3 for _org, n in per_agency)
        kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM supervision_engagement")}
        assert kinds == {"internal", "external"}
        months = conn.execute("SELECT count(DISTINCT month) FROM supervision_session").fetchone()[0]
        assert months >= 12
        # A chain off by one district must be caught (by the rules and by the ORM's save()).
        pk, j2 = conn.execute(
            "SELECT id, scope_j2 FROM supervision_session WHERE status = 'pending' ORDER BY id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE supervision_session SET scope_j2 = scope_j2 + 1 WHERE id = %s", [pk])
        try:
            broken = run_check(2000)
        finally:
            conn.execute("UPDATE supervision_session SET scope_j2 = %s WHERE id = %s", [j2, pk])
    assert broken.returncode == 1
    found = json.loads(broken.stdout)
    assert found["violations"]["chain not the using organisation's"] == 1
    assert any(f"session {pk}: scope_j2" in m for m in found["orm_mismatches"])
