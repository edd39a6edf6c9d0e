#!/usr/bin/env python
"""Syndication benchmark: one page sent to every email member through the
outbox, against smtplib sending one pre-built message to the same sink.

    .venv/bin/python bench/syndication/run.py            # full run (make bench): 100,000 members
    .venv/bin/python bench/syndication/run.py --quick    # smoke run for CI: 3,000 members

Builds a fresh PostgreSQL database (DATABASE_URL, default
postgres://root@127.0.0.1:5432/hearthside_bench_synd; migrated once and
kept as a template keyed by the migrations), seeds a site, an article and
confirmed email members with bulk inserts, and starts an aiosmtpd sink in
its own process. Then, at a tenth of the members and at all of them: a new
update of the article is fanned out by plugins.syndication.fanout (timed),
and C worker processes run plugins.syndication.outbox.run() side by side
until every delivery is sent. The raw ceiling is smtplib sending one
message built by the same email code over C connections in parallel, in
the same run; figures are given as ratios to it. See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/common.py, bench/database.py
from common import (  # noqa: E402
    REPO_ROOT,
    BenchError,
    add_database_url,
    add_keep_db,
    add_results,
    add_reuse,
    broken,
    cleaning_up,
    env_number,
    free_port,
    interrupted,
    load_average,
    log,
    log_header,
    new_parser,
    plural,
    production_env,
    raise_interrupt,
    remove_tmp,
    result_line,
    run_record,
    run_step,
    tail,
    versions,
    write_results,
)
from database import PostgresDatabase, migrate, release  # noqa: E402

STEPS = HERE / "steps.py"
SINK = HERE / "sink.py"
RAW = HERE / "raw.py"

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/hearthside_bench_synd"
FULL_MEMBERS, QUICK_MEMBERS = 100_000, 3_000
RAW_COUNT_CAP = 20_000  # raw messages per round (or the members, if fewer)
# The targets (issue 5): they are reported, they do not change the exit status.
TARGET_SEND_RATIO = 0.7  # outbox msg/s >= 0.7 x raw smtplib msg/s
TARGET_FANOUT_SECONDS = 10.0  # per 100,000 deliveries
TARGET_FANOUT_PER = 100_000
TARGET_PEAK_RSS_MB = 250.0  # every worker
TARGET_FLAT_RATIO = 1.10  # worker peak RSS at N over at N/10
READY_TIMEOUT = 120


# --------------------------------------------------------------------------
# Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = new_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_MEMBERS:,} members, one raw round, the migrated "
                             "template database reused")
    parser.add_argument("--members", type=int, default=env_number("BENCH_MEMBERS", None),
                        help=f"members the page goes to (env BENCH_MEMBERS; default {FULL_MEMBERS:,}, "
                             f"quick {QUICK_MEMBERS:,})")
    parser.add_argument("--small", type=int, default=None,
                        help="members of the first, smaller send, for memory flatness "
                             "(default: a tenth of --members)")
    parser.add_argument("--senders", "-c", type=int, default=env_number("BENCH_SENDERS", None),
                        help="worker processes, and raw smtplib connections (env BENCH_SENDERS, "
                             "default 2; 1 on SQLite, which locks concurrent writers out)")
    parser.add_argument("--raw-count", type=int, default=None,
                        help=f"messages per raw round (default: the members, at most {RAW_COUNT_CAP:,})")
    parser.add_argument("--batch-size", type=int, default=env_number("SYNDICATION_BATCH_SIZE", None),
                        help="rows a worker claims at a time (SYNDICATION_BATCH_SIZE; default: "
                             "the settings' own)")
    add_database_url(parser, DEFAULT_DATABASE_URL,
                     ". sqlite:// runs on a SQLite file in the temp dir instead")
    add_reuse(parser,
              reuse="start from the migrated template database when the migrations have not changed "
                    "(default with --quick)",
              fresh="always migrate from scratch (default without --quick)")
    add_keep_db(parser)
    parser.add_argument("--profile", action="store_true",
                        help="run the full-size workers under cProfile; prints where their time "
                             "goes and keeps the .prof files next to the results")
    add_results(parser)
    args = parser.parse_args(argv)

    if args.members is None:
        args.members = QUICK_MEMBERS if args.quick else FULL_MEMBERS
    if args.small is None:
        args.small = max(1, args.members // 10)
    if args.raw_count is None:
        args.raw_count = min(args.members, RAW_COUNT_CAP)
    if args.reuse is None:
        args.reuse = args.quick
    if args.members < 10 or not 0 < args.small < args.members:
        parser.error("--members must be at least 10, and --small between 1 and --members")
    if args.senders is None:
        args.senders = 1 if args.database_url.startswith("sqlite") else 2
    if args.senders < 1 or args.raw_count < args.senders:
        parser.error("--senders must be at least 1, and --raw-count at least --senders")
    return args


# --------------------------------------------------------------------------
# The database


class Database(PostgresDatabase):
    """The database the bench owns: created fresh (from the migrated
    template), dropped at the end; or a SQLite file in the temp dir."""

    needs = "postgres:// or sqlite://"

    def __init__(self, url: str, tmp: Path):
        self.tmp = tmp
        if urlsplit(url).scheme.startswith("sqlite"):
            self.vendor = "sqlite"
            self.name = str(tmp / "bench.sqlite3")
            self.url = f"sqlite:///{self.name}"
            self.created = False
            self.how = ""
        else:
            super().__init__(url)
            self.vendor = "postgresql"

    def create(self, env: dict, reuse: bool) -> None:
        if self.vendor == "sqlite":
            started = time.perf_counter()
            self.created = True
            migrate(env)
            self.how = f"migrated a new SQLite file in {time.perf_counter() - started:.1f}s"
            return
        super().create(env, reuse)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            super().drop()

    def server_version(self) -> str | None:
        if self.vendor != "postgresql":
            import sqlite3

            return sqlite3.sqlite_version
        return super().server_version()


# --------------------------------------------------------------------------
# Processes


def bench_env(tmp: Path, database: Database, smtp_port: int, args: argparse.Namespace) -> dict[str, str]:
    """Production settings, mail to the sink, tasks nowhere: the bench
    itself fans out and runs the workers."""
    env = production_env(
        ("EMAIL_URL", "TASK_BACKEND", "SYNDICATION_BATCH_SIZE", "CACHE_URL"),
        ALLOWED_HOSTS="copper-kettle.example,127.0.0.1",
        DATABASE_URL=database.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        MEDIA_ROOT=str(tmp / "media"),
    )
    if args.batch_size:
        env["SYNDICATION_BATCH_SIZE"] = str(args.batch_size)
    return env


def step(env: dict, tmp: Path, *argv: str, timeout: float = 900) -> dict:
    """Run one steps.py command to the end; its RESULT_JSON."""
    return run_step(STEPS, argv, env, tmp / f"step-{argv[0]}.log", timeout, append=True,
                    result_what=f"steps.py {argv[0]}")


class Sink:
    """The aiosmtpd process every message goes to."""

    def __init__(self, tmp: Path):
        self.smtp_port, self.control_port = free_port(), free_port()
        self.log_path = tmp / "sink.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(SINK), str(self.smtp_port), str(self.control_port)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True,
            start_new_session=True,
        )
        line = self.proc.stdout.readline()
        if line.strip() != "SINK_READY":
            raise BenchError(f"the SMTP sink did not start ({line!r}):\n{tail(self.log_path, 20)}")

    def ask(self, command: str) -> dict:
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=10) as conn:
            conn.sendall(command.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def stop(self) -> dict | None:
        if self.proc is None:
            return None
        final = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out, _ = self.proc.communicate(timeout=10)
                final = json.loads(out.strip().splitlines()[-1]) if out.strip() else None
            except (subprocess.TimeoutExpired, ValueError):
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.proc = None
        return final


def run_together(commands: list[list[str]], env: dict, tmp: Path, name: str, sink: Sink,
                 timeout: float) -> tuple[list[dict], dict]:
    """Start the processes, wait until each says READY, reset the sink, let
    them all go at once and wait for every one. Returns their results and
    the sink's figures for the phase."""
    procs, logs = [], []
    try:
        for index, command in enumerate(commands):
            log_file = open(tmp / f"{name}-{index}.log", "w")
            logs.append(log_file)
            procs.append(subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=log_file, text=True))
        deadline = time.monotonic() + READY_TIMEOUT
        for index, proc in enumerate(procs):
            line = proc.stdout.readline()
            if line.strip() != "READY":
                raise BenchError(f"{name} process {index} did not get ready ({line!r}):\n"
                                 f"{tail(tmp / f'{name}-{index}.log', 30)}")
            if time.monotonic() > deadline:
                raise BenchError(f"{name} processes took more than {READY_TIMEOUT}s to start")
        sink.ask("RESET")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        finish_by = time.monotonic() + timeout
        for index, proc in enumerate(procs):
            try:
                out, _ = proc.communicate(timeout=max(1.0, finish_by - time.monotonic()))
            except subprocess.TimeoutExpired as exc:
                raise BenchError(f"{name} did not finish within {timeout:.0f}s") from exc
            if proc.returncode != 0:
                raise BenchError(f"{name} process {index} failed (exit {proc.returncode}):\n"
                                 f"{tail(tmp / f'{name}-{index}.log', 40)}")
            results.append(result_line(out, f"{name} process {index}"))
        return results, sink.ask("COUNT")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for log_file in logs:
            log_file.close()


# --------------------------------------------------------------------------
# The phases


@dataclass
class Phase:
    kind: str  # "raw", "fanout", "send"
    label: str
    members: int
    messages: int
    seconds: float
    cpu_us_per_msg: dict = field(default_factory=dict)  # sender / db / sink
    peak_rss_mb: list[float] = field(default_factory=list)
    ready_rss_mb: list[float] = field(default_factory=list)
    detail: dict = field(default_factory=dict)
    ratio_to_raw: float | None = None

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def per_message_us(seconds: float | None, messages: int) -> float | None:
    return None if seconds is None or not messages else seconds / messages * 1e6


def raw_round(sink: Sink, env: dict, tmp: Path, message: dict, args, label: str) -> Phase:
    counts = [args.raw_count // args.senders] * args.senders
    counts[0] += args.raw_count - sum(counts)
    commands = [[sys.executable, str(RAW), "127.0.0.1", str(sink.smtp_port), message["path"],
                 message["from"], message["to"][0], str(count)] for count in counts]
    results, received = run_together(commands, env, tmp, "raw", sink, timeout=60 + args.raw_count / 20)
    if received["messages"] != args.raw_count:
        raise BenchError(f"raw round: the sink received {received['messages']} messages, "
                         f"expected {args.raw_count}")
    seconds = max(r["finished"] for r in results) - min(r["started"] for r in results)
    phase = Phase("raw", label, 0, args.raw_count, seconds, detail={"processes": results, "sink": received})
    phase.cpu_us_per_msg = {"sender": per_message_us(sum(r["cpu_s"] for r in results), args.raw_count),
                            "sink": per_message_us(received["cpu_s"], args.raw_count)}
    return phase


def fanout_phase(env: dict, tmp: Path, members: int) -> tuple[Phase, dict]:
    done = step(env, tmp, "fanout", str(tmp / f"message-{members}.eml"), timeout=120 + members / 100)
    if done["deliveries"] != members:
        raise BenchError(f"fan-out created {done['deliveries']} deliveries for {members} members")
    memory = done["memory_kb"]
    phase = Phase("fanout", f"create deliveries ({members:,})", members, done["deliveries"], done["seconds"],
                  detail=done)
    phase.cpu_us_per_msg = {"sender": per_message_us(done["cpu_s"], members),
                            "db": per_message_us(done.get("db_cpu_s"), members)}
    phase.peak_rss_mb = [memory["after"]["VmHWM"] / 1024]
    phase.ready_rss_mb = [memory["before"]["VmRSS"] / 1024]
    return phase, done


def send_phase(sink: Sink, env: dict, tmp: Path, members: int, update_id: int, args,
               profile_dir: Path | None) -> Phase:
    commands = []
    for index in range(args.senders):
        command = [sys.executable, str(STEPS), "send"]
        if profile_dir is not None:
            command += ["--profile", str(profile_dir / f"worker-{index}.prof")]
        commands.append(command)
    results, received = run_together(commands, env, tmp, f"send-{members}", sink,
                                     timeout=120 + members / 20)
    sent = sum(r["counts"].get("sent", 0) for r in results)
    checked = step(env, tmp, "verify", str(update_id))
    problems = []
    if received["messages"] != members:
        problems.append(f"the sink received {received['messages']} messages")
    if sent != members:
        problems.append(f"the workers sent {sent} ({[r['counts'] for r in results]})")
    if checked["deliveries"] != {"sent": members} or checked["distinct_members"] != members:
        problems.append(f"deliveries are {checked['deliveries']} for {checked['distinct_members']} members")
    if checked["status"] != "sent":
        problems.append(f"the update is {checked['status']!r}, not 'sent'")
    outages = [r["outage"] for r in results if r["outage"]]
    if outages:
        problems.append(f"outage: {outages[0]}")
    if problems:
        raise BenchError(f"sending to {members} members: " + "; ".join(problems))
    seconds = max(r["finished"] for r in results) - min(r["started"] for r in results)
    db = [r.get("db_cpu_s") for r in results]
    phase = Phase("send", f"send ({members:,}, {plural(args.senders, 'worker')})", members, members, seconds,
                  detail={"processes": results, "sink": received, "verify": checked})
    phase.cpu_us_per_msg = {"sender": per_message_us(sum(r["cpu_s"] for r in results), members),
                            "db": per_message_us(None if None in db else sum(db), members),
                            "sink": per_message_us(received["cpu_s"], members)}
    phase.peak_rss_mb = [r["memory_kb"]["end"]["VmHWM"] / 1024 for r in results]
    phase.ready_rss_mb = [r["memory_kb"]["ready"]["VmRSS"] / 1024 for r in results]
    return phase


# --------------------------------------------------------------------------
# Report


def print_table(phases: list[Phase]) -> None:
    header = (f"{'phase':<34} {'messages':>9} {'seconds':>8} {'msg/s':>9} {'x raw':>7} "
              f"{'CPU us/msg: sender':>19} {'db':>6} {'sink':>6} {'peak RSS MB':>12}")
    log_header(header)

    def us(value):
        return f"{value:6.0f}" if value is not None else f"{'-':>6}"

    for phase in phases:
        ratio = f"{phase.ratio_to_raw:6.2f}x" if phase.ratio_to_raw is not None else f"{'':>7}"
        rate = f"{phase.rate:9.1f}"
        cpu = phase.cpu_us_per_msg
        sender = cpu.get("sender")
        rss = " / ".join(f"{mb:.0f}" for mb in phase.peak_rss_mb) if phase.peak_rss_mb else "-"
        log(f"{phase.label:<34} {phase.messages:>9,} {phase.seconds:8.2f} {rate} {ratio} "
            f"{(f'{sender:19.0f}' if sender is not None else f'{chr(45):>19}')} {us(cpu.get('db'))} "
            f"{us(cpu.get('sink'))} {rss:>12}")


def print_profile(profile_dir: Path, limit: int = 40) -> list[str]:
    import io
    import pstats

    files = sorted(profile_dir.glob("worker-*.prof"))
    if not files:
        return []
    out = io.StringIO()
    stats = pstats.Stats(*[str(f) for f in files], stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    text = out.getvalue()
    log("\ncProfile of the full-size workers (all of them together):")
    log(text)
    return [str(f) for f in files]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="hearthside-bench-synd-"))
    sink = Sink(tmp)
    database = None
    keep_tmp = args.keep_db
    try:
        log(f"Hearthside syndication benchmark ({'quick' if args.quick else 'full'}): "
            f"{args.members:,} members (and {args.small:,} first), {plural(args.senders, 'sender')}, "
            f"temp dir {tmp}")
        load_before = load_average()
        database = Database(args.database_url, tmp)
        sink.start()
        env = bench_env(tmp, database, sink.smtp_port, args)
        database.create(env, args.reuse)
        log(f"  database {database.name} ({database.vendor}): {database.how}")
        if database.vendor == "sqlite":
            log("  note: SQLite serialises writers (concurrent workers fail with 'database is locked'); "
                "PostgreSQL is the database this benchmark is about")
        prepared = step(env, tmp, "prepare")
        timings = {"prepare": prepared["seconds"]}

        phases: list[Phase] = []
        profile_dir = None
        if args.profile:
            profile_dir = tmp / "profile"
            profile_dir.mkdir()
        for members in (args.small, args.members):
            seeded = step(env, tmp, "seed", str(members), timeout=300 + members / 100)
            timings[f"seed_{members}"] = seeded["seconds"]
            log(f"  seeded {seeded['added']:,} members in {seeded['seconds']:.1f}s "
                f"({seeded['members']:,} in all)")
            fanout, done = fanout_phase(env, tmp, members)
            log(f"  fan-out: {members:,} deliveries created in {fanout.seconds:.2f}s "
                f"(peak RSS {fanout.peak_rss_mb[0]:.0f} MB)")
            phases.append(fanout)
            if members == args.members:
                message = done["message"]
                phases.append(raw_round(sink, env, tmp, message, args, "raw smtplib (before)"))
                log(f"  raw smtplib: {phases[-1].rate:.0f} msg/s ({message['bytes']:,}-byte message, "
                    f"{plural(args.senders, 'connection')})")
            send = send_phase(sink, env, tmp, members, done["update_id"], args,
                              profile_dir if members == args.members else None)
            phases.append(send)
            log(f"  sent {members:,} in {send.seconds:.1f}s: {send.rate:.0f} msg/s; worker peak RSS "
                + ", ".join(f"{mb:.0f}" for mb in send.peak_rss_mb) + " MB")
        if not args.quick:
            phases.append(raw_round(sink, env, tmp, message, args, "raw smtplib (after)"))
            log(f"  raw smtplib again: {phases[-1].rate:.0f} msg/s")

        raw = [p for p in phases if p.kind == "raw"]
        raw_rate = sum(p.rate for p in raw) / len(raw)
        raw_drift = abs(raw[0].rate - raw[-1].rate) / raw_rate if len(raw) > 1 else None
        small_send, full_send = [p for p in phases if p.kind == "send"]
        small_fanout, full_fanout = [p for p in phases if p.kind == "fanout"]
        total = Phase("total", f"end to end ({args.members:,}, fan-out+send)", args.members, args.members,
                      full_fanout.seconds + full_send.seconds)
        phases.append(total)
        for phase in phases:
            if phase.kind in ("raw", "send", "total"):
                phase.ratio_to_raw = phase.rate / raw_rate

        send_ratio = full_send.ratio_to_raw
        fanout_scaled = full_fanout.seconds * TARGET_FANOUT_PER / args.members
        peak = max(full_send.peak_rss_mb)
        flat = max(full_send.peak_rss_mb) / max(small_send.peak_rss_mb)
        fanout_flat = full_fanout.peak_rss_mb[0] / small_fanout.peak_rss_mb[0]
        targets = {
            "send_ratio": {"rule": f"outbox msg/s >= {TARGET_SEND_RATIO}x raw smtplib msg/s",
                           "value": round(send_ratio, 3), "pass": send_ratio >= TARGET_SEND_RATIO},
            "fanout_seconds": {"rule": f"creating {TARGET_FANOUT_PER:,} deliveries < "
                                       f"{TARGET_FANOUT_SECONDS:.0f} s",
                               "value": round(fanout_scaled, 2), "measured_s": round(full_fanout.seconds, 2),
                               "members": args.members, "pass": fanout_scaled < TARGET_FANOUT_SECONDS},
            "worker_peak_rss_mb": {"rule": f"every worker's peak RSS < {TARGET_PEAK_RSS_MB:.0f} MB",
                                   "value": round(peak, 1), "pass": peak < TARGET_PEAK_RSS_MB},
            "memory_flat": {"rule": f"worker peak RSS at {args.members:,} members <= {TARGET_FLAT_RATIO}x "
                                    f"at {args.small:,}",
                            "value": round(flat, 3), "fanout_ratio": round(fanout_flat, 3),
                            "pass": flat <= TARGET_FLAT_RATIO},
        }

        log("")
        log(f"{plural(args.senders, 'worker process', 'worker processes')} running "
            f"plugins.syndication.outbox.run() against {plural(args.senders, 'smtplib connection')}, "
            f"one aiosmtpd sink process, {database.vendor} "
            f"{database.server_version() or ''}; {os.cpu_count()} CPUs, load average "
            f"{load_before:.1f} at the start")
        log("x raw = msg/s over the raw smtplib msg/s (mean of the rounds); CPU us/msg: the sending "
            "processes' own CPU (workers or smtplib), their PostgreSQL backends', the sink's")
        print_table(phases)
        if raw_drift is not None:
            log(f"(raw before/after differ {raw_drift:.0%})")
        log("")
        log("Targets:")

        def verdict(ok):
            return "PASS" if ok else "FAIL"

        log(f"  sending >= {TARGET_SEND_RATIO}x the raw ceiling: {send_ratio:.2f}x "
            f"({full_send.rate:.0f} vs {raw_rate:.0f} msg/s) -> {verdict(targets['send_ratio']['pass'])}"
            f"   (end to end with the fan-out: {total.ratio_to_raw:.2f}x)")
        scaled_note = "" if args.members == TARGET_FANOUT_PER else \
            f" ({full_fanout.seconds:.2f}s for {args.members:,}, scaled)"
        log(f"  creating {TARGET_FANOUT_PER:,} deliveries < {TARGET_FANOUT_SECONDS:.0f} s: "
            f"{fanout_scaled:.2f} s{scaled_note} -> {verdict(targets['fanout_seconds']['pass'])}")
        log(f"  worker peak RSS < {TARGET_PEAK_RSS_MB:.0f} MB: {peak:.0f} MB "
            f"(after start-up {max(full_send.ready_rss_mb):.0f} MB) -> "
            f"{verdict(targets['worker_peak_rss_mb']['pass'])}")
        log(f"  memory flat in the members: worker peak RSS {max(full_send.peak_rss_mb):.0f} MB at "
            f"{args.members:,} / {max(small_send.peak_rss_mb):.0f} MB at {args.small:,} = {flat:.2f} -> "
            f"{verdict(targets['memory_flat']['pass'])}   (fan-out process: {fanout_flat:.2f})")
        if args.quick:
            log("  (quick run: this few members only show the benchmark works; judge the targets on "
                "a full run)")

        profiles = print_profile(profile_dir) if profile_dir is not None else []
        elapsed = round(time.perf_counter() - started, 1)
        record = {
            **run_record(started_at, elapsed, args.quick, load_before,
                         versions("Django", "wagtail", "aiosmtpd", "psycopg", "django-tasks")),
            "database": {"vendor": database.vendor, "server_version": database.server_version(),
                         "how": database.how},
            "members": args.members, "small": args.small, "senders": args.senders,
            "raw_count": args.raw_count, "batch_size": args.batch_size,
            "article": prepared["article"],
            "raw_msg_per_s": round(raw_rate, 1), "raw_drift": raw_drift,
            "targets": targets,
            "timings": timings,
            "phases": [{**p.__dict__, "msg_per_s": round(p.rate, 1)} for p in phases],
        }
        if not args.no_results:
            args.results_dir.mkdir(parents=True, exist_ok=True)
            stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
            out = args.results_dir / f"syndication-{stamp}.json"
            if profiles:
                kept = []
                for path in profiles:
                    target = args.results_dir / f"syndication-{stamp}-{Path(path).name}"
                    shutil.copy2(path, target)
                    kept.append(str(target))
                record["profiles"] = kept
            write_results(out, record, elapsed)
        else:
            log(f"({elapsed}s)")
        return 0
    except BenchError as exc:
        keep_tmp = True
        return broken(exc, logs=tmp)
    except KeyboardInterrupt:
        return interrupted()
    finally:
        with cleaning_up():
            sink.stop()
            release(database, args.keep_db)
            remove_tmp(tmp, keep_tmp, say=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
