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


@app.task(name="dudao.pools.expire_pool_entries")
def expire_pool_entries():
    """The daily expiry of pool entries, exactly as `manage.py expire_pool_entries`
    (the cron alternative) does it. Defined here, above the apps, because
    beat only needs the command."""
    from django.core.management import call_command

    out = StringIO()
    call_command("expire_pool_entries", stdout=out)
    result = out.getvalue().strip()
    log.info("expire_pool_entries: %s", result)
    return result


@app.task(name="dudao.publicity.settle_publicity")
def settle_publicity():
    """The nightly end of 公示 periods, exactly as `manage.py settle_publicity`."""
    from django.core.management import call_command

    out = StringIO()
    call_command("settle_publicity", stdout=out)
    result = out.getvalue().strip()
    log.info("settle_publicity: %s", result)
    return result


@app.task(name="dudao.core.send_deadline_reminders")
def send_deadline_reminders():
    """The daily deadline reminders, exactly as `manage.py send_reminders` (the cron alternative) sends them."""
    from django.core.management import call_command

    out = StringIO()
    call_command("send_reminders", stdout=out)
    result = out.getvalue().strip()
    log.info("send_reminders: %s", result)
    return result
