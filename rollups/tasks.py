"""Background work of totals. Tasks take ids and wrap rollups.services."""

from celery import shared_task
from celery.signals import worker_ready

from rollups import services


@shared_task(name="rollups.recompute", acks_late=True, reject_on_worker_lost=True)
def recompute(plan_id: int) -> dict:
    result = services.recompute_plan(plan_id)
    # Each worker also drains the outbox: requests a broker outage or a lost worker left behind.
    services.recompute_pending()
    return result


@shared_task(name="rollups.recompute_pending")
def recompute_pending() -> int:
    return services.recompute_pending()


@shared_task(name="rollups.recompute_all")
def recompute_all() -> int:
    return services.recompute_all()


@worker_ready.connect
def drain_when_a_worker_starts(sender=None, **kwargs):
    """A worker that starts (again) first hands over what a broker outage or a killed worker left pending."""
    recompute_pending.delay()
