"""Celery tasks: thin and idempotent, the state lives in the `ImportJob` row."""

from celery import shared_task


@shared_task(name="parvis.integrations.tasks.run_import_job")
def run_import_job(job_id: int) -> str:
    from .imports import run_import

    return run_import(job_id).status


@shared_task(name="parvis.integrations.tasks.find_duplicates")
def find_duplicates() -> dict:
    from .review import find_duplicates as find

    return find()


@shared_task(name="parvis.integrations.tasks.recover_stale_imports")
def recover_stale_imports() -> list[int]:
    from .imports import recover_stale_jobs

    return recover_stale_jobs()
