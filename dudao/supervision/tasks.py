"""Supervision's periodic tasks (found by Celery's autodiscovery; scheduled in
settings.CELERY_BEAT_SCHEDULE)."""

import logging
from io import StringIO

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="dudao.supervision.refresh_coverage")
def refresh_coverage():
    """The nightly recomputation of coverage, exactly as
    `manage.py refresh_supervision_coverage` (the cron alternative) does it."""
    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_supervision_coverage", stdout=out)
    result = out.getvalue().strip()
    log.info("refresh_supervision_coverage: %s", result)
    return result


@shared_task(name="dudao.supervision.refresh_supervisor_years")
def refresh_supervisor_years():
    """The nightly rebuild of the supervisors' yearly sums, exactly as
    `manage.py refresh_supervisor_years` (the cron alternative) does it."""
    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_supervisor_years", stdout=out)
    result = out.getvalue().strip()
    log.info("refresh_supervisor_years: %s", result)
    return result
