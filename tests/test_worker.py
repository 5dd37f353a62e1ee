"""Tasks run in-process without a broker, and on a real Celery worker with one."""

import os

import pytest
from django.conf import settings

from planportal.celery import app
from portal.tasks import worker_healthcheck
from tests.factories import PlanFactory

HAS_BROKER = bool(os.environ.get("CELERY_BROKER_URL"))
WORKER_REQUIRED = os.environ.get("PLANPORTAL_REQUIRE_WORKER_TESTS") == "1"


@pytest.mark.django_db
@pytest.mark.skipif(HAS_BROKER, reason="a broker is configured: tasks go to workers")
def test_without_a_broker_tasks_run_in_process():
    PlanFactory()
    assert settings.CELERY_TASK_ALWAYS_EAGER
    result = worker_healthcheck.delay()
    assert result.get(timeout=1)["plans"] == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_against_the_same_database():
    if not HAS_BROKER:
        if WORKER_REQUIRED:
            pytest.fail("PLANPORTAL_REQUIRE_WORKER_TESTS=1 but CELERY_BROKER_URL is not set")
        pytest.skip("no CELERY_BROKER_URL: the embedded default has no worker")
    from celery.contrib.testing.worker import start_worker

    assert not app.conf.task_always_eager
    PlanFactory()
    PlanFactory()
    app.control.purge()  # tasks other tests queued for plans that no longer exist
    # A worker thread that consumes from the real broker (Redis in CI) through the real transport.
    with start_worker(app, perform_ping_check=False, loglevel="WARNING", pool="solo", shutdown_timeout=20):
        result = worker_healthcheck.delay()
        outcome = result.get(timeout=30)
    assert outcome == {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1].replace("sqlite3", "sqlite"), "plans": 2}
