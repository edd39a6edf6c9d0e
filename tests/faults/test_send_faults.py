"""A 20,000-member send on the production stack, broken on purpose while it
runs: workers SIGKILLed, an SMTP server that refuses and hangs up, PostgreSQL
restarted, Redis stopped for a minute, members unsubscribing mid-send.

After each, every member gets the update, nobody gets it twice but for the
messages in flight when the fault struck (each report prints the exact
count), and the update's page in the admin counts as many sent as the SMTP
server got. The stack is the Procfile's, as in
tests/e2e/test_production_stack.py: gunicorn, two RQ workers, the tick and
the held-task worker, with the production settings, on a PostgreSQL
database of its own (HEARTHSIDE_FAULTS_DATABASE_URL, default
postgres://root@127.0.0.1:5432/hearthside_faults), a Redis server of its own
(started here on a free port, so that stopping it stops nobody else) and an
aiosmtpd process that can be made unreliable (tests/support/flaky_smtp.py).

PostgreSQL is restarted with HEARTHSIDE_FAULTS_PG_RESTART (default
``pg_ctlcluster 15 main restart``): the machine's own server, which this
suite runs alone on (`make faults`, a CI section of its own).
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from tests.support.forms import posted_fields
from tests.support.maildir import Arrivals
from tests.support.postgres_database import DatabaseError, OwnedDatabase
from tests.support.processes import (
    HOST,
    Service,
    failures_with_logs,
    free_port,
    run_steps,
    stack_environment,
    start_services,
    stop_group,
    wait_for,
)
from tests.support.rq_workers import Workers
from tests.support.smtp import SMTPServer

pytestmark = pytest.mark.faults

DATABASE_URL = os.environ.get("HEARTHSIDE_FAULTS_DATABASE_URL", "postgres://root@127.0.0.1:5432/hearthside_faults")
PG_RESTART = os.environ.get("HEARTHSIDE_FAULTS_PG_RESTART", "pg_ctlcluster 15 main restart")
MEMBERS = 20_000
BATCH_SIZE = 200
LEASE_SECONDS = 10
TICK_SECONDS = 2
WORKER_NAMES = ("worker-1", "worker-2")
ADMIN_USERNAME, ADMIN_PASSWORD = "faults-admin", "a long faults password 2026"
REDIS_OUTAGE_SECONDS = 60
UNSUBSCRIBERS = 50
KILLS = 5

# Bounded waits, none of them a claim about speed.
SETUP_TIMEOUT = 900
START_TIMEOUT = 90
SEND_TIMEOUT = 600


# --- the stack ---------------------------------------------------------------------------


@dataclass
class FaultStack:
    base_url: str
    tmp: Path
    log_dir: Path
    env: dict
    database: OwnedDatabase
    smtp: SMTPServer
    redis_port: int
    workers: Workers
    services: dict[str, Service] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    connection: object = None

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows as the stack's processes committed them; reconnects after a restart."""
        import psycopg

        for attempt in range(3):
            if self.connection is None or self.connection.closed:
                self.connection = self.database.connect()
            try:
                return self.connection.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                self.connection.close()
                if attempt == 2:
                    raise

    def start_redis(self) -> None:
        self.services["redis"] = Service("redis", [
            "redis-server", "--port", str(self.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no",
        ], {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, self.log_dir)
        import redis

        client = redis.Redis(host=HOST, port=self.redis_port, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), "Redis to answer", START_TIMEOUT, every=0.1)

    def stop_redis(self) -> None:
        stop_group(self.services.pop("redis").process)

    def check_running(self) -> None:
        for name, service in self.services.items():
            if service.process.poll() is not None:
                pytest.fail(f"{name} exited by itself with {service.process.returncode}", pytrace=False)

    def act(self, *argv: str) -> None:
        run_steps({"action": [sys.executable, "tests/support/production_stack_actions.py", *argv]},
                  self.env, self.log_dir, START_TIMEOUT)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if sys.platform != "linux":
        pytest.skip("the fault suite finds processes through /proc")
    tmp = tmp_path_factory.mktemp("faults")
    log_dir = tmp / "logs"
    log_dir.mkdir()
    port, redis_port = free_port(), free_port()
    base_url = f"http://{HOST}:{port}"
    paths = {"STATIC_ROOT": tmp / "static", "MEDIA_ROOT": tmp / "media", "SMS_FILE_PATH": tmp / "sms"}
    with contextlib.ExitStack() as cleanup, failures_with_logs(log_dir):
        try:
            database = OwnedDatabase(DATABASE_URL, must_contain="faults")
        except DatabaseError as error:
            pytest.fail(str(error), pytrace=False)
        cleanup.callback(database.drop)
        setup_env = stack_environment(DATABASE_URL, TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
                                      CACHE_URL="locmemcache://setup", **paths)
        try:
            database.create(setup_env, timeout=SETUP_TIMEOUT)
        except DatabaseError as error:
            pytest.fail(str(error), pytrace=False)
        setup_out = tmp / "setup.json"
        run_steps({
            "setup": [sys.executable, "tests/support/production_stack_setup.py", "--members", MEMBERS,
                      "--host", HOST, "--port", port, "--admin-username", ADMIN_USERNAME,
                      "--admin-password", ADMIN_PASSWORD, "--out", setup_out],
            "collectstatic": [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        }, setup_env, log_dir, SETUP_TIMEOUT)
        filled = json.loads(setup_out.read_text())

        smtp = SMTPServer(tmp / "maildir", handler="tests.support.flaky_smtp.FlakyMailbox")
        smtp.start()
        cleanup.callback(smtp.stop)
        env = stack_environment(
            DATABASE_URL,
            REDIS_URL=f"redis://{HOST}:{redis_port}/0",
            EMAIL_URL=f"smtp://{HOST}:{smtp.port}",
            WEB_CONCURRENCY=2,
            GUNICORN_BIND=f"{HOST}:{port}",
            GUNICORN_GRACEFUL_TIMEOUT=5,
            WAGTAILADMIN_BASE_URL=base_url,
            SYNDICATION_BATCH_SIZE=BATCH_SIZE,
            SYNDICATION_CLAIM_LEASE_SECONDS=LEASE_SECONDS,
            SYNDICATION_RETRY_BASE_SECONDS=1,
            SYNDICATION_SENDERS=len(WORKER_NAMES),
            LOG_FORMAT="text",
            **paths,
        )
        workers = Workers(log_dir)
        started = FaultStack(base_url=base_url, tmp=tmp, log_dir=log_dir, env=env, database=database, smtp=smtp,
                             redis_port=redis_port, workers=workers, members=set(filled["members"]))
        cleanup.callback(started.close)
        started.start_redis()
        cleanup.callback(lambda: started.services.get("redis") and started.stop_redis())
        started.services.update(start_services(env, log_dir, TICK_SECONDS, cleanup))
        workers.start(WORKER_NAMES, env)
        cleanup.callback(workers.stop)
        wait_for(lambda: healthy(base_url), "gunicorn to answer /health/", START_TIMEOUT, every=0.25)
        import redis

        queue_redis = redis.Redis(host=HOST, port=redis_port)
        workers.wait_ready(queue_redis, timeout=START_TIMEOUT)
        yield started


def healthy(base_url: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(f"{base_url}/health/", timeout=5, headers={"Accept": "text/plain"}).ok
    return False


# --- one send, and what it left ----------------------------------------------------------


@dataclass
class Send:
    stack: FaultStack
    title: str
    arrivals: Arrivals

    def arrived(self) -> int:
        return sum(self.arrivals.counts(self.title).values())

    def reached(self) -> set[str]:
        return self.arrivals.addresses(self.title)

    def wait_until(self, share: float) -> None:
        wait_for(lambda: len(self.reached()) >= share * MEMBERS, f"{share:.0%} of the members to get {self.title!r}",
                 SEND_TIMEOUT, every=0.05)

    def sending_rows(self) -> dict[str, set[str]]:
        """The addresses being sent to now, by the claim that holds them."""
        batches: dict[str, set[str]] = {}
        for claimed_by, email in self.stack.query(
            "select d.claimed_by, m.email from syndication_delivery d "
            "join syndication_update u on u.id = d.update_id join members_member m on m.id = d.member_id "
            "where u.title = %s and d.status = 'sending'", [self.title]
        ):
            batches.setdefault(claimed_by, set()).add(email)
        return batches

    def admin_figures(self) -> dict:
        """The update's status and counts, as its page in the admin shows them."""
        session = requests.Session()
        login = session.get(f"{self.stack.base_url}/admin/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        session.post(f"{self.stack.base_url}/admin/login/", timeout=30, headers={"Referer": login.url}, data={
            "csrfmiddlewaretoken": token, "username": ADMIN_USERNAME, "password": ADMIN_PASSWORD,
        })
        [(update_id,)] = self.stack.query("select id from syndication_update where title = %s", [self.title])
        page = session.get(f"{self.stack.base_url}/admin/syndication/{update_id}/", timeout=30).text
        figures = {"status": re.search(r'id="status-heading"[^>]*>([^<]+)<', page).group(1).strip()}
        figures.update({status: int(count) for status, count in re.findall(r'data-count="(\w+)">(\d+)<', page)})
        return figures

    def finish(self) -> dict:
        """Wait for everyone and for the admin to say "Sent"; the report."""
        members = self.stack.members
        wait_for(lambda: self.reached() >= members, f"every member to get {self.title!r}", SEND_TIMEOUT, every=0.5,
                 detail=lambda: f"{len(members - self.reached())} members still wait for it.")
        figures = {}

        def sent():
            nonlocal figures
            with contextlib.suppress(requests.RequestException, AttributeError):
                figures = self.admin_figures()
            return figures.get("status") == "Sent"

        wait_for(sent, "the admin to show the update as sent", SEND_TIMEOUT, every=1,
                 detail=lambda: f"The admin last showed {figures}.")
        received = self.arrivals.counts(self.title)
        return {
            "members": MEMBERS,
            "messages": sum(received.values()),
            "reached": len(received),
            "missing": len(members - set(received)),
            "strangers": len(set(received) - members),
            "duplicated": {address: n - 1 for address, n in received.items() if n > 1},
            "admin": figures,
        }


@pytest.fixture
def send(stack):
    def start(title: str) -> Send:
        started = Send(stack, title, Arrivals(stack.smtp.mail_dir))
        stack.act("publish", "--title", title)
        return started

    yield start
    stack.check_running()


def assert_complete(report: dict, in_flight: set[str], label: str) -> None:
    duplicated = report["duplicated"]
    print(f"\nfaults, {label}: {report['messages']} messages to {report['reached']} of {MEMBERS} members; "
          f"missing {report['missing']}; duplicated {sum(duplicated.values())} (in flight at the faults: "
          f"{len(in_flight)}); the admin counts {report['admin'].get('sent')} sent")
    assert report["missing"] == 0 and report["strangers"] == 0, report
    assert set(duplicated) <= in_flight, sorted(set(duplicated) - in_flight)[:10]
    assert report["admin"]["sent"] == report["reached"] == MEMBERS, report["admin"]
    assert report["admin"].get("queued", 0) == report["admin"].get("sending", 0) == 0, report["admin"]


# --- the faults ---------------------------------------------------------------------------


def test_workers_killed_at_five_random_points_lose_nobody(stack, send):
    update = send("Five kills: the rye loaf")
    in_flight: set[str] = set()
    chance = random.Random(5)
    points = sorted(chance.uniform(0.05, 0.85) for _ in range(KILLS))
    for number, share in enumerate(points):
        update.wait_until(share)
        victim = stack.workers.alive()[number % len(WORKER_NAMES)]
        for claimed_by, emails in update.sending_rows().items():
            if stack.workers.name_of_process(int(claimed_by.split(":")[1])) == victim:
                in_flight |= emails
        stack.workers.kill(victim)
        # As the process manager brings it back; under a new name, since the
        # dead one stays registered in Redis until it times out.
        stack.workers.start([f"{victim.split('.')[0]}.{number + 1}"], stack.env)
    report = update.finish()
    assert_complete(report, in_flight, f"{KILLS} workers SIGKILLed at {[f'{p:.0%}' for p in points]}")
    assert sum(report["duplicated"].values()) <= KILLS * BATCH_SIZE


def test_an_smtp_server_that_refuses_and_hangs_up_loses_nobody(stack, send):
    switch = stack.tmp / "flaky"
    events = stack.tmp / "smtp-events.log"
    events.write_text("")
    switch.touch()
    try:
        update = send("Flaky mail: the spelt loaf")
        report = update.finish()
    finally:
        switch.unlink()
    lines = [line.split(" ", 2) for line in events.read_text().splitlines()]
    dropped = {address for _, event, address in lines if event == "dropped"}
    refusals = sum(event.endswith(("-421", "-451")) for _, event, _ in lines)
    print(f"\nfaults, flaky SMTP: {refusals} commands refused (421/451), {len(dropped)} connections dropped "
          "after DATA")
    assert refusals > MEMBERS // 10 and dropped, "the server was not unreliable enough to test anything"
    assert_complete(report, dropped, "SMTP refusing 20% of commands and dropping 1% of connections")


def test_postgresql_restarted_mid_send_loses_nobody(stack, send):
    update = send("Restart: the honey loaf")
    update.wait_until(0.3)
    in_flight = set().union(*update.sending_rows().values())
    subprocess.run(shlex.split(PG_RESTART), check=True, timeout=120)
    # And what was claimed while the restart began: those rows wait out their lease now.
    in_flight |= set().union(*update.sending_rows().values())
    wait_for(lambda: healthy(stack.base_url), "the site to answer again after the restart", START_TIMEOUT)
    assert_complete(update.finish(), in_flight, "PostgreSQL restarted at 30%")


def sign_up(base_url: str, email: str) -> requests.Response:
    """The signup page's form, filled in and sent as a browser would."""
    page = requests.get(f"{base_url}/members/signup/", timeout=30)
    form = BeautifulSoup(page.text, "html.parser").select_one("form.members-form")
    fields = {**posted_fields(form), "email": email, "channels": "email"}
    return requests.post(f"{base_url}{form['action']}", data=fields, timeout=30, allow_redirects=False)


def test_redis_stopped_for_a_minute_pages_still_serve_and_the_queue_resumes(stack, send):
    """Meanwhile an editor publishes a page and a visitor signs up: both
    are answered, and the visitor's confirmation goes out before Redis is
    back (the tasks Redis could not take are held in the database, for the
    stack's ``held`` worker)."""
    update = send("Outage: the oat loaf")
    update.wait_until(0.3)
    in_flight = set().union(*update.sending_rows().values())
    stack.stop_redis()
    stopped = time.monotonic()
    stack.act("publish", "--title", "Opening hours in the outage", "--kind", "standard")
    signup = sign_up(stack.base_url, "outage.visitor@example.com")
    assert (signup.status_code, signup.headers.get("Location")) == (303, "/members/signup/check-your-inbox/")
    answers = []
    while time.monotonic() - stopped < REDIS_OUTAGE_SECONDS:
        # /health/ready/ too: the load balancer keeps the web processes in rotation.
        for path in ("/", "/journal/", "/opening-hours-in-the-outage/", "/health/ready/"):
            with contextlib.suppress(requests.RequestException):
                answers.append(requests.get(f"{stack.base_url}{path}", timeout=10).status_code)
        time.sleep(1)
    confirmed_in_the_outage = "outage.visitor@example.com" in update.arrivals.addresses()
    monitoring = requests.get(f"{stack.base_url}/health/", timeout=10, headers={"Accept": "application/json"})
    stack.start_redis()
    held = dict(stack.query("select status, count(*) from django_tasks_database_dbtaskresult "
                            "where backend_name = 'held' group by status"))
    print(f"\nfaults, Redis stopped for {REDIS_OUTAGE_SECONDS}s: {len(answers)} page views, "
          f"{answers.count(200)} answered 200; tasks held in the database: {held}")
    assert answers and set(answers) == {200}, answers
    assert monitoring.status_code == 500 and "TaskQueue" in monitoring.text, monitoring.text
    assert confirmed_in_the_outage, "the signup's confirmation did not go out while Redis was down"
    assert held.get("SUCCESSFUL", 0) >= 2 and not held.get("FAILED"), held
    assert_complete(update.finish(), in_flight, f"Redis stopped for {REDIS_OUTAGE_SECONDS}s at 30%")


def test_no_message_reaches_a_member_after_their_unsubscribe_commits(stack, send):
    """Members whose message is in a batch being sent right now leave, by
    their messages' one-click link: none of them may be handed to SMTP after
    their unsubscribe has committed."""
    stack.act("unsubscribe-links", "--out", str(stack.tmp / "links.json"))
    links = json.loads((stack.tmp / "links.json").read_text())
    events = stack.tmp / "smtp-events.log"
    events.write_text("")

    update = send("Unsubscribe: the barley loaf")
    update.wait_until(0.1)
    committed: dict[str, float] = {}
    while len(committed) < UNSUBSCRIBERS:
        waiting = set().union(*update.sending_rows().values()) - update.reached() - set(committed)
        if not waiting and len(update.reached()) >= MEMBERS - UNSUBSCRIBERS:
            break
        for address in sorted(waiting)[: UNSUBSCRIBERS - len(committed)]:
            response = requests.post(f"{stack.base_url}{links[address]}", data={"List-Unsubscribe": "One-Click"},
                                     timeout=30)
            assert response.status_code == 200, response.text[:500]
            committed[address] = time.time()  # the unsubscribe committed before its answer left
    assert len(committed) == UNSUBSCRIBERS, f"the send outran the unsubscribes: only {len(committed)} tried"

    members = stack.members - set(committed)
    wait_for(lambda: update.reached() >= members, "everyone else to get the update", SEND_TIMEOUT, every=0.5)
    late = {}
    for line in events.read_text().splitlines():
        at, event, address = line.split(" ", 2)
        if event == "rcpt" and address in committed and float(at) > committed[address]:
            late[address] = round(float(at) - committed[address], 3)
    reached_after = set(committed) & update.reached()
    print(f"\nfaults, {UNSUBSCRIBERS} members in batches being sent unsubscribed: {len(reached_after)} got the "
          f"update, {len(late)} of them handed to SMTP after their unsubscribe had committed")
    assert not late, late
