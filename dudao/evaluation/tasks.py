import logging
from io import StringIO

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="dudao.evaluation.compute_cycle")
def compute_cycle_task(cycle_id, actor_id=None):
    from .services.cycles import run_computation

    run_computation(cycle_id, actor_id)


@shared_task(name="dudao.evaluation.propose_renewals")
def propose_renewals():
    """The nightly proposal of renewals due, exactly as `manage.py propose_renewals`
    (the cron alternative) does it; scheduled in settings.CELERY_BEAT_SCHEDULE."""
    from django.core.management import call_command

    out = StringIO()
    call_command("propose_renewals", stdout=out)
    result = out.getvalue().strip()
    log.info("propose_renewals: %s", result)
    return result
