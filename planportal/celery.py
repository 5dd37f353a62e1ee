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
    "recompute-every-plan-nightly": {
        "task": "rollups.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
}
