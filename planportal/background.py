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
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction

_inline = contextvars.ContextVar("planportal_tasks_inline", default=None)


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


def enqueue(task, *args, delay: float = 0) -> None:
    """Run `task(*args)` after commit; `delay` seconds later when given (to gather a burst of edits).

    `task` is a Celery task or its registered name (so a service need not import its tasks module).
    """
    if isinstance(task, str):
        task = current_app.tasks[task]
    wanted = _inline.get()
    if wanted is not None:
        wanted[(task, args)] = True
    elif not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task.apply_async(args=args, countdown=delay or None))
    elif settings.PLANPORTAL_TASKS_IN_THREAD:
        transaction.on_commit(lambda: _run_in_thread(task, args, delay))
    else:
        transaction.on_commit(lambda: task.apply(args=args))
