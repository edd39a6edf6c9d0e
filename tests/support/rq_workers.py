"""Real ``manage.py rqworker`` processes for the tests that need them
(tests/plugins/syndication/test_scale_out.py, tests/e2e/test_production_stack.py):
start them, wait until they have registered in Redis, find out which one a
process is, and kill one the way a crashed machine would (SIGKILL, the
worker and everything it forked).

Linux only: processes are found through /proc.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Time allowed for workers to start and register: Django's start-up on a
# loaded two-core machine, twice over.
READY_TIMEOUT = 40.0


def _stat(pid: int) -> list[str]:
    # /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def parent_pid(pid: int) -> int:
    return int(_stat(pid)[1])


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return _stat(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if parent_pid(int(entry.name)) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass  # exited while we looked
    return found


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL an RQ worker and its children: the scheduler it forks (in
    its process group) and the work horse running a job (in a group of its
    own). The worker first, so it cannot notice its horse dying and tidy up.

    A worker already reaped (killed before, or exited by itself) has no
    children left to it; only what remains of its group is killed: its pid,
    while that group exists, cannot have gone to another process."""
    children = children_of(process.pid) if process.poll() is None else []
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for child in children:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.01)


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


class Workers:
    """``manage.py rqworker`` processes, each logging to a file, each the
    leader of its own process group."""

    def __init__(self, log_dir: Path, python: str = sys.executable):
        self.log_dir = log_dir
        self.python = python
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, names, env: dict) -> None:
        """Start the workers; they register in Redis a few seconds later (wait_ready)."""
        for name in names:
            log = open(self.log_dir / f"{name}.log", "ab")  # a restarted worker logs on
            self.processes[name] = subprocess.Popen(
                [
                    self.python, "manage.py", "rqworker", "default",
                    "--job-class", "django_tasks_rq.Job", "--with-scheduler", "--name", name,
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()

    def wait_ready(self, redis_client, timeout: float = READY_TIMEOUT) -> None:
        from rq import Worker

        deadline = time.monotonic() + timeout
        while {w.name for w in Worker.all(connection=redis_client)} < set(self.processes):
            for name, process in self.processes.items():
                assert process.poll() is None, f"worker {name} exited at start:\n{self.log(name)}"
            assert time.monotonic() < deadline, (
                f"workers did not register in Redis within {timeout:.0f}s:\n{self.logs()}"
            )
            time.sleep(0.1)

    def log(self, name: str) -> str:
        return tail(self.log_dir / f"{name}.log")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in self.processes)

    def name_of_process(self, pid: int) -> str | None:
        """Which worker ``pid`` is: the worker itself or its work horse (a child)."""
        try:
            parent = parent_pid(pid)
        except (OSError, ValueError, IndexError):
            return None  # it has exited already
        for name, process in self.processes.items():
            if process.pid in (pid, parent):
                return name
        return None

    def kill(self, name: str) -> None:
        """SIGKILL worker ``name``, its horse and its scheduler, as a crashed machine would."""
        kill_worker(self.processes[name])

    def alive(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]

    def stop(self) -> None:
        # Even a worker that exited by itself may have left its scheduler in its group.
        for process in self.processes.values():
            kill_worker(process)
