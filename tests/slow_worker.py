"""A real Celery worker process whose recomputes take a while: `python -m tests.slow_worker SECONDS`.

The worker-loss test kills it (SIGKILL) in the middle of a recompute. Test code only.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
django.setup()

from planportal.celery import app  # noqa: E402
from rollups import services  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 0
_write_rollups = services.write_rollups


def slow_write_rollups(*args, **kwargs):
    result = _write_rollups(*args, **kwargs)
    print("recompute in progress", flush=True)
    time.sleep(SECONDS)  # inside the recompute's transaction, holding the plan's lock
    return result


if SECONDS:
    services.write_rollups = slow_write_rollups

app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat",
                 "--without-gossip", "--without-mingle"])
