"""Recomputing a plan's totals and disagreements, and asking for it after every change.

The request is an outbox row: `request_recompute` (what every write asks for, through
plans.hooks.totals_changed, registered in RollupsConfig.ready()) marks the plan's
RecomputeState pending in the same transaction as the change, so a committed change is
never without its request, whatever happens to the broker or the cache. It enqueues at
most one recompute per plan at a time, after a short quiet period (a burst of 500 edits
leads to one recompute), and a failure to reach the broker only logs: the save answers
normally. `recompute_pending` — run by a periodic job and by each worker after each
recompute — finds the plans still pending and enqueues them again: after a broker
outage, a lost message or a worker killed in the middle of a recompute.

`recompute_plan` does the work in one transaction, serialised per plan by a row lock,
and is idempotent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
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
# A queued recompute that has not started after this long was lost (a broker outage, a worker
# or a laptop process stopped before running it): it may be enqueued again.
QUEUED_STALE = timedelta(seconds=60)
TASK = "rollups.recompute"  # rollups.tasks.recompute


def _no_live_task(now) -> Q:
    """No recompute is waiting to start: none queued, the queued one has started, or it was lost."""
    return Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUED_STALE) | Q(started_at__gte=F("queued_at"))


def request_recompute(plan_id: int) -> bool:
    """Mark the plan pending (in the caller's transaction); enqueue a recompute after commit unless one waits.

    Returns True when this call enqueued one.
    """
    with transaction.atomic(savepoint=False):
        # Lock first, then read the clock: a recompute running now holds this row, and its computed_at must
        # not come after this change's requested_at (the change would look included though it waited for
        # the lock uncommitted, out of the recompute's view).
        exists = RecomputeState.objects.select_for_update().filter(plan_id=plan_id).exists()
        now = timezone.now()
        if exists:
            RecomputeState.objects.filter(plan_id=plan_id).update(requested_at=now)
        else:
            RecomputeState.objects.get_or_create(plan_id=plan_id, defaults={"requested_at": now})
        claimed = RecomputeState.objects.filter(plan_id=plan_id).filter(_no_live_task(now)).update(queued_at=now)
    if claimed:
        enqueue(TASK, plan_id, delay=DEBOUNCE_SECONDS, on_failure=lambda: _not_queued(plan_id, now))
    return bool(claimed)


def _not_queued(plan_id: int, queued_at) -> None:
    """The broker refused the task: nothing waits for this plan, so the next change or the drain enqueues one."""
    RecomputeState.objects.filter(plan_id=plan_id, queued_at=queued_at).update(queued_at=None)


def pending_states():
    """The plans whose last change is not in their totals yet."""
    return RecomputeState.objects.filter(requested_at__isnull=False).filter(
        Q(computed_at__isnull=True) | Q(requested_at__gt=F("computed_at")))


def _running(plan_id: int) -> bool:
    """A recompute holds the plan's state row locked while it works; a killed one's lock went with its connection."""
    if connection.vendor != "postgresql":
        return False  # no concurrent workers without PostgreSQL
    with transaction.atomic():
        return not RecomputeState.objects.select_for_update(skip_locked=True).filter(plan_id=plan_id).exists()


def recompute_pending() -> int:
    """Enqueue again every pending plan that has no live recompute (the outbox's drain). Returns how many."""
    now = timezone.now()
    waiting = pending_states().filter(requested_at__lt=now - timedelta(seconds=DEBOUNCE_SECONDS))
    count = 0
    for plan_id in waiting.filter(_no_live_task(now)).values_list("plan_id", flat=True):
        if _running(plan_id):
            continue
        with transaction.atomic():
            if RecomputeState.objects.filter(plan_id=plan_id).filter(_no_live_task(now)).update(queued_at=now):
                enqueue(TASK, plan_id, on_failure=lambda plan_id=plan_id: _not_queued(plan_id, now))
                count += 1
    if count:
        log.info("re-enqueued %d pending recomputes", count)
    return count


def oldest_pending_age() -> float | None:
    """Seconds since the oldest change that is not in its plan's totals yet (None: none waits)."""
    oldest = pending_states().order_by("requested_at").values_list("requested_at", flat=True).first()
    return None if oldest is None else (timezone.now() - oldest).total_seconds()


def recompute_plan(plan_id: int) -> dict:
    """Replace the plan's totals and disagreements with fresh ones. Safe to run twice or concurrently."""
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
            differs = sum(1 for v in variances if v.status == Variance.Status.DIFFERS)
            state.computed_at = now
            state.last_error = ""
            state.disagreements_open = differs
            state.save(update_fields=["computed_at", "last_error", "disagreements_open"])
    except Exception as exc:
        RecomputeState.objects.filter(plan_id=plan_id).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    log.info("recomputed plan %s: %d checks, %d disagreements", plan.code, len(variances), differs)
    return {"plan": plan.code, "variances": len(variances), "differs": differs}


def recompute_all() -> int:
    """Ask for a recompute of every plan (the periodic job). Returns how many were asked."""
    ids = list(Plan.objects.values_list("pk", flat=True))
    for plan_id in ids:
        request_recompute(plan_id)
    return len(ids)
