"""Recomputing a plan's totals and disagreements, and asking for it after every change.

`request_recompute` is what every write asks for, through plans.hooks.totals_changed
(registered in RollupsConfig.ready()): it marks
the plan pending and enqueues at most one recompute at a time per plan, after
a short quiet period, so a burst of 500 edits leads to a few recomputes, not
500. `recompute_plan` does the work in one transaction, serialised per plan by
a row lock, and is idempotent.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from indicators.services import derived_refresh
from planportal.background import enqueue
from plans.models import Plan
from rollups.compute import write_rollups
from rollups.models import RecomputeState, Rollup, Variance
from rollups.variances import VarianceBuilder

log = logging.getLogger(__name__)
# Edits arriving within this many seconds of the first one share its recompute.
DEBOUNCE_SECONDS = getattr(settings, "PLANPORTAL_RECOMPUTE_DEBOUNCE", 2)
# A queued recompute that has not started after this long was lost (a worker or a laptop
# process stopped before running it): the next request enqueues a new one.
_QUEUED_STALE_SECONDS = 60


def _queued_key(plan_id: int) -> str:
    return f"recompute-queued:{plan_id}"


def request_recompute(plan_id: int) -> bool:
    """Mark the plan pending; enqueue a recompute after commit unless one is already queued.

    Returns True when this call enqueued one.
    """
    now = timezone.now()
    updated = RecomputeState.objects.filter(plan_id=plan_id).update(requested_at=now)
    if not updated:
        RecomputeState.objects.get_or_create(plan_id=plan_id, defaults={"requested_at": now})
    key = _queued_key(plan_id)
    if not cache.add(key, now.timestamp(), _QUEUED_STALE_SECONDS * 10):
        queued_at = cache.get(key)
        if queued_at is not None and now.timestamp() - queued_at < _QUEUED_STALE_SECONDS:
            return False
        cache.set(key, now.timestamp(), _QUEUED_STALE_SECONDS * 10)
    enqueue("rollups.recompute", plan_id, delay=DEBOUNCE_SECONDS)  # rollups.tasks.recompute
    return True


def recompute_plan(plan_id: int) -> dict:
    """Replace the plan's totals and disagreements with fresh ones. Safe to run twice or concurrently."""
    cache.delete(_queued_key(plan_id))  # edits from now on need another run
    if not Plan.objects.filter(pk=plan_id).exists():
        return {"plan": None, "skipped": "the plan was deleted"}  # a task queued before the deletion
    started = timezone.now()
    RecomputeState.objects.update_or_create(plan_id=plan_id, defaults={"started_at": started})
    try:
        with transaction.atomic():
            # One recompute of a plan at a time; others wait here, then redo the work on fresh data.
            state = RecomputeState.objects.select_for_update().get(plan_id=plan_id)
            plan = Plan.objects.get(pk=plan_id)
            now = timezone.now()
            write_rollups([plan.pk], now)
            rollups = list(Rollup.objects.filter(plan=plan, kind__in=[Rollup.Kind.CATEGORY, Rollup.Kind.TOTAL]))
            variances = VarianceBuilder(plan, rollups, now).build()
            Variance.objects.filter(plan=plan).delete()
            Variance.objects.bulk_create(variances, batch_size=1000)
            # Indicators the project data can count are part of the same recompute.
            derived_refresh(plan=plan)
            state.computed_at = now
            state.last_error = ""
            state.save(update_fields=["computed_at", "last_error"])
    except Exception as exc:
        RecomputeState.objects.filter(plan_id=plan_id).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    differs = sum(1 for v in variances if v.status == Variance.Status.DIFFERS)
    log.info("recomputed plan %s: %d checks, %d disagreements", plan.code, len(variances), differs)
    return {"plan": plan.code, "variances": len(variances), "differs": differs}


def recompute_all() -> int:
    """Ask for a recompute of every plan (the periodic job). Returns how many were asked."""
    ids = list(Plan.objects.values_list("pk", flat=True))
    for plan_id in ids:
        request_recompute(plan_id)
    return len(ids)
