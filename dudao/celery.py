"""The Celery app, for `make worker` (`celery -A dudao worker -B`). Tasks are
found in each app's `tasks` and `jobs` modules; the periodic ones are scheduled
in settings.CELERY_BEAT_SCHEDULE. Without CELERY_BROKER_URL nothing here runs
in a separate process: jobs run in-process (see dudao.core.jobs)."""

import logging
import os
from io import StringIO

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")

app = Celery("dudao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="jobs")

log = logging.getLogger(__name__)


def run_command(name: str) -> str:
    """A periodic task is its management command (the cron alternative), run
    exactly so; what it printed is logged and returned."""
    from django.core.management import call_command

    out = StringIO()
    call_command(name, stdout=out)
    result = out.getvalue().strip()
    log.info("%s: %s", name, result)
    return result


# Defined here, above the apps, because beat only needs the commands.
@app.task(name="dudao.pools.expire_pool_entries")
def expire_pool_entries():
    """The daily expiry of pool entries."""
    return run_command("expire_pool_entries")


@app.task(name="dudao.publicity.settle_publicity")
def settle_publicity():
    """The nightly end of 公示 periods."""
    return run_command("settle_publicity")


@app.task(name="dudao.core.send_deadline_reminders")
def send_deadline_reminders():
    """The daily deadline reminders."""
    return run_command("send_reminders")
