"""What the benchmarks' runners share (bench/pages/run.py,
bench/syndication/run.py, bench/insights/run.py): their error, their log
line, their common options, options from the environment, the production
environment of their subprocesses, ports, log tails, the machine and the
revision a result was measured at, writing the results, and the clean-up at
the end. They import it by its folder, since each runs as a script."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"


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


def log_header(header: str) -> None:
    """A table's header line, underlined."""
    log(header)
    log("-" * len(header))


def print_figures(figures: list[dict]) -> None:
    """The suite's table: each figure (a dict with workload, figure, value,
    unit "x" | "rise" | other, target, pass, baseline) on a line."""
    log_header(f"{'workload':<9} {'figure':<46} {'value':>10}  {'target':<8} {'':<5} baseline")
    for item in figures:
        value = item["value"]
        if item["unit"] == "x":
            shown = f"{value:.2f}x"
        elif item["unit"] == "rise":
            shown = f"{value:+.0%}"
        else:
            shown = str(value)
        verdict = "" if item["pass"] is None else ("PASS" if item["pass"] else "FAIL")
        log(f"{item['workload']:<9} {item['figure']:<46} {shown:>10}  {item['target'] or '-':<8} "
            f"{verdict:<5} {item['baseline']}")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


# --------------------------------------------------------------------------
# Options


def new_parser(doc: str) -> argparse.ArgumentParser:
    """A runner's parser: its docstring's first paragraph, then the rest of it."""
    return argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def add_database_url(parser: argparse.ArgumentParser, default: str, more: str = "") -> None:
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or default,
                        help="PostgreSQL database the bench creates, fills and drops; its name must "
                             f"contain 'bench' (env DATABASE_URL; default {default}){more}")


def add_reuse(parser: argparse.ArgumentParser, reuse: str, fresh: str) -> None:
    """--reuse-db / --fresh-db, as args.reuse (None when neither is given)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--reuse-db", dest="reuse", action="store_true", default=None, help=reuse)
    group.add_argument("--fresh-db", dest="reuse", action="store_false", help=fresh)


def add_keep_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-db", action="store_true",
                        help="keep the filled database (and the temp dir) for inspection")


def add_results(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="where the JSON results go (default bench/results/)")
    parser.add_argument("--no-results", action="store_true", help="do not write the JSON file")


# --------------------------------------------------------------------------
# Subprocesses


def production_env(owned: tuple[str, ...] = (), **values: str) -> dict[str, str]:
    """This environment with production settings (DEBUG off, a fresh secret
    key) and values; what a developer's shell may point elsewhere (the
    settings, the database, media, DEBUG and owned) is the bench's."""
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MEDIA_ROOT", "DEBUG", *owned):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(values)
    return env


def result_line(output: str, what: str) -> dict:
    for line in output.splitlines():
        if line.startswith("RESULT_JSON "):
            return json.loads(line[len("RESULT_JSON "):])
    raise BenchError(f"{what} printed no result:\n{output[-3000:]}")


def run_step(script: Path, argv: tuple[str, ...], env: dict, log_path: Path, timeout: float,
             append: bool = False, result_what: str | None = None) -> dict:
    """Run one of the bench's scripts to the end, its output into log_path;
    its RESULT_JSON."""
    what = f"{script.name} {' '.join(argv)}"
    try:
        done = subprocess.run([sys.executable, str(script), *argv], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} took more than {timeout:.0f}s") from exc
    with open(log_path, "a" if append else "w") as handle:
        handle.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return result_line(done.stdout, result_what or what)


# --------------------------------------------------------------------------
# The machine, the record


def load_average() -> float:
    """The load average now, with a warning when other work competes."""
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        log(f"  WARNING: load average is {load:.1f} on {os.cpu_count()} CPUs before starting: "
            "other work competes with the benchmark, expect noisy figures (the ratios suffer less "
            "than the absolute numbers)")
    return load


def versions(*dists: str) -> dict:
    found = {"python": platform.python_version()}
    from importlib.metadata import version

    for dist in dists:
        try:
            found[dist.lower()] = version(dist)
        except Exception:  # noqa: BLE001 - informational only
            pass
    return found


def run_record(started_at, elapsed: float, quick: bool, load_before: float, found_versions: dict) -> dict:
    """The head of every result file: when, how long, where, with what."""
    return {
        "started_at": started_at.isoformat(),
        "elapsed_s": elapsed,
        "quick": quick,
        "git": git_revision(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_start": load_before, "loadavg_end": os.getloadavg()[0]},
        "versions": found_versions,
    }


def write_results(out: Path, record: dict, elapsed: float, **dumps) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2, **dumps) + "\n")
    shown = out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out
    log(f"Results: {shown}  ({elapsed}s)")


# --------------------------------------------------------------------------
# The end


def broken(exc: BenchError, logs: Path | None = None) -> int:
    """Say the run broke (and where its logs are kept); its exit status."""
    log(f"\nBENCHMARK BROKEN: {exc}")
    if logs is not None:
        log(f"logs kept in {logs}")
    return 1


def interrupted() -> int:
    log("\ninterrupted")
    return 130


@contextlib.contextmanager
def cleaning_up():
    """For a runner's finally: SIGTERM back to its default, and no second
    Ctrl-C mid-cleanup."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def remove_tmp(tmp: Path, keep: bool, say: bool = True) -> None:
    """Remove the temp dir, unless keep (then say so, if say)."""
    if keep:
        if say:
            log(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
