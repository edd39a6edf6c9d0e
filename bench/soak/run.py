#!/usr/bin/env python
"""Soak benchmark: the site under steady load for a long time while updates
to 50,000 members go out, one after another.

    .venv/bin/python bench/soak/run.py                 # 30 minutes (not part of make bench)
    .venv/bin/python bench/soak/run.py --minutes 2     # a short try

Builds the web benchmark's deployment (bench/pages/run.py: PostgreSQL, Redis,
the demo with an article of 50 comments, gunicorn with the production
settings and the page cache off), measures the article's uncached capacity
with wrk, then asks for it at half that rate for --minutes, in one-minute
slices, while two outbox workers (bench/syndication/steps.py) send one update
to --members members after another to the syndication bench's SMTP sink.

Reported per slice and in all: the article's p95 latency, its error rate
(non-2xx answers and socket errors over requests) and the gunicorn workers'
memory (RSS). Targets: errors < 0.1%, worker memory growth from the first
slice to the last < 10%. The baseline of the load is the same server's
capacity, measured in the same run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/common.py, bench/database.py
from common import (  # noqa: E402
    REPO_ROOT,
    BenchError,
    add_database_url,
    add_results,
    broken,
    cleaning_up,
    free_port,
    interrupted,
    load_average,
    log,
    new_parser,
    print_figures,
    raise_interrupt,
    remove_tmp,
    run_record,
    versions,
    write_results,
)
from database import release  # noqa: E402


def _bench(name: str):
    """bench/<name>/run.py as a module (both runners are called run.py)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}_run", HERE.parent / name / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


pages = _bench("pages")
syndication = _bench("syndication")

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/hearthside_bench_soak"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TARGET_ERROR_RATE = 0.001
TARGET_MEMORY_GROWTH = 0.10
SLICE_SECONDS = 60
# Connections asking at the steady rate: enough that each waits between its
# requests even when the send makes answers slow.
SOAK_CONNECTIONS = 16
NO_SEND_DELAY = (
    "import dataclasses; from wagtail.models import Site; "
    "from plugins.syndication.config import save_settings, settings_for; "
    "site = Site.objects.get(is_default_site=True); "
    "save_settings(site, dataclasses.replace(settings_for(site), send_delay_minutes=0))"
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = new_parser(__doc__)
    parser.add_argument("--minutes", type=int, default=30, help="length of the soak (default 30)")
    parser.add_argument("--members", type=int, default=50_000, help="members each update goes to (default 50,000)")
    parser.add_argument("--load", type=float, default=0.5,
                        help="the article's rate as a share of its measured uncached capacity (default 0.5)")
    add_database_url(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL,
                        help=f"Redis database of the cache and queue, flushed (default {DEFAULT_REDIS_URL})")
    add_results(parser)
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (logs) for inspection")
    args = parser.parse_args(argv)
    # What bench/pages/run.py's helpers read.
    args.quick, args.reuse, args.static_name = False, True, None
    args.threads, args.connections, args.warmup, args.duration = 2, 16, 2, 10
    args.paced_rate = 0.0
    return args


def worker_rss_mb(server) -> list[float]:
    """Resident memory of each of the gunicorn master's workers (Linux /proc)."""
    sizes = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == server.proc.pid:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


class Sending:
    """Updates to every member, one after another, by two outbox workers, until stopped."""

    def __init__(self, env: dict, tmp: Path, sink, members: int):
        self.env, self.tmp, self.sink, self.members = env, tmp, sink, members
        self.stop = threading.Event()
        self.rounds: list[dict] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        command = [sys.executable, str(syndication.STEPS), "send"]
        try:
            while not self.stop.is_set():
                fanned = syndication.step(self.env, self.tmp, "fanout", str(self.tmp / "message.eml"))
                started = time.monotonic()
                results, sink = syndication.run_together([command, command], self.env, self.tmp, "send",
                                                          self.sink, timeout=3600)
                self.rounds.append({
                    "update_id": fanned["update_id"], "deliveries": fanned["deliveries"],
                    "seconds": round(time.monotonic() - started, 1), "received": sink.get("messages"),
                    "worker_rss_mb": [round(r["memory_kb"]["end"]["VmRSS"] / 1024, 1) for r in results],
                })
        except BaseException as exc:  # reported by the main thread
            self.error = exc


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, raise_interrupt)
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="hearthside-soak-"))
    server = sink = sending = database = None
    try:
        log(f"Hearthside soak: {args.minutes} min at {args.load:.0%} of the uncached article's capacity, "
            f"updates to {args.members:,} members meanwhile; temp dir {tmp}")
        load_before = load_average()
        database = pages.PagesDatabase(args.database_url)
        pages.flush_redis(args.redis_url)
        info = pages.prepare(tmp, args, database)
        sink = syndication.Sink(tmp)
        sink.start()
        port = free_port()
        env = pages.bench_env(tmp, args, {
            "PAGE_CACHE_SECONDS": "0", "SYNDICATION_FEED_CACHE_SECONDS": "0", "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_GRACEFUL_TIMEOUT": "5", "EMAIL_URL": f"smtp://127.0.0.1:{sink.smtp_port}",
            "TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "API_THROTTLE_ANON": "100000000/min", "API_THROTTLE_USER": "100000000/min",
        })
        seeded = syndication.step(env, tmp, "seed", str(args.members))
        # Updates go out as soon as they are made, as in the syndication benchmark.
        subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", NO_SEND_DELAY], cwd=REPO_ROOT, env=env,
                       check=True, capture_output=True, timeout=120)
        log(f"  {seeded['members']:,} members; the demo {'reused' if info.get('reused_state') else 'prepared'}")
        server = pages.Server("uncached", port, env, tmp / "gunicorn.log")
        server.start()
        server.wait_ready()
        article = pages.server_targets("/", info, "")[2]

        capacity = pages.measure(server, article, args, cached=False)
        args.paced_rate = capacity.rps * args.load
        log(f"  capacity: {capacity.rps:.1f} req/s uncached (p95 {capacity.p95_ms:.1f} ms); "
            f"soaking at {args.paced_rate:.1f} req/s")

        pace_ms = max(1, round(SOAK_CONNECTIONS * 1000 / args.paced_rate - capacity.p50_ms))
        sending = Sending(env, tmp, sink, args.members)
        sending.thread.start()
        slices = []
        for number in range(1, args.minutes + 1):
            if sending.error is not None:
                raise BenchError(f"the sending stopped: {sending.error}")
            rss_before = worker_rss_mb(server)
            paced = pages.paced_article(server, article, args, SLICE_SECONDS, connections=SOAK_CONNECTIONS,
                                        pace_ms=pace_ms)
            # wrk waits pace_ms after each answer: take off the slice's own latency, so the next keeps the rate.
            pace_ms = max(1, round(SOAK_CONNECTIONS * 1000 / args.paced_rate - paced["mean_ms"]))
            errors = paced["non_2xx_3xx"] + sum(paced["socket_errors"].values())
            slices.append({"minute": number, "pace_ms": paced["pace_ms"], "requests": paced["requests"],
                           "rps": round(paced["rps"], 1),
                           "p95_ms": round(paced["p95_ms"], 2), "errors": errors,
                           "worker_rss_mb": [round(size, 1) for size in worker_rss_mb(server)],
                           "worker_rss_before_mb": [round(size, 1) for size in rss_before],
                           "updates_sent": len(sending.rounds)})
            last = slices[-1]
            log(f"  minute {number:3d}: {last['rps']:6.1f} req/s  p95 {last['p95_ms']:7.2f} ms  errors {errors}  "
                f"workers {last['worker_rss_mb']} MB  updates sent so far {last['updates_sent']}")
        sending.stop.set()
        sending.thread.join(timeout=3600)
        if sending.error is not None:
            raise BenchError(f"the sending stopped: {sending.error}")

        requests = sum(s["requests"] for s in slices)
        errors = sum(s["errors"] for s in slices)
        first, last = sum(slices[0]["worker_rss_mb"]), sum(slices[-1]["worker_rss_mb"])
        growth = last / first - 1 if first else 0.0
        p95s = sorted(s["p95_ms"] for s in slices)
        delivered = sum(r["received"] or 0 for r in sending.rounds)
        figures = [
            {"workload": "soak p95", "figure": f"the article at {args.load:.0%} of capacity, {args.minutes} min "
             f"(worst minute {p95s[-1]:.1f} ms)", "value": f"{p95s[len(p95s) // 2]:.1f} ms", "unit": "ms",
             "target": "", "pass": None,
             "baseline": f"capacity {capacity.rps:.1f} req/s uncached, p95 {capacity.p95_ms:.1f} ms"},
            {"workload": "errors", "figure": f"non-2xx and socket errors of {requests:,} requests",
             "value": f"{errors / requests:.3%}", "unit": "%", "target": f"< {TARGET_ERROR_RATE:.1%}",
             "pass": errors / requests < TARGET_ERROR_RATE, "baseline": "-"},
            {"workload": "memory", "figure": f"{len(slices[-1]['worker_rss_mb'])} gunicorn workers' RSS, "
             f"{first:.0f} -> {last:.0f} MB", "value": f"{growth:+.1%}", "unit": "%",
             "target": f"< {TARGET_MEMORY_GROWTH:.0%}", "pass": growth < TARGET_MEMORY_GROWTH,
             "baseline": "after the first minute"},
            {"workload": "sending", "figure": f"{len(sending.rounds)} updates to {args.members:,} members",
             "value": f"{delivered:,}", "unit": "messages", "target": "", "pass": None, "baseline": "-"},
        ]
        log("")
        print_figures(figures)
        record = {
            **run_record(started_at, round(time.perf_counter() - started, 1), False, load_before,
                         versions("django", "wagtail", "gunicorn")),
            "capacity": capacity.__dict__, "paced_rate": args.paced_rate, "slices": slices,
            "sending": sending.rounds, "figures": figures,
        }
        if not args.no_results:
            write_results(args.results_dir / f"soak-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json",
                          record, record["elapsed_s"])
        return 0 if all(f["pass"] is not False for f in figures) else 1
    except BenchError as exc:
        return broken(exc, tmp if args.keep_tmp else None)
    except KeyboardInterrupt:
        return interrupted()
    finally:
        with cleaning_up():
            if sending is not None:
                sending.stop.set()
            if server is not None:
                server.stop(graceful=False, timeout=10)
            if sink is not None:
                sink.stop()
            release(database, args.keep_tmp)
            try:
                pages.flush_redis(args.redis_url)
            except BenchError:
                pass
            remove_tmp(tmp, args.keep_tmp)


if __name__ == "__main__":
    sys.exit(main())
