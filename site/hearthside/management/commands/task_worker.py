"""``manage.py task_worker``: django-tasks-db's ``db_worker``, with its
options, that outlives a database restart.

``db_worker`` exits when its database goes away (a restart, a failover),
and a Procfile runner such as honcho then stops every other process with
it. This one logs the error, drops its connections and starts the worker
again after ``--interval`` seconds, as ``syndication_tick --loop`` does.
SIGTERM and Ctrl+C still stop it; ``--batch`` runs stay one-shot.

The Procfile's ``held`` process runs it for the tasks Redis could not take
(hearthside.tasks): ``manage.py task_worker --backend held``.
"""
from __future__ import annotations

import logging
import time

from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("hearthside.tasks")


class Command(db_worker.Command):
    help = "Run database-backend tasks (db_worker's options), surviving database restarts."

    def handle(self, *args, **options):
        while True:
            try:
                return super().handle(*args, **options)
            except DatabaseError:
                if options["batch"]:
                    raise
                wait = max(float(options["interval"]), 1.0)
                logger.exception("The task worker lost its database; starting again in %ss", wait)
                close_old_connections()  # the broken ones; the next worker connects afresh
                time.sleep(wait)
