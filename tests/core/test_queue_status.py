"""``manage.py queue_status`` against the real task backends (the database
backend's table; RQ on the machine's Redis, database 13, which these tests
flush) and real syndication rows for the delivery backlog."""
from __future__ import annotations

import json
import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from django_tasks import task

from hearthside.extending.activation import deactivate
from hearthside.tasks import HELD
from plugins.syndication.models import Delivery, DeliveryStatus, UpdateStatus
from tests.plugins.syndication.test_insights import deliver, make_update
from tests.support.held_tasks import redis_refusing

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("HEARTHSIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}


@task
def nothing():
    """A real task for the backends to queue; no worker runs it here."""


def run(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("queue_status", *args, stdout=out)
    except CommandError as error:
        out.write(f"\n{error}")
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def run_json(*args) -> tuple[dict, int]:
    out, code = run("--json", *args)
    # A CommandError's message follows the JSON; the JSON itself ends at its last brace.
    return json.loads(out[: out.rindex("}") + 1]), code


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not answering at {REDIS_URL} ({error})")
    client.flushdb()
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}):
        yield client
    client.flushdb()


# --- The task queue -----------------------------------------------------------------------


def test_database_backend_counts_its_task_rows(site):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        for _ in range(3):
            nothing.enqueue()
        nothing.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
        running, failed = nothing.enqueue(), nothing.enqueue()
        DBTaskResult.objects.filter(id=running.id).update(status="RUNNING")
        DBTaskResult.objects.filter(id=failed.id).update(status="FAILED")

        report, code = run_json()

    assert code == 0
    assert report["task_queue"]["kind"] == "database"
    assert report["task_queue"]["queues"] == [
        {"name": "default", "queued": 3, "started": 1, "failed": 1, "scheduled": 1, "workers": None}
    ]


def test_rq_backend_counts_jobs_in_redis(site, redis_db):
    nothing.enqueue()
    nothing.enqueue()
    nothing.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()

    report, code = run_json()
    assert code == 0
    assert report["task_queue"]["kind"] == "rq"
    assert report["task_queue"]["queues"] == [
        {"name": "default", "queued": 2, "started": 0, "failed": 0, "scheduled": 1, "workers": 0}
    ]

    table, _ = run()
    assert "default" in table and "queued" in table


def test_redis_down_is_one_clear_line_and_exit_2(site):
    # Port 1: nothing listens there, so the connection is refused at once.
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}}):
        out, code = run()
    assert code == 2
    assert "Redis is unreachable" in out
    assert "Traceback" not in out
    # The backlog comes from the database, so it is still reported.
    assert "Deliveries queued" in out


def test_tasks_held_while_redis_is_down_are_counted_and_watched(site):
    with redis_refusing():
        held = [nothing.enqueue() for _ in range(3)]
        assert {result.backend for result in held} == {HELD}
        report, code = run_json("--fail-over", "2")
        table, _ = run()
    assert code == 2  # Redis unreachable comes first
    assert report["held_tasks"]["queues"] == [
        {"name": "default", "queued": 3, "started": 0, "failed": 0, "scheduled": 0, "workers": None}
    ]
    assert "held tasks default: 3 queued" in report["fail_over"]["exceeded"]
    assert "Held while Redis was unreachable (task_worker --backend held)" in table


def test_immediate_backend_has_no_queue(site):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        out, code = run()
        report, _ = run_json()
    assert code == 0
    assert "No queue" in out
    assert report["task_queue"]["kind"] == "none" and report["task_queue"]["queues"] == []


# --- The delivery backlog ---------------------------------------------------------------------


def backlog_of(report, site) -> dict:
    return {line["label"]: line for line in report["backlog"] if line["site"] == site.hostname}


def test_backlog_from_real_deliveries_and_its_json_shape(site):
    update = make_update(site, "Going out", status=UpdateStatus.SENDING)
    queued = deliver(update, 5, status=DeliveryStatus.QUEUED)
    Delivery.objects.filter(pk=queued[0].pk).update(next_attempt_at=timezone.now() - timedelta(minutes=3))
    deliver(update, 2, status=DeliveryStatus.SENDING)

    with override_settings(TASKS=DB_TASKS):
        report, code = run_json()
        table, _ = run()

    assert code == 0
    assert set(report) == {"task_queue", "backlog"}
    assert set(report["task_queue"]) == {"backend", "kind", "queues", "error"}
    line = backlog_of(report, site)["Deliveries queued"]
    assert set(line) == {"site", "plugin", "label", "count", "oldest_seconds", "note", "queued"}
    assert line["plugin"] == "syndication" and line["count"] == 5 and line["queued"] is True
    assert 175 <= line["oldest_seconds"] <= 300
    assert backlog_of(report, site)["Deliveries sending"]["count"] == 2
    assert "Deliveries queued" in table and "3m" in table


def test_site_option_picks_one_site(site):
    from wagtail.models import Page, Site

    Site.objects.create(hostname="other.example", port=80, root_page=Page.get_first_root_node())
    with override_settings(TASKS=DB_TASKS):
        every, _ = run_json()
        one, _ = run_json("--site", "other.example")
        with pytest.raises(CommandError, match="No site has the hostname"):
            call_command("queue_status", "--site", "nowhere.example", stdout=StringIO())
    assert {line["site"] for line in every["backlog"]} == {site.hostname, "other.example"}
    assert {line["site"] for line in one["backlog"]} == {"other.example"}


def test_fail_over_exits_1_only_when_the_queued_backlog_exceeds_it(site):
    deliver(make_update(site, "Going out", status=UpdateStatus.SENDING), 4, status=DeliveryStatus.QUEUED)
    with override_settings(TASKS=DB_TASKS):
        below, below_code = run("--fail-over", "4")
        over, over_code = run_json("--fail-over", "3")
    assert below_code == 0, below
    assert over_code == 1
    assert over["fail_over"] == {"threshold": 3, "exceeded": [f"{site.hostname} Deliveries queued: 4"]}


def test_fail_over_watches_the_task_queue_too(site):
    with override_settings(TASKS=DB_TASKS):
        nothing.enqueue()
        nothing.enqueue()
        out, code = run("--fail-over", "1")
    assert code == 1
    assert "task queue default: 2 queued" in out


def test_no_backlog_lines_when_syndication_is_inactive(site):
    deliver(make_update(site, "Going out", status=UpdateStatus.SENDING), 4, status=DeliveryStatus.QUEUED)
    deactivate(site, "syndication")
    with override_settings(TASKS=DB_TASKS):
        report, code = run_json("--fail-over", "0")
        table, _ = run()
    assert report["backlog"] == []
    # Rows of an inactive plugin are nobody's backlog, so they cannot trip the alarm.
    assert code == 0
    assert "Nothing reports a backlog" in table
