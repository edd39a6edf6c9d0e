"""What the benchmarks' runners share (bench/pages/run.py,
bench/syndication/run.py): their error, their log line, options from the
environment, ports, log tails, and the revision a result was measured at.
They import it by its folder, since each runs as a script."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


class BenchError(Exception):
    """Something broke: the numbers would mean nothing."""


def log(message: str = "") -> None:
    print(message, flush=True)


def env_number(name: str, default, kind=int):
    value = os.environ.get(name, "").strip()
    return kind(value) if value else default


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def git_revision() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return done.stdout.strip() + ("-dirty" if dirty else "") if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def raise_interrupt(signum, frame):
    raise KeyboardInterrupt
