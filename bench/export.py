"""Times the background export of every person in a scale data set (bench/scale_data.py).

    .venv/bin/python bench/export.py --people 1000000

As the city administrator of the data set (bench_city) it does what the people
list's export button does above the sync threshold: start_export (timed: that
is what the page waits for), then runs the job the way a worker does, in a
child process of its own so that its peak resident memory (ru_maxrss) is the
job's alone. Prints the rows written, the file size, the wall time and the
peak RSS, and writes bench/results/export-<people>.json.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_data import database_url, ensure, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _child(job_id: int) -> None:
    """Run one queued export job, as the Celery worker's task does."""
    from dudao.core.jobs import run_export

    run_export(job_id)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--no-build", action="store_true", help="do not check or build the data set")
    parser.add_argument("--_child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = database_url(args.people)
    if args._child:
        setup_django(url)
        _child(args._child)
        return
    if not args.no_build:
        ensure(args.people)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    setup_django(url)
    from django.conf import settings
    from django.test import override_settings

    from dudao.accounts.models import User
    from dudao.core.jobs import start_export
    from dudao.core.models import Job

    user = User.objects.get(username="bench_city")
    # Queue only: the job runs below in its own process, as on a worker.
    with override_settings(DUDAO_JOBS_RUN_INLINE=False, CELERY_BROKER_URL="memory://bench-not-used"):
        import dudao.core.jobs as jobs

        jobs._enqueue = lambda job_id: None  # the bench runs the job itself
        started = time.perf_counter()
        job = start_export(actor=user, list_name="directory:person_list", query="", title="bench export")
        queued_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--people", str(args.people), "--_child", str(job.pk)],
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.file.name if job.file else None
    result = {
        "people": args.people,
        "status": job.status,
        "rows": job.rows_done,
        "file_mb": round(path.stat().st_size / 2**20, 1) if path and path.exists() else None,
        "start_ms": round(queued_ms, 1),
        "job_seconds": round(wall, 1),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"export-{args.people}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if path and path.exists():
        path.unlink()
    Job.objects.filter(pk=job.pk).delete()


if __name__ == "__main__":
    main()
