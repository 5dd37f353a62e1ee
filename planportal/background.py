"""Running a task after the current transaction commits: on a worker, or without one.

With a broker, tasks go to Celery workers. Without one (the embedded default),
Celery runs tasks eagerly, i.e. inside the request; for long work that would
hold the page, so the task runs in a thread of this process instead. Either
way the task only starts once the rows it reads are committed.

A management command's process ends when it returns, taking such a thread with
it: the tasks asked for inside `inline()` run in the command itself when the block
ends (its writes committed), each once.
"""

import contextlib
import contextvars
import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction

_inline = contextvars.ContextVar("planportal_tasks_inline", default=None)
log = logging.getLogger(__name__)


def _publish(task, args, delay: float, on_failure) -> None:
    """Hand the task to the broker. When the broker is down the change is already committed and its
    request kept (the recompute outbox, the batch's state): log, tell the caller, let the drain retry."""
    try:
        task.apply_async(args=args, countdown=delay or None)
    except Exception:  # kombu raises OperationalError and friends; nothing here may fail the request
        log.warning("could not enqueue %s%r: the broker is unreachable; it will be retried", task.name, args,
                    exc_info=True)
        if on_failure is not None:
            on_failure()


def _run_in_thread(task, args, delay: float = 0) -> None:
    def run():
        if delay:
            time.sleep(delay)
        try:
            task.apply(args=args)
        finally:
            close_old_connections()

    threading.Thread(target=run, name=f"task-{task.name}", daemon=True).start()


@contextlib.contextmanager
def inline():
    """Tasks asked for within this block run here when it ends without an error (for commands)."""
    wanted: dict = {}
    token = _inline.set(wanted)
    try:
        yield
    finally:
        _inline.reset(token)
    for task, args in wanted:
        task.apply(args=args, throw=True)


def enqueue(task, *args, delay: float = 0, on_failure=None) -> None:
    """Run `task(*args)` after commit; `delay` seconds later when given (to gather a burst of edits).

    `task` is a Celery task or its registered name (so a service need not import its tasks module).
    `on_failure()` is called when the broker cannot be reached (the task was not queued).
    """
    if isinstance(task, str):
        task = current_app.tasks[task]
    wanted = _inline.get()
    if wanted is not None:
        wanted[(task, args)] = True
    elif not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: _publish(task, args, delay, on_failure))
    elif settings.PLANPORTAL_TASKS_IN_THREAD:
        transaction.on_commit(lambda: _run_in_thread(task, args, delay))
    else:
        transaction.on_commit(lambda: task.apply(args=args))
