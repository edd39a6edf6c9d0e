"""Health probes, for monitoring and load balancers.

- ``/health/``: is everything up? The database, the cache and the task queue
  (django-health-check runs them concurrently, each within its time budget).
  For monitoring: any failure is worth a page to the operator.
- ``/health/ready/``: can this process serve? The database only. For load
  balancers: with the cache's or the queue's Redis down, pages still render
  (each afresh) and tasks are held in the database (hearthside.tasks), so
  taking every web process out of rotation would turn a degraded site into
  a dead one.

Each answers 200, or 500 naming each failing check. HTML by default, JSON
for ``Accept: application/json`` or ``?format=json``, plain text for
``Accept: text/plain``.
"""
from __future__ import annotations

import dataclasses
import datetime

from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.db import Error as DatabaseError
from django.db import connections, router
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

HEALTH_PATH = "/health/"
READY_PATH = "/health/ready/"
# A probe needs an answer within seconds; a hung Redis must not hold it for minutes.
REDIS_TIMEOUT_SECONDS = 2


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """Can tasks be enqueued? With the RQ backend, every queue's Redis answers
    a PING; with the database backend, its table can be read; backends that
    run tasks in-process (immediate, dummy) have nothing to reach."""

    alias: str = "default"
    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=REDIS_TIMEOUT_SECONDS + 1), repr=False
    )

    def run(self):
        from django_tasks import task_backends

        try:
            backend = task_backends[self.alias]
        except Exception as error:  # InvalidTaskBackend, or a backend that fails to load
            raise ServiceUnavailable(f"Task backend {self.alias!r} cannot be loaded: {error}") from error
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_rq.backend import RQBackend

        if isinstance(backend, RQBackend):
            self._check_rq(backend)
        elif isinstance(backend, DatabaseBackend):
            self._check_database(backend)

    def _check_rq(self, backend) -> None:
        import django_rq
        import redis

        for queue_name in sorted(backend.queues):
            pool = django_rq.get_connection(queue_name).connection_pool
            kwargs = dict(pool.connection_kwargs)
            kwargs.update(socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)
            # Where, without the password a URL may carry.
            where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
            # A pool of our own: RQ's connection has no timeouts, and one
            # probe's broken connection must not be left in RQ's pool.
            client = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs))
            try:
                client.ping()
            except redis.RedisError as error:
                raise ServiceUnavailable(
                    f"Redis of task queue {queue_name!r} at {where} is not answering ({type(error).__name__})"
                ) from error
            finally:
                client.close()

    def _check_database(self, backend) -> None:
        from django_tasks_db.models import DBTaskResult

        # Where enqueue writes: the database router's choice for the task table.
        alias = router.db_for_write(DBTaskResult)
        connection = connections[alias]
        table = connection.ops.quote_name(DBTaskResult._meta.db_table)
        try:
            with connection.temporary_connection() as cursor:
                # Reads no rows: the table is there and the database answers.
                # (Interpolated: a model's own table name, quoted by the backend.)
                cursor.execute(f"SELECT 1 FROM {table} WHERE 1 = 0")
        except DatabaseError as error:
            raise ServiceUnavailable(
                f"Task table {DBTaskResult._meta.db_table} on database {alias!r} cannot be read "
                f"({type(error).__name__})"
            ) from error


@dataclasses.dataclass
class Cache(checks.Cache):
    """django-health-check's cache check, saying what a failure means: with
    django-redis ignoring errors (production's Redis cache), a down Redis
    shows only as a value that does not come back."""

    async def run(self):
        try:
            await super().run()
        except ServiceUnavailable as error:
            raise ServiceUnavailable(
                f"Cache {self.alias!r} ({caches[self.alias].__class__.__name__}) did not give back a value "
                "just written: its server is down or unreachable"
            ) from error


class HealthView(HealthCheckView):
    # Not django-health-check's defaults (DNS, mail, storage): an SMTP server
    # or a media disk being slow must not take the web process out of rotation.
    checks = (
        "health_check.checks.Database",
        Cache,
        TaskQueue,
    )


health_view = HealthView.as_view()
ready_view = HealthView.as_view(checks=("health_check.checks.Database",))
PROBES = {HEALTH_PATH: health_view, READY_PATH: ready_view}


class HealthCheckMiddleware:
    """Answers the probes (PROBES) before any other middleware: a load
    balancer probes by IP address (not in ALLOWED_HOSTS) over plain HTTP
    (SECURE_SSL_REDIRECT), and the answer must not come from the page cache
    or wait on sessions, themes or the plugin gate. The URLs in
    config/urls.py serve the same views if this middleware is left out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            # The view is async (its checks run concurrently); this chain is sync.
            response = async_to_sync(probe)(request)
            # The HTML answer is a TemplateResponse, which the URL resolver's
            # path would render; answering before it, we render it here.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response
        return self.get_response(request)
