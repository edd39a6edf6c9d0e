"""``manage.py task_worker``: db_worker that outlives its database going
away. Here the database is a SQLite file in a folder that does not exist,
so every query fails as a restarting server's would: db_worker exits,
task_worker keeps trying, and SIGTERM still stops it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.support.rq_workers import REPO_ROOT

UNREACHABLE = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.test",
    "DATABASE_URL": "sqlite:////nonexistent-hearthside-folder/tasks.sqlite3",
    "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
    "PYTHONUNBUFFERED": "1",
}
WORKER = ["manage.py", "--backend", "held", "--interval", "1", "--no-reload", "--no-startup-delay"]


def start(command: str) -> subprocess.Popen:
    argv = [sys.executable, WORKER[0], command, *WORKER[1:]]
    return subprocess.Popen(argv, cwd=REPO_ROOT, env=UNREACHABLE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_db_worker_ends_when_its_database_is_gone():
    worker = start("db_worker")
    try:
        assert worker.wait(timeout=60) != 0
    finally:
        worker.kill()
    assert "unable to open database file" in worker.stdout.read()


def test_task_worker_keeps_trying_and_still_stops_on_sigterm():
    worker = start("task_worker")
    lines = []
    try:
        # Each line as it comes (the worker logs on): two failed starts, and it is still there.
        while sum("The task worker lost its database; starting again in 1.0s" in line for line in lines) < 2:
            line = worker.stdout.readline()
            assert line, f"task_worker ended: {''.join(lines)}"
            lines.append(line)
        assert worker.poll() is None, "".join(lines)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    finally:
        worker.kill()
    assert code == 0, "".join(lines) + worker.stdout.read()
