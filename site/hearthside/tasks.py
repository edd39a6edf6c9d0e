"""The task backend for RQ on Redis that holds tasks in the database while
Redis cannot be reached.

A task is enqueued after what it follows up has been saved (a comment, a
signup, a published page): if enqueueing raised, the visitor or editor
would get an error for something that was done, and the follow-up (a
confirmation e-mail, Wagtail's search index update) would be lost. So when
Redis refuses or times out, the task goes to the ``held`` backend (django-
tasks-db, the task table) instead, where ``manage.py task_worker --backend
held`` (the Procfile's ``held`` process) runs it. Tasks it enqueues in turn
go to Redis again once Redis is back. A connection lost in the middle of
an enqueue can leave the job in Redis as well, so that task may run twice:
the outbox's tasks only look at what is due, and the mail tasks would
repeat one message at worst.

    TASKS = {
        "default": {"BACKEND": "hearthside.tasks.RQBackend"},
        "held": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
"""
from __future__ import annotations

import logging

import redis
from django_tasks import task_backends
from django_tasks_rq.backend import RQBackend as LibraryRQBackend

logger = logging.getLogger("hearthside.tasks")

# The alias in settings.TASKS of the backend that keeps tasks Redis could not take.
HELD = "held"


class RQBackend(LibraryRQBackend):
    """django-tasks-rq's backend; a task Redis cannot take is held in the
    database (the ``held`` backend) rather than lost with an error."""

    def enqueue(self, task, args, kwargs):
        try:
            return super().enqueue(task, args, kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            held = task_backends[HELD]
            result = held.enqueue(task.using(backend=HELD), args, kwargs)
            logger.warning("Redis cannot take task %s (%s: %s); held in the database as %s",
                           task.module_path, type(error).__name__, error, result.id)
            return result
