"""Operational tasks of the project itself (the domain tasks live in each app's tasks.py)."""

from celery import shared_task
from django.db import connection

from plans.models import Plan


@shared_task(name="planportal.worker_healthcheck")
def worker_healthcheck() -> dict:
    """Proves a worker is up and reads the same database as the web process."""
    return {"database": connection.vendor, "plans": Plan.objects.count()}
