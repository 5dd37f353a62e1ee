"""Outages degrade, never lose: with the cache or the broker down every save commits and answers normally,
the totals say they are pending, and the recompute runs when the broker is back.

The broker is stopped for real: a Redis of the test's own on a spare port, started and killed here
(PostgreSQL run only, where a real broker is configured). The cache is pointed at a port where nothing
listens (both runs).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import AnnualBudget
from funding.services import budget_update
from importers.batches import batch_confirm, batches_resume
from importers.models import ImportBatch
from planportal.celery import app
from rollups import services
from plans.access import SYSTEM
from projects.models import Project
from rollups.models import RecomputeState, Rollup
from tests.conftest import member
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory
from tests.importers.helpers import annex_sheet, project_row, write_xlsx

HAS_BROKER = bool(os.environ.get("CELERY_BROKER_URL"))
ROOT = Path(__file__).resolve().parents[1]
REDIS = shutil.which("redis-server")


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _save_budget_by_api(plan, budget, user, amount: str):
    client = APIClient()
    client.force_login(user)
    url = reverse("api-budgets-detail", kwargs={"code": plan.code, "pk": budget.pk})
    return client.patch(url, {"version": AnnualBudget.objects.get(pk=budget.pk).version, "beijing_funds": amount},
                        format="json")


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_saves_commit_and_health_says_so():
    dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": f"redis://127.0.0.1:{_spare_port()}/0",
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    with override_settings(CACHES=dead):
        _save_with_the_cache_down()


def _save_with_the_cache_down():
    plan = PlanFactory()
    budget = BudgetFactory(project=ProjectFactory(plan=plan))
    staff = member(plan, "staff")
    started = time.monotonic()
    response = _save_budget_by_api(plan, budget, staff, "123.45")
    assert response.status_code == 200, response.content
    assert time.monotonic() - started < 5
    assert AnnualBudget.objects.get(pk=budget.pk).beijing_funds == Decimal("123.45")
    health = APIClient().get(reverse("healthz"))
    assert health.status_code == 200 and health.json()["cache"].startswith("down")
    assert health.json()["database"] == "ok"


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which the test can stop and start again on the same port."""
    if not REDIS:
        pytest.skip("redis-server is not installed")
    port = _spare_port()

    def start():
        process = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    servers = {"process": start()}
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": lambda: servers.update(process=start()),
           "stop": lambda: (servers["process"].kill(), servers["process"].wait())}
    servers["process"].kill()
    servers["process"].wait()


def _use_broker(url: str) -> None:
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    app.conf.result_backend = url
    app.close()  # the producer pool reconnects to the new URL
    app.amqp._producer_pool = None


@pytest.mark.worker
@pytest.mark.skipif(not HAS_BROKER, reason="no CELERY_BROKER_URL: the embedded default has no broker")
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_saves_commit_and_the_recompute_follows_when_it_is_back(own_redis, caplog):
    from celery.contrib.testing.worker import start_worker

    original = app.conf.broker_url
    _use_broker(own_redis["url"])
    try:
        plan = PlanFactory()
        budget = BudgetFactory(project=ProjectFactory(plan=plan))
        services.recompute_plan(plan.pk)
        staff = member(plan, "staff")
        own_redis["stop"]()  # the broker goes down for real
        started = time.monotonic()
        response = _save_budget_by_api(plan, budget, staff, "321.00")
        assert response.status_code == 200, response.content
        assert time.monotonic() - started < 10  # a quick refusal by the broker, not a hang
        assert AnnualBudget.objects.get(pk=budget.pk).beijing_funds == Decimal("321.00")
        assert RecomputeState.objects.get(plan=plan).pending  # the outbox keeps the request
        assert "could not enqueue" in caplog.text
        health = APIClient().get(reverse("healthz")).json()
        assert health["broker"].startswith("down") and health["oldest_pending_recompute_seconds"] is not None

        own_redis["start"]()  # the broker is back: the drain (beat, or any worker) hands the request over
        _use_broker(own_redis["url"])
        time.sleep(services.DEBOUNCE_SECONDS + 0.1)
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", pool="solo", shutdown_timeout=20):
            assert services.recompute_pending() == 1
            deadline = time.monotonic() + 30
            while RecomputeState.objects.get(plan=plan).pending and time.monotonic() < deadline:
                time.sleep(0.2)
        assert not RecomputeState.objects.get(plan=plan).pending
        total = Rollup.objects.get(plan=plan, kind="total", year=None)
        assert total.beijing_funds == Decimal("321.00")
    finally:
        _use_broker(original)


def _worker(broker_url: str, slow_seconds: float) -> subprocess.Popen:
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    url = (f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
           f"/{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker_url, "CELERY_RESULT_BACKEND": broker_url}
    return subprocess.Popen([sys.executable, "-m", "tests.slow_worker", str(slow_seconds)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.skipif(not HAS_BROKER, reason="no CELERY_BROKER_URL: the embedded default has no worker")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_recompute_is_recovered_within_a_minute(own_redis):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("workers share the database only on PostgreSQL")
    original = app.conf.broker_url
    _use_broker(own_redis["url"])
    first = second = None
    try:
        plan = PlanFactory()
        budget = BudgetFactory(project=ProjectFactory(plan=plan))
        services.recompute_plan(plan.pk)
        before = RecomputeState.objects.get(plan=plan).computed_at
        first = _worker(own_redis["url"], slow_seconds=60)
        budget_update(budget=budget, beijing_funds=Decimal("555.55"), user=SYSTEM)  # commits: the request goes out
        started = _wait(lambda: (RecomputeState.objects.get(plan=plan).started_at or before) > before, 60)
        assert started, "the first worker never started the recompute"
        time.sleep(1)  # well inside its (slow) recompute
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert RecomputeState.objects.get(plan=plan).pending  # killed before it could commit
        second = _worker(own_redis["url"], slow_seconds=0)  # a new worker drains what was left pending
        recovered = _wait(lambda: not RecomputeState.objects.get(plan=plan).pending, 60)
        assert recovered, "the recompute was not recovered within a minute"
        assert time.monotonic() - killed_at < 60
        after = list(Rollup.objects.filter(plan=plan).order_by("kind", "year", "category_id", "unit_id",
                                                                "township_id").values_list(
            "kind", "year", "category_id", "beijing_funds", "local_funds", "total_investment", "projects"))
        services.recompute_plan(plan.pk)
        fresh = list(Rollup.objects.filter(plan=plan).order_by("kind", "year", "category_id", "unit_id",
                                                                "township_id").values_list(
            "kind", "year", "category_id", "beijing_funds", "local_funds", "total_investment", "projects"))
        assert after == fresh
        assert Rollup.objects.get(plan=plan, kind="total", year=None).beijing_funds == Decimal("555.55")
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        _use_broker(original)


@pytest.mark.worker
@pytest.mark.skipif(not HAS_BROKER, reason="no CELERY_BROKER_URL: the embedded default has no broker")
@pytest.mark.django_db(transaction=True)
def test_an_upload_and_an_import_asked_for_while_the_broker_is_down_run_when_it_is_back(
        own_redis, admin_client, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    settings.MEDIA_ROOT = tmp_path / "media"
    original = app.conf.broker_url
    _use_broker(own_redis["url"])
    try:
        plan = PlanFactory()
        path = write_xlsx(tmp_path / "附表.xlsx",
                          {"2021年": annex_sheet(2021, [project_row(1, "停机时上传", 2021, "基础设施类", 1, 1, 0)])})
        own_redis["stop"]()
        with open(path, "rb") as handle:
            page = admin_client.post(reverse("admin:importers_importbatch_upload"), {"plan": plan.pk, "files": handle})
        assert page.status_code == 302, page.content[:2000]  # the upload is kept, the page answers
        batch = ImportBatch.objects.get(plan=plan)
        assert batch.status == ImportBatch.Status.UPLOADED and batch.queued_at is None

        own_redis["start"]()
        _use_broker(own_redis["url"])
        later = timezone.now() + timedelta(minutes=2)
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", pool="solo", shutdown_timeout=20):
            assert batches_resume(now=later) == 1
            assert _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED, 30)

        own_redis["stop"]()  # down again when the administrator confirms
        assert batch_confirm(batch=ImportBatch.objects.get(pk=batch.pk), user=SYSTEM)
        own_redis["start"]()
        _use_broker(own_redis["url"])
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", pool="solo", shutdown_timeout=20):
            assert batches_resume(now=timezone.now() + timedelta(minutes=2)) == 1
            assert _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.IMPORTED, 30)
        assert Project.objects.filter(plan=plan, name="停机时上传").count() == 1
    finally:
        _use_broker(original)
