"""Background work of totals. Tasks take ids and wrap rollups.services."""

from celery import shared_task

from rollups import services


@shared_task(name="rollups.recompute", acks_late=True)
def recompute(plan_id: int) -> dict:
    return services.recompute_plan(plan_id)


@shared_task(name="rollups.recompute_all")
def recompute_all() -> int:
    return services.recompute_all()
