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

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("wrk") is None,
    reason="the benchmark runs on PostgreSQL and drives wrk (make bench-scale installs it)",
)


def server_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/dudao_scale_smoke_{{people}}"


def test_the_scale_benchmark_builds_its_data_serves_every_target_and_writes_its_results(tmp_path):
    env = {**os.environ, "BENCH_DATABASE_URL": server_url(), "BENCH_RESULTS_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
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
