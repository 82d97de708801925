from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_eligibility(run_id: int) -> dict:
    """Advance an eligibility run (a row): the console queues it, the worker computes it.
    Re-running a run that crashed replaces each chunk's results, never duplicates them."""
    run = services.execute_run(run_id)
    return {"run": run.pk, "status": run.status, "counts": run.counts}
