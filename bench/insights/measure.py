#!/usr/bin/env python
"""The Insights benchmark's measurements, in one process with the
production settings run.py sets up, on the database seed.py filled.

    python bench/insights/measure.py --rounds N [--warmup N] [--period 90] [--budget-seconds S]
                                     [--static-path P]

Signed in as the seeded superuser through django.test.Client (requests made
as HTTPS, as production serves them), it renders in turn, round after round:
the page explorer of the first section (the baseline), the admin home (with
the insights panel) and the dashboard, counting each render's queries with
CaptureQueriesContext. Then it calls every receiver of the insights hooks
alone, as the dashboard would, for its queries and time. It prints its
figures as one ``RESULT_JSON {...}`` line.
"""
from __future__ import annotations

import argparse
import collections
import json
import logging
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for path in (REPO_ROOT / "site", REPO_ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from seed import ADMIN_USERNAME, EXPLORER_SECTION  # noqa: E402 - after the import path

# The measured rounds stop once the budget is spent, but never below this many.
MIN_ROUNDS = 3
SLOW_RECEIVER_S = 10.0  # a receiver this slow is not called again for the other periods


class LoggedErrors(logging.Handler):
    """Errors logged while rendering: a receiver that raises, or returns a
    section that cannot be drawn, is logged and left out of the dashboard,
    which still answers 200."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.name}: {record.getMessage()}"[:500])


def result(data: dict) -> None:
    print("RESULT_JSON " + json.dumps(data, default=str), flush=True)


def measure(args) -> None:
    """Render the admin screens with django.test.Client, signed in as a
    superuser: the baseline (the page explorer), the admin home and the
    dashboard, one of each per round so the machine's drift hits them
    alike; then each insights receiver alone."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Site

    from hearthside.models import SectionIndexPage

    logged = LoggedErrors()
    logging.getLogger().addHandler(logged)
    site = Site.objects.get(is_default_site=True)
    explorer = SectionIndexPage.objects.get(slug=EXPLORER_SECTION)
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    client = Client()
    client.force_login(admin)
    targets = {
        "explorer": f"/admin/pages/{explorer.pk}/",
        "home": "/admin/",
        "dashboard": f"/admin/insights/?period={args.period}",
    }
    if args.static_path:
        targets = {"static": args.static_path, **targets}
    samples = {key: [] for key in targets}
    queries = {key: [] for key in targets}
    first = {}
    reference_sql: dict[str, list[str]] = {}
    differences: dict[str, list[dict]] = {key: [] for key in targets}

    def get(key):
        path = targets[key]
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            response = client.get(path, secure=True, HTTP_HOST=site.hostname)
            content = b"".join(response) if response.streaming else response.content
            seconds = time.perf_counter() - begun
        if response.status_code != 200:
            raise SystemExit(f"measure: {path} answered {response.status_code}:\n"
                             f"{content[:1500].decode(errors='replace')}")
        return seconds, [query["sql"] for query in captured.captured_queries], content

    # A screen that takes seconds must not make the run take an hour: the
    # warm-up stops after one slow round, the measured rounds once the
    # budget is spent (at least MIN_ROUNDS of them).
    warmups = measured = 0
    measuring_since = None
    while measured < args.rounds:
        warm = warmups < args.warmup
        round_started = time.perf_counter()
        for key in targets:
            seconds, sql, content = get(key)
            if key not in first:
                first[key] = {"seconds": round(seconds, 4), "queries": len(sql), "bytes": len(content),
                              "html": content.decode(errors="replace")}
            if warm:
                continue
            samples[key].append(seconds)
            queries[key].append(len(sql))
            if key not in reference_sql:
                reference_sql[key] = sql
            elif len(sql) != len(reference_sql[key]) and len(differences[key]) < 5:
                differences[key].append({"round": measured + 1, **query_difference(reference_sql[key], sql)})
        if warm:
            warmups += 1
            if time.perf_counter() - round_started > args.budget_seconds / 10:
                warmups = args.warmup
            continue
        measured += 1
        measuring_since = measuring_since or round_started
        if measured >= MIN_ROUNDS and time.perf_counter() - measuring_since > args.budget_seconds:
            break

    dashboard_html = first["dashboard"]["html"]
    home_html = first["home"]["html"]
    for entry in first.values():
        del entry["html"]
    present = re.findall(r'data-section="([^"]+)"', dashboard_html)
    summary_panel = 'id="insights-summary' in home_html
    figures = {}
    for key in targets:
        ordered = sorted(samples[key])
        figures[key] = {
            "path": targets[key],
            "median_s": statistics.median(ordered),
            "p95_s": percentile(ordered, 95),
            "min_s": ordered[0],
            "max_s": ordered[-1],
            "samples_s": [round(s, 4) for s in samples[key]],
            # The usual count: a cache refilled once a minute (the plugins'
            # activation, for one) adds a query to the odd render, shown
            # apart with the queries that differed.
            "queries": statistics.median_low(queries[key]),
            "queries_min": min(queries[key]),
            "queries_max": max(queries[key]),
            "queries_differed": differences[key],
            "sql": [shorten(sql) for sql in reference_sql.get(key, [])] if key != "static" else [],
            "first": first[key],
        }
    logging.getLogger().removeHandler(logged)
    result({
        "logged_errors": logged.messages,
        "rounds": {"warmup": warmups, "measured": measured, "stopped_by_budget": measured < args.rounds},
        "targets": figures,
        "sections_present": present,
        "summary_panel": summary_panel,
        "receivers": receivers_alone(site, args),
        "counts": data_counts(site),
    })


CURSOR_NAME = re.compile(r'"_django_curs_[0-9]+_[a-z]+_[0-9]+"')


def shorten(sql: str) -> str:
    return CURSOR_NAME.sub('"cursor"', sql)[:200]


def query_difference(reference: list[str], other: list[str]) -> dict:
    """The queries one render made beyond (or short of) the reference
    render's, compared by their opening words."""
    before = collections.Counter(shorten(sql)[:120] for sql in reference)
    after = collections.Counter(shorten(sql)[:120] for sql in other)
    return {"queries": len(other), "extra": sorted((after - before).elements()),
            "missing": sorted((before - after).elements())}


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def receivers_alone(site, args) -> list[dict]:
    """Each receiver of the insights hooks called on its own, the way the
    dashboard calls it: its queries, its SQL time and its wall time (median
    of a few calls), and whether its shape passes ``charts.section_from``.
    Also for a 7- and a 365-day period: a count that changes with the
    period's length grows with the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plugins.insights import charts, dashboard, hooks
    from plugins.insights.period import Period

    found = []
    calls = []
    for receiver in hooks.insights_sections.receivers_for(site):
        for summary in (False, True):
            calls.append(("insights_sections", receiver, {"summary": summary}))
    for receiver in hooks.page_activity.receivers_for(site):
        calls.append(("page_activity", receiver, {"limit": dashboard.PAGES_LISTED}))
    for hook_name, receiver, options in calls:
        entry = {"hook": hook_name, "receiver": receiver.name, "plugin": receiver.plugin, **options}
        by_period = {}
        for days in (args.period, 7, 365):
            period = Period.last(days)
            argument = period.as_hook_argument()
            walls, sql_times, counts, slowest = [], [], [], None
            error = None
            repeats = args.receiver_repeats if days == args.period else 1
            if days != args.period and by_period.get(args.period, {}).get("wall_s", 0) > SLOW_RECEIVER_S:
                by_period[days] = {"skipped": f"the {args.period}-day call took over {SLOW_RECEIVER_S:.0f} s"}
                continue
            while len(walls) < repeats:
                with CaptureQueriesContext(connection) as captured:
                    begun = time.perf_counter()
                    try:
                        data = receiver.function(site=site, period=argument, **options)
                    except Exception as exc:  # noqa: BLE001 - reported, and fails the run
                        error = f"{type(exc).__name__}: {exc}"
                        break
                    walls.append(time.perf_counter() - begun)
                if walls[-1] > 1:
                    repeats = 1  # slow enough that one call says it
                counts.append(len(captured.captured_queries))
                sql_times.append(sum(float(q.get("time") or 0) for q in captured.captured_queries))
                slowest = max(captured.captured_queries, key=lambda query: float(query.get("time") or 0),
                              default=None)
            if error:
                by_period[days] = {"error": error}
                break
            shape = None
            if hook_name == "insights_sections" and data is not None:
                try:
                    drawn = charts.section_from(data, period)
                    entry.setdefault("key", drawn.key)
                except charts.ShapeError as exc:
                    shape = str(exc)
            elif hook_name == "page_activity" and data:
                entry.setdefault("key", data.get("key"))
            by_period[days] = {
                "queries": max(counts), "wall_s": statistics.median(walls),
                "sql_s": statistics.median(sql_times),
                "returned": data is not None, "shape_error": shape,
                "slowest_sql": ({"time_s": float(slowest.get("time") or 0), "sql": slowest["sql"][:2000]}
                                if slowest and days == args.period else None),
            }
        entry["periods"] = by_period
        found.append(entry)
    return found


def data_counts(site) -> dict:
    """What the dashboard summarises, counted directly (a check that the
    seeded database is the one measured)."""
    from plugins.comments.models import PageComment
    from plugins.members.models import Member
    from plugins.polls.models import Vote
    from plugins.syndication.models import Delivery

    return {
        "members": Member.objects.filter(site=site).count(),
        "deliveries": Delivery.objects.filter(update__site=site).count(),
        "comments": PageComment.objects.filter(wagtail_site=site).count(),
        "votes": Vote.objects.filter(poll__site=site).count(),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--period", type=int, default=90)
    parser.add_argument("--receiver-repeats", type=int, default=3)
    parser.add_argument("--budget-seconds", type=float, default=180)
    parser.add_argument("--static-path", default="")
    args = parser.parse_args(argv)
    import django

    django.setup()
    measure(args)


if __name__ == "__main__":
    main()
