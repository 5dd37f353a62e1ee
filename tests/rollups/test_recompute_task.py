"""The recompute task: enqueued after changes, debounced, safe after a failure, run by a real worker."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from funding.models import AnnualBudget
from funding.services import budget_update
from rollups import services
from rollups.models import RecomputeState, Rollup
from tests.factories import BudgetFactory, ProjectFactory
from plans.access import SYSTEM


@pytest.fixture
def enqueued(monkeypatch):
    """Record what request_recompute would run, instead of running it."""
    calls = []
    monkeypatch.setattr("rollups.services.enqueue", lambda task, *args, delay=0, on_failure=None: calls.append((getattr(task, "name", task), args)))
    cache.clear()
    return calls


@pytest.mark.django_db
def test_a_burst_of_500_edits_enqueues_one_recompute(budget, enqueued, django_capture_on_commit_callbacks):
    for i in range(500):
        budget_update(budget=budget, beijing_funds=Decimal(i), user=SYSTEM)
    assert enqueued == [("rollups.recompute", (budget.project.plan_id,))]
    state = RecomputeState.objects.get(plan_id=budget.project.plan_id)
    assert state.pending
    # Once it runs, the next edit enqueues another.
    services.recompute_plan(budget.project.plan_id)
    budget_update(budget=budget, beijing_funds=Decimal("1"), user=SYSTEM)
    assert len(enqueued) == 2


@pytest.mark.django_db
def test_a_lost_queued_recompute_does_not_block_later_ones(budget, enqueued, monkeypatch):
    plan_id = budget.project.plan_id
    services.request_recompute(plan_id)
    # queued long ago and never started: that task was lost
    RecomputeState.objects.filter(plan_id=plan_id).update(queued_at=timezone.now() - timedelta(hours=1))
    assert services.request_recompute(plan_id) is True
    assert len(enqueued) == 2


@pytest.mark.django_db
def test_changes_through_services_recompute_after_commit(budget, settings, django_capture_on_commit_callbacks):
    # The embedded default's path (tasks in this process); the worker path is tested below.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    cache.clear()
    plan_id = budget.project.plan_id
    with django_capture_on_commit_callbacks(execute=True):
        budget_update(budget=budget, beijing_funds=Decimal("168.15"), user=SYSTEM)
    total = Rollup.objects.get(plan_id=plan_id, kind="total", year=None)
    assert total.beijing_funds == Decimal("168.15")
    assert not RecomputeState.objects.get(plan_id=plan_id).pending


@pytest.mark.django_db
def test_a_failed_recompute_leaves_the_previous_totals(budget, monkeypatch):
    plan_id = budget.project.plan_id
    services.recompute_plan(plan_id)
    before = list(Rollup.objects.filter(plan_id=plan_id).values_list("kind", "year", "beijing_funds"))
    AnnualBudget.objects.filter(pk=budget.pk).update(beijing_funds=Decimal("999"))

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed half-way")

    monkeypatch.setattr(services.VarianceBuilder, "build", killed)
    with pytest.raises(RuntimeError):
        services.recompute_plan(plan_id)
    assert list(Rollup.objects.filter(plan_id=plan_id).values_list("kind", "year", "beijing_funds")) == before
    state = RecomputeState.objects.get(plan_id=plan_id)
    assert "worker killed" in state.last_error
    monkeypatch.undo()
    services.recompute_plan(plan_id)
    assert Rollup.objects.get(plan_id=plan_id, kind="total", year=None).beijing_funds == Decimal("999")
    assert RecomputeState.objects.get(plan_id=plan_id).last_error == ""


@pytest.mark.django_db
def test_one_plans_edit_recomputes_only_that_plan(plan, other_plan):
    mine = BudgetFactory(project=ProjectFactory(plan=plan))
    BudgetFactory(project=ProjectFactory(plan=other_plan))
    services.recompute_plan(other_plan.pk)
    theirs_before = list(Rollup.objects.filter(plan=other_plan).values_list("id", flat=True))
    services.recompute_plan(mine.project.plan_id)
    assert list(Rollup.objects.filter(plan=other_plan).values_list("id", flat=True)) == theirs_before


@pytest.mark.django_db
def test_recompute_all_asks_for_every_plan(plan, other_plan, enqueued):
    assert services.recompute_all() == 2
    assert {args for _name, args in enqueued} == {(plan.pk,), (other_plan.pk,)}


def test_the_nightly_recompute_is_declared_in_one_place():
    from planportal.celery import app

    assert app.conf.beat_schedule["recompute-every-plan-nightly"]["task"] == "rollups.recompute_all"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes(plan):
    if not os.environ.get("CELERY_BROKER_URL"):
        if os.environ.get("PLANPORTAL_REQUIRE_WORKER_TESTS") == "1":
            pytest.fail("PLANPORTAL_REQUIRE_WORKER_TESTS=1 but CELERY_BROKER_URL is not set")
        pytest.skip("no CELERY_BROKER_URL: the embedded default has no worker")
    from celery.contrib.testing.worker import start_worker

    from planportal.celery import app
    from rollups.tasks import recompute

    assert not django_settings.CELERY_TASK_ALWAYS_EAGER
    BudgetFactory(project=ProjectFactory(plan=plan), beijing_funds=Decimal("86.5"))
    app.control.purge()  # tasks other tests queued for plans that no longer exist
    with start_worker(app, perform_ping_check=False, loglevel="WARNING", pool="solo", shutdown_timeout=20):
        outcome = recompute.delay(plan.pk).get(timeout=60)
    assert outcome["plan"] == plan.code
    assert Rollup.objects.get(plan=plan, kind="total", year=None).beijing_funds == Decimal("86.5")


@pytest.mark.django_db(transaction=True)
def test_an_edit_that_waited_for_a_running_recompute_stays_pending(plan, monkeypatch):
    """An edit whose transaction waits on a running recompute's lock is not in that recompute's view: its
    request must come after the recompute's computed_at, or the plan would read as up to date without it."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks between concurrent transactions: PostgreSQL")
    monkeypatch.setattr("rollups.services.enqueue", lambda *args, **kwargs: None)
    RecomputeState.objects.create(plan_id=plan.pk)
    locked, release = threading.Event(), threading.Event()

    def recompute_holding_the_lock():  # what recompute_plan does: lock, read the clock, work, commit
        try:
            with transaction.atomic():
                state = RecomputeState.objects.select_for_update().get(plan_id=plan.pk)
                locked.set()
                release.wait(10)
                state.computed_at = timezone.now()
                state.save(update_fields=["computed_at"])
        finally:
            connections.close_all()

    def edit():
        try:
            with transaction.atomic():
                services.request_recompute(plan.pk)
        finally:
            connections.close_all()

    recompute = threading.Thread(target=recompute_holding_the_lock)
    recompute.start()
    assert locked.wait(10)
    editing = threading.Thread(target=edit)
    editing.start()
    editing.join(0.5)
    assert editing.is_alive()  # waiting for the recompute's lock
    release.set()
    recompute.join(10)
    editing.join(10)
    state = RecomputeState.objects.get(plan_id=plan.pk)
    assert state.requested_at > state.computed_at and state.pending
