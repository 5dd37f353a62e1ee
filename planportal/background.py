"""Running a task after the current transaction commits: on a worker, or without one.

With a broker, tasks go to Celery workers. Without one (the embedded default),
Celery runs tasks eagerly, i.e. inside the request; for long work that would
hold the page, so the task runs in a thread of this process instead. Either
way the task only starts once the rows it reads are committed.
"""

import threading
import time

from django.conf import settings
from django.db import close_old_connections, transaction


def _run_in_thread(task, args, delay: float = 0) -> None:
    def run():
        if delay:
            time.sleep(delay)
        try:
            task.apply(args=args)
        finally:
            close_old_connections()

    threading.Thread(target=run, name=f"task-{task.name}", daemon=True).start()


def enqueue(task, *args, delay: float = 0) -> None:
    """Run `task(*args)` after commit; `delay` seconds later when given (to gather a burst of edits)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task.apply_async(args=args, countdown=delay or None))
    elif settings.PLANPORTAL_TASKS_IN_THREAD:
        transaction.on_commit(lambda: _run_in_thread(task, args, delay))
    else:
        transaction.on_commit(lambda: task.apply(args=args))
