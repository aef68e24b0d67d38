from celery import shared_task


@shared_task(name="dudao.evaluation.compute_cycle")
def compute_cycle_task(cycle_id, actor_id=None):
    from .services.cycles import run_computation

    run_computation(cycle_id, actor_id)
