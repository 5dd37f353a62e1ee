"""The Celery app. Tasks are discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")

app = Celery("planportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. django-celery-beat's scheduler copies these into
# its tables, where admins can see them and change their times.
app.conf.beat_schedule = {
    # The recompute outbox's drain: plans whose changes are not in their totals yet (after a broker
    # outage, a lost message, a killed worker).
    "recompute-pending-plans": {
        "task": "rollups.recompute_pending",
        "schedule": 30.0,
    },
    # The same for annex imports: previews and imports asked for that no live task will run.
    "resume-waiting-imports": {
        "task": "importers.resume_batches",
        "schedule": 30.0,
    },
    "recompute-every-plan-nightly": {
        "task": "rollups.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Stored annex uploads older than PLANPORTAL_UPLOAD_RETENTION_DAYS (importers.batches.purge_uploads).
    "purge-expired-uploads-nightly": {
        "task": "importers.purge_uploads",
        "schedule": crontab(hour=3, minute=15),
    },
}
