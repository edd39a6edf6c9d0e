"""``manage.py queue_status``: how much work waits, for operators and cron.

Two parts:

- the task queue of the configured task backend (``settings.TASKS``): for
  RQ, each queue's queued, started, failed and scheduled jobs and its
  workers, read from Redis, and the tasks held in the database while Redis
  could not take them (hearthside.tasks); for the database backend, the
  task rows by state; the immediate and dummy backends have no queue;
- the delivery backlog, which the core cannot read itself (plugin tables):
  every active plugin answers the ``backlog_report`` hook, for each site.

Exit status: 0; 1 with ``--fail-over N`` when a queued count (the task
queue's, or a backlog line marked ``queued``) exceeds N; 2 when Redis cannot
be reached (the backlog is still reported, from the database).
"""
from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.models import Site

from hearthside.extending import hooks
from hearthside.tasks import HELD


def task_queue_status(alias: str = "default") -> dict:
    """``{"backend", "kind", "queues": [...], "error"}``; ``kind`` is "rq",
    "database" or "none". Each queue: name, queued, started, failed,
    scheduled, workers (None where the backend does not know)."""
    backend_path = settings.TASKS.get(alias, {}).get("BACKEND", "")
    status = {"backend": backend_path, "kind": "none", "queues": [], "error": None}
    if backend_path.endswith("RQBackend"):
        import redis

        status["kind"] = "rq"
        try:
            status["queues"] = _rq_queues(alias)
        except redis.RedisError as error:
            # A monitoring probe wants one clear line and an exit status, not a traceback.
            status["error"] = f"Redis is unreachable: {error}"
    elif backend_path.endswith("DatabaseBackend"):
        status["kind"] = "database"
        status["queues"] = _db_queues(alias)
    return status


def _rq_queues(alias: str) -> list[dict]:
    import django_rq
    from django_tasks import task_backends
    from rq import Worker

    rows = []
    # The backend's own queue list: the queues its tasks can go to.
    for name in sorted(task_backends[alias].queues):
        queue = django_rq.get_queue(name)
        rows.append({
            "name": name,
            "queued": queue.count,
            "started": queue.started_job_registry.count,
            "failed": queue.failed_job_registry.count,
            "scheduled": queue.scheduled_job_registry.count,
            "workers": Worker.count(connection=queue.connection, queue=queue),
        })
    return rows


def _db_queues(alias: str) -> list[dict]:
    from django.db.models import Count, Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    ready = Q(status=TaskResultStatus.READY)
    # A ready task whose run_after is in the future waits for its time: "scheduled", not "queued".
    due = Q(run_after=get_date_max()) | Q(run_after__lte=now)
    counts = (
        DBTaskResult.objects.filter(backend_name=alias)
        .values("queue_name")
        .annotate(
            queued=Count("pk", filter=ready & due),
            scheduled=Count("pk", filter=ready & ~due),
            started=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
        .order_by("queue_name")
    )
    from django_tasks import task_backends

    # Every queue the backend can use gets a row, zeros included, so a probe always finds its queue.
    found = {row.pop("queue_name"): row for row in counts}
    empty = {"queued": 0, "started": 0, "failed": 0, "scheduled": 0}
    # db_worker processes do not register anywhere, so their number is unknown.
    return [{"name": name, **found.get(name, empty), "workers": None}
            for name in sorted(set(task_backends[alias].queues) | set(found))]


def backlog(sites) -> list[dict]:
    """Every active plugin's backlog lines for each of ``sites``, with the site's hostname."""
    lines = []
    for site in sites:
        for receiver, result in hooks.backlog_report.send(site):
            for line in result or []:
                lines.append({
                    "site": site.hostname,
                    "plugin": receiver.plugin,
                    "label": line["label"],
                    "count": int(line["count"]),
                    "oldest_seconds": line.get("oldest_seconds"),
                    "note": line.get("note", ""),
                    "queued": bool(line.get("queued", False)),
                })
    return lines


def _age(seconds) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class Command(BaseCommand):
    help = "Report the task queue depth and the delivery backlog (a table, or JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--site", default=None, help="Only this site's backlog (its hostname).")
        parser.add_argument("--fail-over", type=int, default=None, metavar="N",
                            help="Exit with status 1 when a queued count exceeds N.")

    def handle(self, *args, json: bool = False, site=None, fail_over=None, **options):
        sites = self._sites(site)
        report = {"task_queue": task_queue_status(), "backlog": backlog(sites)}
        if report["task_queue"]["kind"] == "rq" and HELD in settings.TASKS:
            report["held_tasks"] = task_queue_status(HELD)

        over = []
        if fail_over is not None:
            over += [f"task queue {q['name']}: {q['queued']} queued"
                     for q in report["task_queue"]["queues"] if q["queued"] > fail_over]
            over += [f"held tasks {q['name']}: {q['queued']} queued"
                     for q in report.get("held_tasks", {}).get("queues", []) if q["queued"] > fail_over]
            over += [f"{line['site']} {line['label']}: {line['count']}"
                     for line in report["backlog"] if line["queued"] and line["count"] > fail_over]
            report["fail_over"] = {"threshold": fail_over, "exceeded": over}

        if json:
            self.stdout.write(_json_dumps(report))
        else:
            self._table(report)

        if report["task_queue"]["error"]:
            raise CommandError(report["task_queue"]["error"], returncode=2)
        if over:
            raise CommandError(f"Queued backlog over {fail_over}: " + "; ".join(over), returncode=1)

    def _sites(self, hostname):
        if hostname is None:
            return list(Site.objects.order_by("hostname", "port"))
        sites = list(Site.objects.filter(hostname=hostname))
        if not sites:
            known = ", ".join(Site.objects.values_list("hostname", flat=True)) or "none"
            raise CommandError(f"No site has the hostname “{hostname}”. Sites: {known}.")
        return sites

    def _table(self, report):
        self._queue_table(f"Task queue ({report['task_queue']['backend'] or 'no backend'})", report["task_queue"])
        if "held_tasks" in report:
            self.stdout.write("")
            self._queue_table(f"Held while Redis was unreachable (task_worker --backend {HELD})", report["held_tasks"])
        self.stdout.write("")
        self.stdout.write("Delivery backlog")
        if not report["backlog"]:
            self.stdout.write("  Nothing reports a backlog (no active plugin answers backlog_report).")
            return
        site = None
        for line in report["backlog"]:
            if line["site"] != site:
                site = line["site"]
                self.stdout.write(f"  {site}")
            self.stdout.write(f"    {line['label']:<28}{line['count']:>8}  {_age(line['oldest_seconds']):>6}  {line['note']}")

    def _queue_table(self, title, queue):
        self.stdout.write(title)
        if queue["error"]:
            self.stdout.write(f"  {queue['error']}")
        elif queue["kind"] == "none":
            self.stdout.write("  No queue: this backend runs tasks immediately or not at all.")
        elif not queue["queues"]:
            self.stdout.write("  Empty.")
        else:
            self.stdout.write(f"  {'queue':<16}{'queued':>8}{'started':>9}{'failed':>8}{'scheduled':>11}{'workers':>9}")
            for q in queue["queues"]:
                workers = "-" if q["workers"] is None else q["workers"]
                self.stdout.write(f"  {q['name']:<16}{q['queued']:>8}{q['started']:>9}{q['failed']:>8}"
                                  f"{q['scheduled']:>11}{workers:>9}")


def _json_dumps(value) -> str:
    # The ``json`` option shadows the module inside handle().
    return json.dumps(value, indent=2)
