"""The production stack, end to end: the Procfile's processes on a real
PostgreSQL, Redis and SMTP server, driven through the admin in Chromium.

The test builds everything itself (pytest-django's test database is not
used; in CI it is SQLite): a PostgreSQL database of its own from
HEARTHSIDE_E2E_DATABASE_URL (default postgres://root@127.0.0.1:5432/hearthside_e2e_stack),
dropped and made afresh, then dropped at the end (a migrated template is
kept, so reruns skip the migrations: tests/support/postgres_database.py);
Redis database 12 from HEARTHSIDE_E2E_REDIS_URL (default
redis://127.0.0.1:6379/12), flushed before and after. The demo, a few
hundred members on email and an admin account go in
(tests/support/production_stack_setup.py), the static files are collected,
and then exactly the processes of the Procfile start, with the production
settings:

- ``web``: gunicorn with site/config/gunicorn.py, two workers; Redis is the
  cache, so both serve one page cache, and one purge empties it for both;
- ``worker``, twice: ``manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler``;
- ``tick``: ``manage.py syndication_tick --loop``, every TICK_SECONDS rather
  than 60, so that the safety net's turn comes within the test.
- ``held``: ``manage.py task_worker --backend held``, for the tasks Redis
  could not take (here, none).

Mail goes to a real aiosmtpd process that takes SMTP_DELAY seconds over
each message, so a send lasts long enough to kill a worker in the middle
of it.

1. An editor signs in and publishes an article in the Journal. Anonymous
   visitors had the Journal and the home page from the page cache; their
   next view shows the article. Every member gets it exactly once, and the
   update's page in the admin counts as many sent as the SMTP server got.
2. Another article goes out, and one RQ worker is SIGKILLed with its work
   horse in the middle of a batch. The other worker and the tick finish the
   update once the dead worker's lease is over: nobody is missing, only
   messages of the killed batch went twice, and the admin counts each
   member once. The exact figures are printed.

Each process logs to a file in a temporary folder; a failure's message ends
with the tail of every log (and, in the tests, a screenshot of the admin).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, CHROMIUM, CHROMIUM_ARGS, NOT_LOCAL, TIMEOUT_MS
from tests.support.maildir import Arrivals
from tests.support.postgres_database import DatabaseError, OwnedDatabase
from tests.support.processes import (
    HOST,
    Service,
    failures_with_logs,
    free_port,
    redis_client,
    run_steps,
    stack_environment,
    start_services,
    stop_group,
    wait_for,
)
from tests.support.rq_workers import REPO_ROOT, Workers, running
from tests.support.smtp import SMTPServer

pytestmark = pytest.mark.e2e

DATABASE_URL = os.environ.get("HEARTHSIDE_E2E_DATABASE_URL",
                              "postgres://root@127.0.0.1:5432/hearthside_e2e_stack")
REDIS_URL = os.environ.get("HEARTHSIDE_E2E_REDIS_URL", "redis://127.0.0.1:6379/12")

MEMBERS = 300
PAGE_CACHE_LOCAL_SECONDS = 1
BATCH_SIZE = 20
# Per message: a batch of 20 takes two seconds or more, long enough to catch
# one half handed over even while the machine is busy polling; a whole update
# takes several seconds across the senders.
SMTP_DELAY = 0.1
# Far above the time a batch takes even on a loaded machine, so that no
# living worker's batch is ever taken over; short enough to wait out here.
LEASE_SECONDS = 10
TICK_SECONDS = 2
WORKER_NAMES = ("worker-1", "worker-2")

# Bounded waits, generous because CI's two cores run this after other
# suites. None of them is a claim about speed.
SETUP_TIMEOUT = 600  # migrating from scratch, once per set of migrations
START_TIMEOUT = 60
CACHE_TIMEOUT = 30
DELIVERY_TIMEOUT = 90
RECOVERY_TIMEOUT = LEASE_SECONDS + DELIVERY_TIMEOUT

# --- the stack -------------------------------------------------------------------------


@dataclass
class Stack:
    base_url: str
    log_dir: Path
    database: OwnedDatabase
    smtp: SMTPServer
    workers: Workers
    services: dict[str, Service] = field(default_factory=dict)
    journal: dict = field(default_factory=dict)  # id, title, path
    members: list[str] = field(default_factory=list)  # the seeded members' addresses, sorted
    connection: object = None

    def check_running(self) -> None:
        """Fail at once if a process of the stack exited by itself."""
        for name, service in self.services.items():
            if service.process.poll() is not None:
                pytest.fail(f"{name} exited by itself with {service.process.returncode}", pytrace=False)
        for name, process in self.workers.processes.items():
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                pytest.fail(f"{name} exited by itself with {process.returncode}", pytrace=False)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows from the stack's database as its processes committed them
        (one autocommit connection, kept: the kill phase asks every few ms)."""
        if self.connection is None or self.connection.closed:
            self.connection = self.database.connect()
        return self.connection.execute(sql, params).fetchall()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production-stack")
    log_dir = tmp / "logs"
    log_dir.mkdir()
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    paths = {"STATIC_ROOT": tmp / "static", "MEDIA_ROOT": tmp / "media", "SMS_FILE_PATH": tmp / "sms"}
    began = time.monotonic()

    # Callbacks run last registered first, on success, failure or Ctrl-C:
    # the processes stop before the SMTP server, the database and Redis go.
    with contextlib.ExitStack() as cleanup, failures_with_logs(log_dir):
        redis = redis_client(REDIS_URL)
        cleanup.callback(redis.close)
        redis.flushdb()
        cleanup.callback(redis.flushdb)

        try:
            database = OwnedDatabase(DATABASE_URL)
        except DatabaseError as error:
            pytest.fail(str(error), pytrace=False)
        cleanup.callback(database.drop)
        # Setting up touches neither Redis nor the queue: Wagtail's own tasks
        # (the search and reference indexes) run there and then, and the
        # cache is the process's own. The stack starts from an empty Redis.
        setup_env = stack_environment(DATABASE_URL, TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
                                      CACHE_URL="locmemcache://setup", **paths)
        with open(log_dir / "collectstatic.log", "wb") as log:
            # Beside the migrations: it never touches the database.
            collectstatic = subprocess.Popen(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=REPO_ROOT, env=setup_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        cleanup.callback(stop_group, collectstatic)
        try:
            database.create(setup_env, timeout=SETUP_TIMEOUT)
        except DatabaseError as error:
            pytest.fail(str(error), pytrace=False)
        setup_out = tmp / "setup.json"
        run_steps({"setup": [sys.executable, "tests/support/production_stack_setup.py",
                             "--members", MEMBERS, "--host", HOST, "--port", port,
                             "--admin-username", ADMIN_USERNAME, "--admin-password", ADMIN_PASSWORD,
                             "--out", setup_out]},
                  setup_env, log_dir, SETUP_TIMEOUT)
        if collectstatic.wait(timeout=SETUP_TIMEOUT) != 0:
            pytest.fail(f"collectstatic failed ({collectstatic.returncode})", pytrace=False)
        filled = json.loads(setup_out.read_text())
        prepared = time.monotonic()

        smtp = SMTPServer(tmp / "maildir", handler="tests.support.slow_smtp.SlowMailbox",
                          handler_args=(SMTP_DELAY,))
        smtp.start()
        cleanup.callback(smtp.stop)

        env = stack_environment(
            DATABASE_URL,
            REDIS_URL=REDIS_URL,
            EMAIL_URL=f"smtp://{HOST}:{smtp.port}",
            PAGE_CACHE_SECONDS=300,
            PAGE_CACHE_LOCAL_SECONDS=PAGE_CACHE_LOCAL_SECONDS,
            WEB_CONCURRENCY=2,
            GUNICORN_BIND=f"{HOST}:{port}",
            GUNICORN_GRACEFUL_TIMEOUT=5,
            WAGTAILADMIN_BASE_URL=base_url,
            SYNDICATION_BATCH_SIZE=BATCH_SIZE,
            SYNDICATION_CLAIM_LEASE_SECONDS=LEASE_SECONDS,
            SYNDICATION_SENDERS=len(WORKER_NAMES),
            **paths,
        )
        workers = Workers(log_dir)
        started = Stack(base_url=base_url, log_dir=log_dir, database=database, smtp=smtp, workers=workers,
                        journal=filled["journal"], members=filled["members"])
        cleanup.callback(started.close)
        # The Procfile's processes, under its names.
        started.services.update(start_services(env, log_dir, TICK_SECONDS, cleanup))
        workers.start(WORKER_NAMES, env)
        # First of all: a worker holding a row lock would hold up the drop,
        # and its scheduler would write to Redis after the flush.
        cleanup.callback(workers.stop)

        def healthy():
            started.check_running()
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"{base_url}/health/", timeout=5, headers={"Accept": "text/plain"}).ok
            return False

        wait_for(healthy, "gunicorn to answer /health/ with 200 (database, cache and queue reachable)",
                 START_TIMEOUT, every=0.25)
        workers.wait_ready(redis, timeout=START_TIMEOUT)
        started.check_running()
        print(f"\nproduction stack: database {database.name} {database.how}; demo, {MEMBERS} members "
              f"and static files ready after {prepared - began:.0f}s; gunicorn, {len(WORKER_NAMES)} RQ "
              f"workers, the tick and the held-task worker answering after {time.monotonic() - began:.0f}s")
        yield started


# --- the admin, in Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def admin(stack):
    """A Chromium tab signed into the admin that gunicorn serves, through its login form."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.route(NOT_LOCAL, lambda route: route.abort())
            page = context.new_page()
            with failures_with_logs(stack.log_dir):
                page.goto(stack.base_url + "/admin/")
                expect(page).to_have_url(re.compile(r"/admin/login/"))
                page.get_by_label("Username").fill(ADMIN_USERNAME)
                page.get_by_label("Password").fill(ADMIN_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page).to_have_url(stack.base_url + "/admin/")
            yield page
        finally:
            browser.close()


@pytest.fixture
def explained(request, stack, admin, screenshot_dir):
    """``with explained:`` a failure inside says what the admin's tab showed
    and what every process logged."""
    return failures_with_logs(stack.log_dir, admin, screenshot_dir / f"{request.node.name}-FAILED-admin.png")


def publish_article(admin, stack: Stack, title: str, summary: str, paragraph: str) -> str:
    """Write a new article in the Journal in the page editor and publish it;
    returns its URL path, from the "View live" link of the admin's message."""
    from playwright.sync_api import expect

    admin.goto(f"{stack.base_url}/admin/pages/{stack.journal['id']}/")
    admin.get_by_role("link", name="Add child page").first.click()
    admin.get_by_role("link", name="Article page", exact=True).click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/add/hearthside/articlepage/\d+/$"))
    admin.locator('[name="title"]').fill(title)
    admin.get_by_role("textbox", name=re.compile(r"^Summary")).fill(summary)
    # The body: one paragraph block, typed into its rich text editor. Draftail
    # fills the block's hidden input a moment after the change, and an empty
    # body would hold the update back ("has no text to send").
    admin.get_by_role("button", name="Insert a block").first.click()
    admin.get_by_role("option", name=re.compile(r"^Paragraph")).click()
    admin.locator('[data-contentpath="body"] [role="textbox"][contenteditable="true"]').first.click()
    admin.keyboard.type(paragraph)
    admin.keyboard.press("Tab")
    expect(admin.locator('input[name="body-0-value"]')).to_have_value(re.compile(re.escape(paragraph)))

    footer = admin.locator("footer")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name="Publish", exact=True).click()
    # "Page '<title>' created and published.", over the Journal's listing.
    message = admin.get_by_role("status").filter(has_text=re.compile(rf"{re.escape(title)}.*published"))
    expect(message).to_be_visible()
    return message.get_by_role("link", name="View live").get_attribute("href")


def open_update(admin, stack: Stack, title: str) -> str:
    """The URL of the update of the page called ``title``, opened from the admin's list of Updates."""
    from playwright.sync_api import expect

    admin.goto(f"{stack.base_url}/admin/syndication/")
    admin.get_by_role("link", name=title, exact=True).first.click()
    expect(admin).to_have_url(re.compile(r"/admin/syndication/\d+/$"))
    return admin.url


def admin_figures(admin, update_url: str) -> dict:
    """The update's status and its deliveries counted by status, as its page in the admin shows them."""
    admin.goto(update_url)
    figures = {"status": admin.locator("#status-heading").inner_text().strip()}
    for cell in admin.locator("td[data-count]").all():
        figures[cell.get_attribute("data-count")] = int(cell.inner_text().strip())
    return figures


def wait_for_admin_to_show_sent(admin, update_url: str) -> dict:
    from playwright.sync_api import Error

    figures = {}

    def sent():
        nonlocal figures
        try:
            figures = admin_figures(admin, update_url)
        except Error:
            return None  # the page's own progress script reloaded it as it was read: read it again
        return figures if figures["status"] == "Sent" else None

    return wait_for(sent, "the admin to show the update as sent", DELIVERY_TIMEOUT, every=1,
                    detail=lambda: f"The admin last showed {figures}.")


def anonymous_get(url: str) -> requests.Response:
    """A visitor with no cookies (a new session each time), whom the page cache may serve."""
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return response


# --- the tests ---------------------------------------------------------------------------


def test_an_article_published_in_the_admin_purges_the_page_cache_and_reaches_every_member_once(
    stack, admin, explained
):
    title = "Rye loaves are back on Saturdays"
    paragraph = "Dark, sour and dense, baked in the wood oven from six."
    pages = {"the Journal": stack.base_url + stack.journal["path"], "the home page": stack.base_url + "/"}
    arrivals = Arrivals(stack.smtp.mail_dir)

    with explained:
        # Visitors get both pages from the page cache before the article exists.
        for name, url in pages.items():
            wait_for(lambda url=url: anonymous_get(url).headers.get("X-Page-Cache") == "hit",
                     f"{name} ({url}) to come from the page cache", CACHE_TIMEOUT, every=0.2)
            assert title not in anonymous_get(url).text

        article_path = publish_article(admin, stack, title, "From this week, every Saturday.", paragraph)

        # Publishing purged the cache: within the seconds a worker trusts its
        # own copy of a page, every view shows the article.
        purged_by = time.monotonic() + PAGE_CACHE_LOCAL_SECONDS
        for name, url in pages.items():
            wait_for(lambda url=url: title in anonymous_get(url).text,
                     f"{name} to show the new article (the page cache purged)", PAGE_CACHE_LOCAL_SECONDS + 1)
        time.sleep(max(0.0, purged_by - time.monotonic()))
        for name, url in pages.items():
            for _ in range(4):  # as many as the workers, twice: none still holds the old page
                response = anonymous_get(url)
                assert title in response.text, (
                    f"{name} does not show the new article {PAGE_CACHE_LOCAL_SECONDS}s after it was published "
                    f"(X-Page-Cache: {response.headers.get('X-Page-Cache')}): the page cache was not purged"
                )
        assert paragraph in anonymous_get(stack.base_url + article_path).text

        update_url = open_update(admin, stack, title)
        wait_for(lambda: sum(arrivals.counts(title).values()) >= MEMBERS, f"{MEMBERS} messages of the update",
                 DELIVERY_TIMEOUT, every=0.2,
                 detail=lambda: f"{sum(arrivals.counts(title).values())} arrived.")
        figures = wait_for_admin_to_show_sent(admin, update_url)

        received = arrivals.counts(title)
        twice = sorted(address for address, n in received.items() if n > 1)
        assert not twice, f"sent more than once to {len(twice)} members: {twice[:10]}"
        assert sorted(received) == stack.members, (
            f"never reached: {sorted(set(stack.members) - set(received))[:10]}; "
            f"not members: {sorted(set(received) - set(stack.members))[:10]}"
        )
        assert figures["sent"] == sum(received.values()) == MEMBERS, figures
        assert figures["total"] == MEMBERS and figures["failed"] == figures["skipped"] == 0, figures
        stack.check_running()
        print(f"\nproduction stack, publish phase: the page cache was purged; {sum(received.values())} "
              f"messages reached {len(received)} of {MEMBERS} members, each once; the admin counts "
              f"{figures['sent']} sent")


def test_a_worker_killed_mid_send_loses_nobody_and_resends_at_most_its_batch(stack, admin, explained):
    title = "Spelt and honey loaf for the winter"
    arrivals = Arrivals(stack.smtp.mail_dir)
    members = set(stack.members)

    def sending_batches() -> dict[str, list[str]]:
        """The addresses being sent to right now, by the name of the process that claimed them."""
        batches: dict[str, list[str]] = {}
        for claimed_by, email in stack.query(
            "select d.claimed_by, m.email from syndication_delivery d "
            "join syndication_update u on u.id = d.update_id join members_member m on m.id = d.member_id "
            "where u.title = %s and d.status = 'sending'", [title]
        ):
            batches.setdefault(claimed_by, []).append(email)
        return batches

    def half_sent_batch():
        """(worker, claim name, horse pid) of an RQ worker's batch partly
        handed over, once a third of the update has arrived: half of the
        batch gone; past two thirds (a slow machine polls less often), any
        of it. A few messages must still be to go, so that the kill lands
        before the batch is done."""
        arrived = arrivals.addresses(title)
        if len(arrived) >= MEMBERS:
            pytest.fail(f"the update was all sent before a worker could be caught in the middle of a batch "
                        f"(SMTP_DELAY={SMTP_DELAY}s a message is too short here?)", pytrace=False)
        if len(arrived) < MEMBERS // 3:
            return None
        enough = BATCH_SIZE // 2 if len(arrived) < MEMBERS * 2 // 3 else 1
        for claimed_by, batch in sending_batches().items():
            handed_over = sum(email in arrived for email in batch)
            if enough <= handed_over <= len(batch) - 3:
                horse_pid = int(claimed_by.split(":")[1])  # "host:pid:random" (outbox.worker_name)
                name = stack.workers.name_of_process(horse_pid)
                # Not one of the tick's batches (the tick is the safety net).
                if name is not None and frozen_mid_batch(horse_pid, claimed_by):
                    return name, claimed_by, horse_pid
        return None

    def frozen_mid_batch(horse_pid, claimed_by):
        """Stop the horse where it is (SIGSTOP); True if it stopped with part
        of its batch still to hand over, so the SIGKILL lands mid-batch."""
        os.kill(horse_pid, signal.SIGSTOP)
        time.sleep(0.05)  # a message or commit already on its way lands before the check
        batch = set(sending_batches().get(claimed_by, []))
        if batch and not batch <= arrivals.addresses(title):
            return True
        os.kill(horse_pid, signal.SIGCONT)
        return False

    with explained:
        publish_article(admin, stack, title, "Our winter loaf, from December.",
                        "Stoneground spelt and local honey.")
        update_url = open_update(admin, stack, title)

        victim, claim_name, horse_pid = wait_for(half_sent_batch, "an RQ worker half way through a batch",
                                                 DELIVERY_TIMEOUT, every=0.01)
        stack.workers.kill(victim)
        assert not running(horse_pid), f"{victim}'s work horse {horse_pid} survived SIGKILL"
        (survivor,) = stack.workers.alive()
        orphaned = set(sending_batches().get(claim_name, []))
        handed_over_before_the_kill = orphaned & arrivals.addresses(title)
        assert 0 < len(orphaned) <= BATCH_SIZE, (victim, claim_name, len(orphaned))

        # The survivor sends the rest. The dead worker's rows wait out their
        # lease, then go out again: the survivor woke itself for that moment
        # through RQ's scheduler, and the tick requeues and sends whatever is left.
        wait_for(lambda: arrivals.addresses(title) >= members,
                 "every member to get the update after the kill", RECOVERY_TIMEOUT, every=0.2,
                 detail=lambda: f"{len(members - arrivals.addresses(title))} members still wait for it.")
        figures = wait_for_admin_to_show_sent(admin, update_url)

        received = arrivals.counts(title)
        missing = members - set(received)
        duplicated = {address: n - 1 for address, n in received.items() if n > 1}
        report = {
            "members": MEMBERS,
            "batch_size": BATCH_SIZE,
            "messages_sent": sum(received.values()),
            "members_reached": len(received),
            "duplicated": sum(duplicated.values()),
            "missing": len(missing),
            "killed_batch_rows": len(orphaned),
            "killed_batch_handed_over_before_the_kill": len(handed_over_before_the_kill),
            "admin_sent": figures["sent"],
        }
        print(f"\nproduction stack, kill phase ({victim} SIGKILLed mid-batch; {survivor} and the tick "
              f"finished): sent {report['messages_sent']}, duplicated {report['duplicated']}, "
              f"missing {report['missing']}; {report}")

        assert report["missing"] == 0, f"never reached: {sorted(missing)[:10]}"
        assert set(received) <= members, f"not members: {sorted(set(received) - members)[:10]}"
        assert report["duplicated"] <= BATCH_SIZE, report
        # Only messages of the killed batch can have gone twice, each at most twice.
        assert set(duplicated) <= orphaned and set(duplicated.values()) <= {1}, (duplicated, sorted(orphaned))
        assert figures["sent"] == len(received) == MEMBERS, (figures, report)
        assert figures["sending"] == figures["queued"] == 0, figures
        assert stack.workers.alive() == [survivor]
        stack.check_running()
