#!/usr/bin/env python
"""The benchmark suite (make bench): W1-W5, each against a baseline measured
in the same run, written to bench/results/<date>.json with one table.

    .venv/bin/python bench/run.py            # full: about 12 minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # every workload, small and short

- W1 fan-out: bench/syndication/run.py, one page to 100,000 email members
  (PostgreSQL, two outbox workers, an aiosmtpd sink), against smtplib
  sending one pre-built message to the same sink (the raw SMTP ceiling).
- W2-W5: bench/pages/run.py, gunicorn with the production settings on
  PostgreSQL and Redis: the article with 50 comments, the site feed of 50
  full-content items and its conditional GET, the API's page list and
  comment thread, each against a static file from the same server, and the
  article's p95 alone and during a comment flood.

Each runner also writes its own detailed JSON next to the suite's; the
suite's file holds every figure, its baseline, its target and the verdict,
and both runners' records whole. The exit status is 1 only when a runner
broke (a check failed, a message was lost); targets are reported.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import (  # noqa: E402
    REPO_ROOT,
    add_results,
    load_average,
    log,
    new_parser,
    print_figures,
    run_record,
    versions,
    write_results,
)

RUNNERS = {
    "W1": HERE / "syndication" / "run.py",
    "W2-W5": HERE / "pages" / "run.py",
}


def parse_args(argv):
    parser = new_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3,000 members for W1, 2 s per web target, a 5 s flood")
    parser.add_argument("--only", choices=sorted(RUNNERS), action="append",
                        help="run only these workloads (repeatable)")
    add_results(parser)
    return parser.parse_args(argv)


def run_runner(name: str, script: Path, quick: bool, results_dir: Path) -> dict:
    """Run one runner with its output shown as it goes; its JSON record."""
    argv = [sys.executable, str(script), "--results-dir", str(results_dir)]
    if quick:
        argv.append("--quick")
    log(f"\n== {name}: {script.relative_to(REPO_ROOT)}{' --quick' if quick else ''}")
    done = subprocess.run(argv, cwd=REPO_ROOT)
    written = sorted(results_dir.glob("*.json"), key=lambda path: path.stat().st_mtime)
    record = json.loads(written[-1].read_text()) if written else None
    return {"exit_status": done.returncode, "record": record}


def w1_figures(record: dict) -> list[dict]:
    send = record["targets"]["send_ratio"]
    raw = [phase for phase in record["phases"] if phase["kind"] == "raw"]
    raw_rate = sum(phase["msg_per_s"] for phase in raw) / len(raw)
    members = record["targets"]["fanout_seconds"]["members"]
    return [{
        "workload": "W1", "figure": f"one page to {members:,} email members", "value": send["value"],
        "unit": "x", "baseline": f"raw smtplib to the same SMTP sink, {raw_rate:.0f} msg/s",
        "target": ">= 0.7", "pass": send["pass"],
    }]


def results_path(results_dir: Path, started_at: dt.datetime) -> Path:
    """bench/results/<date>.json; a second run on the same day gets -2, and so on."""
    path = results_dir / f"{started_at.date().isoformat()}.json"
    number = 2
    while path.exists():
        path = results_dir / f"{started_at.date().isoformat()}-{number}.json"
        number += 1
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    load_before = load_average()
    runs, figures = {}, []
    with tempfile.TemporaryDirectory(prefix="hearthside-suite-") as tmp:
        for name, script in RUNNERS.items():
            if args.only and name not in args.only:
                continue
            out = Path(tmp) / name
            out.mkdir()
            runs[name] = run_runner(name, script, args.quick, out)
            record = runs[name]["record"]
            if runs[name]["exit_status"] == 0 and record:
                figures += w1_figures(record) if name == "W1" else record["workloads"]
            if not args.no_results:
                # Each runner's own file too, as when it runs alone.
                args.results_dir.mkdir(parents=True, exist_ok=True)
                for written in out.glob("*.json"):
                    shutil.copy2(written, args.results_dir / written.name)

    broken = [name for name, run in runs.items() if run["exit_status"] != 0]
    log("\n== The suite: every figure over its baseline, measured in the same run"
        f" ({os.cpu_count()} CPUs, {'quick' if args.quick else 'full'})")
    print_figures(figures)
    for name in broken:
        log(f"BROKEN: {name} exited with {runs[name]['exit_status']}: its figures are left out")
    if args.quick:
        log("  (quick run: too small and short to judge the targets)")
    record = {
        **run_record(started_at, round(time.perf_counter() - started, 1), args.quick, load_before,
                     versions("Django", "wagtail", "gunicorn", "psycopg", "redis")),
        "figures": figures,
        "broken": broken,
        "runs": runs,
    }
    if not args.no_results:
        write_results(results_path(args.results_dir, started_at), record, record["elapsed_s"])
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
