#!/usr/bin/env python
"""Insights benchmark: the dashboard over a big community, against Wagtail's
own page explorer rendered by the same process in the same run.

    .venv/bin/python bench/insights/run.py            # full run (make bench): 100,000 members
    .venv/bin/python bench/insights/run.py --quick    # smoke run for CI: 5,000 members

Builds a PostgreSQL database of its own (DATABASE_URL, default
postgres://root@127.0.0.1:5432/hearthside_bench_insights; migrated once and
kept as a template keyed by the migrations), seeds one site with COPY: 100,000
members over 400 days, 200,000 deliveries of 40 updates with their events,
20,000 comments over 90 days, three polls. Then one process with production
settings renders, signed in as a superuser through django.test.Client, the
page explorer (the baseline), the admin home (with the insights panel) and
/admin/insights/?period=90, round after round, counting each render's
queries; then calls every receiver of the insights hooks alone, to say
which section costs what. See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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
    interrupted,
    load_average,
    log,
    log_header,
    new_parser,
    production_env,
    raise_interrupt,
    remove_tmp,
    run_record,
    run_step,
    tail,
    versions,
    write_results,
)
from database import PostgresDatabase, migrations_key, release  # noqa: E402

SEED = HERE / "seed.py"
MEASURE = HERE / "measure.py"

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/hearthside_bench_insights"


@dataclass(frozen=True)
class Size:
    members: int
    deliveries: int
    comments: int
    rounds: int
    warmup: int
    budget: float  # seconds of measured rounds, at least 3 of them, whatever --rounds says


FULL = Size(members=100_000, deliveries=200_000, comments=20_000, rounds=15, warmup=2, budget=180)
QUICK = Size(members=5_000, deliveries=10_000, comments=1_000, rounds=3, warmup=1, budget=30)
# The targets (issue 6).
TARGET_QUERIES = 30  # dashboard queries; exceeding it fails the run: counts are not noise
TARGET_MEDIAN_S = 1.0  # dashboard median render time: reported, not an exit status
# What each plugin's receiver may spend (the shared brief's budget), summary or not.
SECTION_BUDGETS = {"members": 6, "comments": 5, "syndication": 4, "polls": 3}
PAGE_ACTIVITY_BUDGET = 1
# The stylesheet every admin page links, served by WhiteNoise: an informational row.
STATIC_NAME = "wagtailadmin/css/core.css"


# --------------------------------------------------------------------------
# Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = new_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK.members:,} members, {QUICK.deliveries:,} deliveries, "
                             f"{QUICK.comments:,} comments, {QUICK.rounds} rounds; databases reused")
    parser.add_argument("--members", type=int, default=env_number("BENCH_MEMBERS", None),
                        help=f"members (env BENCH_MEMBERS; default {FULL.members:,}, "
                             f"quick {QUICK.members:,})")
    parser.add_argument("--deliveries", type=int, default=env_number("BENCH_DELIVERIES", None),
                        help=f"deliveries (env BENCH_DELIVERIES; default {FULL.deliveries:,}, "
                             f"quick {QUICK.deliveries:,})")
    parser.add_argument("--comments", type=int, default=env_number("BENCH_COMMENTS", None),
                        help=f"comments (env BENCH_COMMENTS; default {FULL.comments:,}, "
                             f"quick {QUICK.comments:,})")
    parser.add_argument("--rounds", type=int, default=env_number("BENCH_ROUNDS", None),
                        help=f"measured renders of each screen (env BENCH_ROUNDS; default {FULL.rounds}, "
                             f"quick {QUICK.rounds})")
    parser.add_argument("--warmup", type=int, default=None,
                        help=f"renders of each screen before measuring (default {FULL.warmup}, "
                             f"quick {QUICK.warmup})")
    parser.add_argument("--budget", type=float, default=None,
                        help=f"seconds the measured rounds may take before they stop (at least 3 rounds; "
                             f"default {FULL.budget:.0f}, quick {QUICK.budget:.0f}): a slow dashboard must "
                             "not make the run take an hour")
    parser.add_argument("--period", type=int, default=90, choices=(7, 30, 90, 365),
                        help="the dashboard's ?period= (default 90)")
    add_database_url(parser, DEFAULT_DATABASE_URL)
    add_reuse(parser,
              reuse="start from today's seeded copy of the same code and sizes, else from the "
                    "migrated template, and keep the seeded copy for next time (default with --quick)",
              fresh="migrate and seed from scratch (default without --quick)")
    add_keep_db(parser)
    add_results(parser)
    args = parser.parse_args(argv)

    size = QUICK if args.quick else FULL
    for name in ("members", "deliveries", "comments", "rounds", "warmup", "budget"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(size, name))
    if args.reuse is None:
        args.reuse = args.quick
    if args.members < 100 or args.deliveries < 40 or args.comments < 10:
        parser.error("at least 100 members, 40 deliveries and 10 comments")
    if args.deliveries > 40 * args.members * 0.8:
        parser.error("at most 0.8 x 40 deliveries per member (40 updates, each to a member at most once)")
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1, --warmup at least 0")
    return args


# --------------------------------------------------------------------------
# The database


def seed_key(args: argparse.Namespace) -> str:
    """A hash of what the seeded data depends on: the schema, the seeding
    code, the sizes, and the day (the data is laid out back from today)."""
    digest = hashlib.sha256()
    digest.update(migrations_key().encode())
    digest.update(SEED.read_bytes())
    digest.update(f"{args.members}/{args.deliveries}/{args.comments}".encode())
    digest.update(dt.datetime.now(dt.timezone.utc).date().isoformat().encode())
    return digest.hexdigest()[:12]


class Database(PostgresDatabase):
    """The database the bench owns: made at the start (from today's seeded
    template, else any bench's migrated template), dropped at the end."""

    needs = "the insights bench seeds with PostgreSQL's COPY, so it needs postgres://"

    def __init__(self, url: str):
        super().__init__(url)
        self.seeded_from_template: dict | None = None
        self.args: argparse.Namespace | None = None

    def seeded_template(self, args) -> str:
        return f"{self.name}_seed_{args.members}_{seed_key(args)}"[:63]

    def create(self, env: dict, args) -> bool:
        """Make the database; True when it came seeded (from today's seeded
        template), False when it still needs seeding."""
        self.args = args
        return super().create(env, args.reuse)

    def _from_filled_template(self, conn, started: float) -> bool:
        seeded = self.seeded_template(self.args)
        if not self._exists(conn, seeded):
            return False
        conn.execute(f'create database "{self.name}" template "{seeded}"')
        self.created = True
        comment = conn.execute("select shobj_description(oid, 'pg_database') from pg_database "
                               "where datname = %s", [seeded]).fetchone()[0]
        self.seeded_from_template = json.loads(comment) if comment else {}
        self.how = f"copied today's seeded template {seeded} in {time.perf_counter() - started:.1f}s"
        return True

    def keep_seeded(self, args, seeded: dict) -> str:
        """Copy the freshly seeded database as today's seeded template (older
        ones of the same size go: their data is laid out back from another day)."""
        name = self.seeded_template(args)
        with self._admin() as conn:
            self._drop_like(conn, f"{self.name}_seed_{args.members}_", keep=name)
            if not self._exists(conn, name):
                conn.execute(f'create database "{name}" template "{self.name}"')
                info = json.dumps({"seconds": seeded["seconds"], "timings": seeded["timings"],
                                   "seeded_at": seeded["seeded_at"]})
                conn.execute(f'comment on database "{name}" is ' + "'" + info.replace("'", "''") + "'")
        return name


# --------------------------------------------------------------------------
# Processes


def bench_env(tmp: Path, database: Database) -> dict[str, str]:
    """Production settings (DEBUG off, WhiteNoise's manifest storage), the
    bench's database, tasks nowhere. HTTPS is what production serves, so
    the requests are made as secure ones instead of turning the redirect off."""
    return production_env(
        ("TASK_BACKEND", "STATIC_ROOT", "ALLOWED_HOSTS", "PAGE_CACHE_SECONDS"),
        ALLOWED_HOSTS="copper-kettle.example,127.0.0.1",
        DATABASE_URL=database.url,
        TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
    )


def step(env: dict, tmp: Path, script: Path, *argv: str, timeout: float = 900) -> dict:
    """Run seed.py or measure.py to the end; its RESULT_JSON."""
    return run_step(script, argv, env, tmp / f"{script.stem}.log", timeout)


def start_collectstatic(env: dict, tmp: Path) -> subprocess.Popen:
    """collectstatic with the production storage (manifest, compressed),
    alongside the seeding: the admin's {% static %} needs the manifest."""
    handle = open(tmp / "collectstatic.log", "w")
    return subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                            cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_collectstatic(proc: subprocess.Popen, tmp: Path) -> str:
    if proc.wait(timeout=600) != 0:
        raise BenchError(f"collectstatic failed (exit {proc.returncode}):\n"
                         f"{tail(tmp / 'collectstatic.log', 30)}")
    manifest = json.loads((tmp / "static" / "staticfiles.json").read_text())
    hashed = manifest.get("paths", {}).get(STATIC_NAME)
    return f"/static/{hashed}" if hashed else ""


# --------------------------------------------------------------------------
# Report


LABELS = {"static": "static (WhiteNoise)", "explorer": "page explorer (baseline)", "home": "admin home",
          "dashboard": "insights dashboard"}


def print_screens(targets: dict) -> None:
    header = (f"{'screen':<26} {'path':<30} {'queries':>7} {'median ms':>10} {'p95 ms':>8} "
              f"{'x explorer':>11} {'KB':>7}")
    log_header(header)
    for key, row in targets.items():
        spread = "" if row["queries_min"] == row["queries_max"] else \
            f"  (queries {row['queries_min']}-{row['queries_max']})"
        log(f"{LABELS[key]:<26} {row['path'][:30]:<30} {row['queries']:>7} {row['median_s'] * 1000:10.1f} "
            f"{row['p95_s'] * 1000:8.1f} {row['ratio_to_explorer']:10.2f}x "
            f"{row['first']['bytes'] / 1024:7.1f}"
            f"{spread}")


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else "PASS" if ok else "FAIL"


def print_targets(rows: list[tuple[str, str, str, bool | None]]) -> None:
    header = f"{'figure':<44} {'result':>14} {'target':>10}  {'':4}"
    log_header(header)
    for figure, value, target, ok in rows:
        log(f"{figure:<44} {value:>14} {target:>10}  {verdict(ok)}")


def section_rows(receivers: list[dict], period: int) -> list[dict]:
    rows = []
    for entry in receivers:
        name = entry.get("key") or entry["plugin"] or entry["receiver"]
        if entry["hook"] == "insights_sections":
            kind = "summary" if entry["summary"] else "dashboard"
            budget = SECTION_BUDGETS.get(entry["plugin"])
        else:
            kind = "page activity"
            budget = PAGE_ACTIVITY_BUDGET
        main = entry["periods"].get(str(period)) or entry["periods"].get(period) or {}
        other = {days: data for days, data in entry["periods"].items() if str(days) != str(period)}
        grows = sorted({data.get("queries") for data in entry["periods"].values() if "queries" in data})
        rows.append({
            "receiver": entry["receiver"], "plugin": entry["plugin"], "name": name, "kind": kind,
            "error": main.get("error") or next((d["error"] for d in other.values() if "error" in d), None),
            "shape_error": main.get("shape_error"),
            "returned": main.get("returned"),
            "queries": main.get("queries"), "budget": budget,
            "queries_by_period": {str(days): data.get("queries") for days, data in entry["periods"].items()},
            "queries_vary": len(grows) > 1,
            "wall_ms": round(main["wall_s"] * 1000, 1) if "wall_s" in main else None,
            "sql_ms": round(main["sql_s"] * 1000, 1) if "sql_s" in main else None,
            "slowest_sql": main.get("slowest_sql"),
            "within_budget": (None if budget is None or main.get("queries") is None
                              else main["queries"] <= budget),
        })
    return rows


def print_sections(rows: list[dict], period: int) -> None:
    header = (f"{'section':<14} {'call':<14} {'queries':>7} {'budget':>6} {'7d/365d':>8} {'ms':>8} "
              f"{'SQL ms':>8}  {'':4}")
    log_header(header)
    for row in rows:
        if row["error"]:
            log(f"{row['name']:<14} {row['kind']:<14} RAISED {row['error'][:80]}")
            continue
        by = row["queries_by_period"]
        others = "/".join("-" if by.get(days) is None else str(by[days]) for days in ("7", "365"))
        note = "" if row["returned"] else "  (returned nothing)"
        if row["shape_error"]:
            note += f"  (shape refused: {row['shape_error'][:60]})"
        if row["queries_vary"]:
            note += "  (queries change with the period)"
        budget = row["budget"] or "-"
        log(f"{row['name']:<14} {row['kind']:<14} {row['queries']:>7} {budget:>6} {others:>8} "
            f"{row['wall_ms']:8.1f} {row['sql_ms']:8.1f}  {verdict(row['within_budget'])}{note}")


def check_seeded(measured: dict, args) -> None:
    counts = measured["counts"]
    wanted = {"members": args.members, "deliveries": args.deliveries, "comments": args.comments}
    wrong = {key: (counts.get(key), value) for key, value in wanted.items() if counts.get(key) != value}
    if wrong:
        raise BenchError("the measured database does not hold what was asked for (have, wanted): "
                         + ", ".join(f"{key} {have} != {value}" for key, (have, value) in wrong.items()))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="hearthside-bench-insights-"))
    database = None
    collectstatic = None
    keep_tmp = args.keep_db
    try:
        log(f"Hearthside insights benchmark ({'quick' if args.quick else 'full'}): {args.members:,} members, "
            f"{args.deliveries:,} deliveries, {args.comments:,} comments; {args.rounds} rounds after "
            f"{args.warmup} warm-up; temp dir {tmp}")
        load_before = load_average()
        database = Database(args.database_url)
        env = bench_env(tmp, database)
        collectstatic = start_collectstatic(env, tmp)
        came_seeded = database.create(env, args)
        log(f"  database {database.name}: {database.how}")
        if came_seeded:
            seeded = {"reused": True, **(database.seeded_from_template or {})}
            log(f"  (seeded on {seeded.get('seeded_at', '?')} in {seeded.get('seconds', '?')}s)")
        else:
            seeded = step(env, tmp, SEED, "--members", str(args.members), "--deliveries",
                          str(args.deliveries), "--comments", str(args.comments),
                          timeout=300 + args.members / 100)
            seeded["reused"] = False
            parts = ", ".join(f"{name} {seconds}s" for name, seconds in seeded["timings"].items())
            log(f"  seeded in {seeded['seconds']:.1f}s ({parts})")
            if args.reuse:
                log(f"  kept as {database.keep_seeded(args, seeded)} for --reuse-db")
        static_path = wait_collectstatic(collectstatic, tmp)
        collectstatic = None
        log(f"  database size {database.size_mb()} MB; measuring ...")

        measure_argv = ["--rounds", str(args.rounds), "--warmup", str(args.warmup),
                        "--period", str(args.period), "--budget-seconds", str(args.budget)]
        if static_path:
            measure_argv += ["--static-path", static_path]
        # The budget bounds the rounds; each receiver alone is called about 5 times more.
        measured = step(env, tmp, MEASURE, *measure_argv, timeout=900 + 3 * args.budget)
        check_seeded(measured, args)
        targets = measured["targets"]
        baseline = targets["explorer"]["median_s"]
        for row in targets.values():
            row["ratio_to_explorer"] = row["median_s"] / baseline
        dashboard, home = targets["dashboard"], targets["home"]
        sections = section_rows(measured["receivers"], args.period)

        problems = [f"logged while rendering: {message}" for message in measured["logged_errors"]]
        for row in sections:
            if row["error"]:
                problems.append(f"{row['receiver']} raised {row['error']}")
            elif row["shape_error"]:
                problems.append(f"{row['receiver']} returned a section the dashboard refuses: "
                                f"{row['shape_error']}")
        expected = sorted({row["name"] for row in sections if row["kind"] == "dashboard" and row["returned"]})
        missing = [key for key in expected if key not in measured["sections_present"]]
        if missing:
            problems.append(f"sections missing from the dashboard's HTML: {', '.join(missing)}")
        if not measured["summary_panel"]:
            problems.append("the admin home has no insights panel")
        queries_ok = dashboard["queries"] <= TARGET_QUERIES
        if not queries_ok:
            problems.append(f"the dashboard took {dashboard['queries']} queries (target <= {TARGET_QUERIES})")
        median_ok = dashboard["median_s"] < TARGET_MEDIAN_S

        log("")
        log(f"django.test.Client in one process, config.settings.production (DEBUG off), signed in as a "
            f"superuser; PostgreSQL {database.server_version() or ''}; {os.cpu_count()} CPUs, load average "
            f"{load_before:.1f} at the start")
        rounds = measured["rounds"]
        stopped = f", stopped by the {args.budget:.0f} s budget" if rounds["stopped_by_budget"] else ""
        log(f"{rounds['measured']} measured rounds after {rounds['warmup']} warm-up{stopped}; each round "
            "renders every screen once, in turn")
        log("x explorer = median render time over the page explorer's (Wagtail's own admin listing of "
            f"{targets['explorer']['path']}), measured round by round in the same process")
        print_screens(targets)
        for key, row in targets.items():
            for difference in row["queries_differed"][:1]:
                changes = [f"+ {sql[:90]}" for sql in difference["extra"]] + \
                          [f"- {sql[:90]}" for sql in difference["missing"]]
                log(f"  {LABELS[key]}: {len(row['queries_differed'])} render(s) made another number of "
                    f"queries than the first ({difference['queries']} in round {difference['round']}): "
                    + "; ".join(changes[:3]))
        log("")
        print_targets([
            (f"dashboard queries (?period={args.period}, usual)", f"{dashboard['queries']}",
             f"<= {TARGET_QUERIES}", queries_ok),
            ("dashboard median render", f"{dashboard['median_s'] * 1000:.0f} ms",
             f"< {TARGET_MEDIAN_S:.0f} s", median_ok),
            ("dashboard p95 render", f"{dashboard['p95_s'] * 1000:.0f} ms", "-", None),
            ("dashboard x page explorer", f"{dashboard['ratio_to_explorer']:.2f}x", "-", None),
            ("admin home queries (insights panel)", f"{home['queries']}", "-", None),
            ("admin home median render", f"{home['median_s'] * 1000:.0f} ms", "-", None),
            ("admin home x page explorer", f"{home['ratio_to_explorer']:.2f}x", "-", None),
        ])
        log("")
        log(f"Sections present on the dashboard: {', '.join(measured['sections_present']) or 'none'}; "
            f"insights panel on the admin home: {'yes' if measured['summary_panel'] else 'NO'}")
        log(f"Each receiver alone (period {args.period} days; queries also for 7 and 365 days, "
            "which hold less and more of the data; ms = median wall time, SQL ms = its queries' time):")
        print_sections(sections, args.period)
        render_ms = dashboard["median_s"] * 1000
        receivers_ms = sum(row["wall_ms"] or 0 for row in sections
                           if row["kind"] in ("dashboard", "page activity"))
        log(f"  the dashboard's receivers alone take {receivers_ms:.0f} ms together, its median render "
            f"{render_ms:.0f} ms: the rest is drawing the charts, the template and the admin around them")
        if args.quick:
            log("  (quick run: this small a community only shows the benchmark works; judge the time on "
                "a full run)")
        for problem in problems:
            log(f"ERROR: {problem}")

        elapsed = round(time.perf_counter() - started, 1)
        record = {
            **run_record(started_at, elapsed, args.quick, load_before,
                         versions("Django", "wagtail", "psycopg", "django-comments-xtd")),
            "database": {"server_version": database.server_version(), "how": database.how,
                         "size_mb": database.size_mb()},
            "sizes": {"members": args.members, "deliveries": args.deliveries, "comments": args.comments},
            "rounds": measured["rounds"], "budget_s": args.budget, "period_days": args.period,
            "seed": seeded,
            "baseline": {"screen": "explorer", "path": targets["explorer"]["path"], "median_s": baseline},
            "targets": {
                "dashboard_queries": {"rule": f"dashboard queries <= {TARGET_QUERIES}",
                                      "value": dashboard["queries"], "pass": queries_ok},
                "dashboard_median": {"rule": f"dashboard median render < {TARGET_MEDIAN_S} s",
                                     "value": round(dashboard["median_s"], 4), "pass": median_ok},
            },
            "screens": targets,
            "sections_present": measured["sections_present"],
            "summary_panel": measured["summary_panel"],
            "receivers": sections,
            "counts": measured["counts"],
            "problems": problems,
        }
        if not args.no_results:
            write_results(args.results_dir / f"insights-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json",
                          record, elapsed, default=str)
        else:
            log(f"({elapsed}s)")
        return 1 if problems else 0
    except BenchError as exc:
        keep_tmp = True
        return broken(exc, logs=tmp)
    except KeyboardInterrupt:
        return interrupted()
    finally:
        with cleaning_up():
            if collectstatic is not None and collectstatic.poll() is None:
                collectstatic.kill()
                collectstatic.wait()
            release(database, args.keep_db)
            remove_tmp(tmp, keep_tmp, say=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
