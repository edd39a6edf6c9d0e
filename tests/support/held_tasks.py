"""Redis refusing the task queue, and the ``held`` worker that runs what
hearthside.tasks.RQBackend kept in the database meanwhile."""
from __future__ import annotations

import contextlib
import socket

from django.core.management import call_command
from django.test import override_settings

from hearthside.tasks import HELD

HOLDING_TASKS = {
    "default": {"BACKEND": "hearthside.tasks.RQBackend"},
    HELD: {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


def rq_queues(url: str) -> dict:
    """RQ_QUEUES with one pool for ``url``, as base.py builds it."""
    import redis

    pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=2)
    return {"default": {"HOST": "127.0.0.1", "PORT": 0, "REDIS_CLIENT_KWARGS": {"connection_pool": pool}}}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def redis_refusing():
    """The holding RQ backend, its Redis a port nobody listens on."""
    with override_settings(TASKS=HOLDING_TASKS, RQ_QUEUES=rq_queues(f"redis://127.0.0.1:{closed_port()}/0")):
        yield


def run_held_tasks() -> None:
    """What the Procfile's ``held`` process does, once: every due held task."""
    call_command("task_worker", "--backend", HELD, "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
