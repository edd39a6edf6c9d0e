"""Scale-out: the RQ task backend on a real Redis, with real ``manage.py
rqworker`` processes sending one update from PostgreSQL to a real SMTP
server.

- Two workers share one update: every member gets exactly one message,
  and both workers did part of the sending, at the same time.
- A worker killed mid-send (SIGKILL, the RQ worker and the work horse
  that was sending) loses nobody: its leased rows go back to the queue
  once the lease runs out, and the survivor (which woke itself for that
  moment) or ``manage.py syndication_tick`` (the cron safety net) sends
  them. Only that in-flight batch can be sent twice; the
  exact numbers sent, duplicated and missing are printed and recorded.

PostgreSQL only (``SELECT ... FOR UPDATE SKIP LOCKED`` between processes;
SQLite's in-memory test database is not shared with other processes), and
Redis must answer at HEARTHSIDE_TEST_REDIS_URL (default
redis://127.0.0.1:6379/13, a database these tests flush). The database is
transactional, because the workers must see committed rows, with
serialized rollback, because the flush afterwards would otherwise wipe
what the migrations created (Wagtail's root page and default site).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.utils import parseaddr
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from plugins.members.models import Member
from plugins.syndication.models import Delivery, DeliveryStatus, Update, UpdateStatus
from tests.factories import make_article
from tests.plugins.members.factories import make_member
from tests.support.maildir import Arrivals
from tests.support.rq_workers import REPO_ROOT, Workers, running
from tests.support.smtp import SMTPServer

REDIS_URL = os.environ.get("HEARTHSIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
BATCH_SIZE = 20
# Time allowed for anything the workers do; each test takes well under it.
DEADLINE = 40.0

on_postgresql = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(
        not on_postgresql,
        reason="scale-out tests need PostgreSQL (set DATABASE_URL=postgres://...): worker processes "
        "cannot share SQLite's in-memory test database",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --- Redis, workers, the environment they run in --------------------------------------


@pytest.fixture
def redis_db():
    """The dedicated Redis database, empty before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis is not answering at {REDIS_URL} ({error}). The RQ scale-out tests run whenever the "
            "tests run on PostgreSQL: start redis-server, or point HEARTHSIDE_TEST_REDIS_URL at one.",
            pytrace=False,
        )
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def rq_backend(settings, redis_db):
    """This process enqueues to RQ too, as a web process with the RQ backend does."""
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    return redis_db


def worker_database_url() -> str:
    """DATABASE_URL of the test database pytest-django created (``test_<name>``)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def worker_environment(smtp: SMTPServer, **overrides) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(),
        "TASK_BACKEND": "django_tasks_rq.RQBackend",
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "SYNDICATION_BATCH_SIZE": str(BATCH_SIZE),
        "SYNDICATION_SENDERS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({key: str(value) for key, value in overrides.items()})
    return env


@pytest.fixture
def workers(tmp_path, redis_db):
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        # Before Redis and the database are flushed: a worker holding a row
        # lock would block the flush; its scheduler would write to Redis again.
        started.stop()


@pytest.fixture
def mail_server(tmp_path):
    servers = []

    def start(handler="aiosmtpd.handlers.Mailbox", *handler_args) -> SMTPServer:
        server = SMTPServer(tmp_path / f"maildir{len(servers)}", handler=handler, handler_args=handler_args)
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def subscribers(site, activate_plugin):
    """``subscribers(n)``: n confirmed members of the site on email, as
    soon as it's published, following no topic (so every page reaches them)."""
    activate_plugin(site, "members")
    activate_plugin(site, "syndication")

    def make(count: int) -> list[str]:
        emails = [f"member{number:04d}@example.com" for number in range(count)]
        with transaction.atomic():
            for email in emails:
                make_member(site, email=email, channels={"email": "immediate"})
        return emails

    return make


def received(smtp: SMTPServer) -> Counter:
    """Messages per recipient address in the server's Maildir."""
    return Counter(parseaddr(message["To"])[1] for message in smtp.messages())


def wait_for(condition, what: str, workers: Workers, timeout: float = DEADLINE, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")
        time.sleep(every)


def deliveries_by_status(update) -> dict:
    return dict(Counter(Delivery.objects.filter(update=update).values_list("status", flat=True)))


def finished_tasks(redis_client) -> list:
    """The django-tasks results of every RQ job that finished, oldest first."""
    import django_rq
    from django_tasks import default_task_backend
    from rq.registry import FinishedJobRegistry

    registry = FinishedJobRegistry(queue=django_rq.get_queue("default"))
    results = [default_task_backend.get_result(job_id) for job_id in registry.get_job_ids()]
    return sorted(results, key=lambda result: result.started_at)


# --- the tests ----------------------------------------------------------------------


def test_two_rq_workers_send_one_update_to_every_member_exactly_once(
    site, journal, no_delay, subscribers, rq_backend, workers, mail_server
):
    smtp = mail_server()
    workers.start(["sender-a", "sender-b"], worker_environment(smtp))
    emails = subscribers(400)
    workers.wait_ready(rq_backend)

    # Publishing enqueues start_update to Redis (on commit); a worker fans the
    # update out and wakes SYNDICATION_SENDERS=2 send_deliveries tasks.
    page = make_article(journal, title="Spring sourdough class")
    update = Update.objects.get(page=page)
    wait_for(lambda: Update.objects.filter(pk=update.pk, status=UpdateStatus.SENT).exists(),
             "the update to be sent", workers)

    counts = received(smtp)
    assert sorted(counts) == sorted(emails)
    assert set(counts.values()) == {1}, f"sent more than once: {[a for a, n in counts.items() if n > 1]}"
    assert deliveries_by_status(update) == {DeliveryStatus.SENT: 400}
    assert workers.alive() == ["sender-a", "sender-b"]

    # Wagtail's own tasks (the search and reference indexes) went through RQ too.
    tasks = [result for result in finished_tasks(rq_backend)
             if result.task.module_path.startswith("plugins.syndication.")]
    assert Counter(result.task.name for result in tasks) == {"start_update": 1, "send_deliveries": 2}
    senders = [result for result in tasks if result.task.name == "send_deliveries"]
    sent_by = Counter()
    for result in senders:
        (worker,) = result.worker_ids
        sent_by[worker] += result.return_value["counts"].get("sent", 0)
    print(f"\nscale-out: 400 members, batches of {BATCH_SIZE}: sent by each worker {dict(sent_by)}")
    assert sum(sent_by.values()) == 400  # the workers' own counts: nobody sent twice
    assert set(sent_by) == {"sender-a", "sender-b"} and min(sent_by.values()) > 0
    # In parallel, not one after the other.
    (first, second) = sorted(senders, key=lambda result: result.started_at)
    assert second.started_at < first.finished_at


def test_a_worker_killed_mid_send_loses_nobody_and_resends_at_most_its_batch(
    site, journal, no_delay, subscribers, rq_backend, workers, mail_server, record_property
):
    lease = 3
    members = 300
    # 20 ms per message: a batch takes about half a second, the whole send a few.
    smtp = mail_server("tests.support.slow_smtp.SlowMailbox", 0.02)
    env = worker_environment(smtp, SYNDICATION_CLAIM_LEASE_SECONDS=lease)
    workers.start(["sender-a", "sender-b"], env)
    emails = subscribers(members)
    workers.wait_ready(rq_backend)

    page = make_article(journal, title="Rye is back")
    update = Update.objects.get(page=page)

    arrivals = Arrivals(smtp.mail_dir)
    email_of = dict(Member.objects.values_list("pk", "email"))

    def half_sent_batch():
        """(worker, claim name, horse pid) of a batch half handed over (but
        not all of it), once a third of the update has been sent; past two
        thirds (a slow machine polls less often), a batch begun will do."""
        sent = Delivery.objects.filter(update=update, status=DeliveryStatus.SENT).count()
        if sent < members // 3:
            return None
        enough = BATCH_SIZE // 2 if sent < members * 2 // 3 else 1
        arrived = arrivals.addresses()
        batches = {}
        for claimed_by, member_id in Delivery.objects.filter(
            update=update, status=DeliveryStatus.SENDING
        ).values_list("claimed_by", "member_id"):
            batches.setdefault(claimed_by, []).append(email_of[member_id])
        for claimed_by, batch in batches.items():
            if enough <= sum(email in arrived for email in batch) < len(batch):
                horse_pid = int(claimed_by.split(":")[1])  # "host:pid:random" (outbox.worker_name)
                name = workers.name_of_process(horse_pid)
                if name is not None and frozen_mid_batch(horse_pid, claimed_by, batch):
                    return name, claimed_by, horse_pid
        return None

    def frozen_mid_batch(horse_pid, claimed_by, batch):
        """Stop the horse where it is; True if it stopped with part of its
        batch still to hand over. Between seeing a batch half sent and the
        SIGKILL, the horse could otherwise finish it (a message takes 20 ms)."""
        os.kill(horse_pid, signal.SIGSTOP)
        time.sleep(0.05)  # a message or commit already on its way lands before the check
        still_sending = Delivery.objects.filter(
            update=update, status=DeliveryStatus.SENDING, claimed_by=claimed_by
        ).exists()
        if still_sending and not arrivals.addresses() >= set(batch):
            return True
        os.kill(horse_pid, signal.SIGCONT)
        return False

    victim, claim_name, horse_pid = wait_for(half_sent_batch, "a batch half sent", workers, every=0.01)
    workers.kill(victim)
    assert not running(horse_pid)
    (survivor,) = workers.alive()

    orphaned = dict(
        Delivery.objects.filter(update=update, status=DeliveryStatus.SENDING, claimed_by=claim_name)
        .values_list("member_id", "lease_expires_at")
    )
    assert 0 < len(orphaned) <= BATCH_SIZE
    orphaned_emails = set(Member.objects.filter(pk__in=orphaned).values_list("email", flat=True))

    # The survivor sends everything else, then stops: the dead worker's rows are leased to it.
    wait_for(
        lambda: deliveries_by_status(update) == {DeliveryStatus.SENT: members - len(orphaned),
                                                 DeliveryStatus.SENDING: len(orphaned)},
        "the survivor to send every other row", workers,
    )
    wait_for(lambda: any(result.task.name == "send_deliveries" and result.worker_ids == [survivor]
                         for result in finished_tasks(rq_backend)),
             "the survivor's send to finish", workers)
    before_recovery = received(smtp)
    handed_over_by_the_dead = {email for email in orphaned_emails if before_recovery[email]}
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.SENDING
    assert set(before_recovery.values()) <= {1}

    # Once the lease is over, the dead worker's rows go back to the queue and
    # out: the survivor woke itself for that moment (outbox.next_due_at) if
    # RQ's scheduler is free to run it, and cron's syndication_tick, run here
    # as cron runs it, picks up whatever is still waiting.
    time.sleep(max(0.0, (max(orphaned.values()) - timezone.now()).total_seconds()) + 0.2)
    tick = subprocess.run(
        [sys.executable, "manage.py", "syndication_tick"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=DEADLINE,
    )
    assert tick.returncode == 0, tick.stderr
    wait_for(
        lambda: deliveries_by_status(update) == {DeliveryStatus.SENT: members},
        "the dead worker's batch to be sent after its lease", workers,
    )

    counts = received(smtp)
    missing = [email for email in emails if counts[email] == 0]
    duplicated = {email: n - 1 for email, n in counts.items() if n > 1}
    report = {
        "members": members,
        "batch_size": BATCH_SIZE,
        "messages_sent": sum(counts.values()),
        "members_reached": len(counts),
        "duplicated": sum(duplicated.values()),
        "missing": len(missing),
        "killed_batch_rows": len(orphaned),
        "killed_batch_handed_over_before_the_kill": len(handed_over_by_the_dead),
    }
    for key, value in report.items():
        record_property(key, value)
    print(f"\nkill test ({victim} killed, {survivor} survived): {report}")

    assert missing == []
    assert sorted(counts) == sorted(emails)
    # Exactly the messages of the killed batch that had left before the kill went twice.
    assert set(duplicated) == handed_over_by_the_dead and set(duplicated.values()) <= {1}
    assert report["duplicated"] <= BATCH_SIZE
    assert report["messages_sent"] == members + report["duplicated"]
    assert deliveries_by_status(update) == {DeliveryStatus.SENT: members}
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.SENT
