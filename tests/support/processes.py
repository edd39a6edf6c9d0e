"""Processes of the production stack for the tests that run it whole
(tests/e2e/test_production_stack.py, tests/faults/): starting and stopping
them, their logs in a failure's message, their environment, and waiting for
what they do."""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.support.rq_workers import REPO_ROOT, tail

HOST = "127.0.0.1"

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def log_tails(log_dir: Path, chars: int = 2500) -> str:
    """The end of every process's log, for a failure's message."""
    return "\n".join(f"----- {path.name} (its last {chars} characters)\n{tail(path, chars)}"
                     for path in sorted(log_dir.glob("*.log")))


@contextlib.contextmanager
def failures_with_logs(log_dir: Path, page=None, screenshot: Path | None = None):
    """Whatever fails inside ends its message with the processes' log tails
    (and where the screenshot of ``page`` at that moment was saved)."""
    try:
        yield
    except (Exception, pytest.fail.Exception) as error:
        notes = []
        if page is not None and screenshot is not None:
            try:
                page.screenshot(path=str(screenshot), full_page=True)
                notes.append(f"screenshot of the admin's tab at {page.url}: {screenshot}")
            except Exception as exc:  # the page may be what broke
                notes.append(f"no screenshot of the admin's tab: {exc}")
        notes.append(log_tails(log_dir))
        if isinstance(error, pytest.fail.Exception) and not error.pytrace:
            # Shown by its message alone: the notes must be part of it.
            raise pytest.fail.Exception("\n".join([error.msg, *notes]), pytrace=False) from None
        for note in notes:
            error.add_note(note)
        raise


def wait_for(condition: Callable[[], T], what: str, timeout: float, every: float = 0.1,
             detail: Callable[[], str] = lambda: "") -> T:
    """``condition()``'s first truthy value; after ``timeout``, a failure
    naming ``what`` (and saying ``detail()``)."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}. {detail()}", pytrace=False)
        time.sleep(every)


def stop_group(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process started as the leader of its own group: SIGTERM to the
    group (gunicorn's graceful stop), then SIGKILL to whatever is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # With the leader gone, children it forked may still be in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


class Service:
    """A long-running process (gunicorn, the tick), logging to a file, the
    leader of its own process group, so that stopping it stops what it forked."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name = name
        with open(log_dir / f"{name}.log", "wb") as log:
            self.process = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        stop_group(self.process)


def start_services(env: dict, log_dir: Path, tick_seconds: float, cleanup: contextlib.ExitStack) -> dict:
    """The Procfile's processes but its RQ workers: ``web`` (gunicorn),
    ``tick`` (syndication_tick every ``tick_seconds``) and ``held`` (the
    database worker of tasks Redis could not take), under its names, each
    stopped by ``cleanup``."""
    services = {}
    for name, argv in {
        "web": [str(Path(sys.executable).parent / "gunicorn"), "-c", "site/config/gunicorn.py"],
        "tick": [sys.executable, "manage.py", "syndication_tick", "--loop", str(tick_seconds)],
        "held": [sys.executable, "manage.py", "task_worker", "--backend", "held", "--interval", "1"],
    }.items():
        services[name] = service = Service(name, argv, env, log_dir)
        cleanup.callback(service.stop)
    return services


def run_steps(steps: dict[str, list[str]], env: dict, log_dir: Path, timeout: float) -> None:
    """Run one-off commands side by side, each logging to ``<name>.log``; fail if any fails."""
    started = {}
    try:
        for name, argv in steps.items():
            with open(log_dir / f"{name}.log", "wb") as log:
                started[name] = subprocess.Popen([str(arg) for arg in argv], cwd=REPO_ROOT, env=env,
                                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        for name, process in started.items():
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                code = f"still running after {timeout:.0f}s"
            if code != 0:
                pytest.fail(f"{name} failed ({code})", pytrace=False)
    finally:
        for process in started.values():
            stop_group(process)


def stack_environment(database_url: str, **values) -> dict:
    """The production environment of the stack's processes: only what is
    named here, so that nothing from a developer's shell (a CACHE_URL, a
    TASK_BACKEND) or from pytest (its settings module, the test plugins)
    leaks in."""
    kept = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {name: os.environ[name] for name in kept if name in os.environ}
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")]),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    env.update({name: str(value) for name, value in values.items()})
    return env


def redis_client(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not answering at {url} ({error}): start redis-server, or point "
                    "HEARTHSIDE_E2E_url at one.", pytrace=False)
    return client
