"""W5's comment flood: visitors' comment POSTs at a steady rate, each from
the form the article page serves, as a browser would send it.

Run by run.py as a subprocess while wrk measures the article:

    python bench/pages/flood.py --port P --page PATH --rate 50 --seconds 60 --out OUT.json

It reads the article's comment form once (its action, hidden fields and
their security hash, as the page rendered them), then sends rate × seconds
POSTs on a fixed schedule (request i is due at start + i / rate) from a
pool of threads, each a new visitor (name, address and text of its own).
A POST that cannot start on time starts late, and the lag is reported: a
flood that falls behind is not the flood asked for. Writes the answers'
status counts ("303 sent" for an accepted post), the POSTs' latency
percentiles, the achieved rate and the worst lag as JSON.
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

POST_PATH_MARK = "/comments/post/"
# An accepted post answers 303 to the page's "check your email" notice.
SENT_PATH_MARK = "/comments/sent/"


class CommentFormParser(HTMLParser):
    """The action and the fields (name → value) of the page's comment form."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and POST_PATH_MARK in (values.get("action") or "") and self.action is None:
            self.action = values["action"]
            self._inside = True
        elif self._inside and tag in ("input", "textarea") and values.get("name"):
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                return
            self.fields.setdefault(values["name"], values.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def read_form(port: int, page: str) -> tuple[str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", page)
        response = conn.getresponse()
        html = response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()
    if response.status != 200:
        raise SystemExit(f"flood: {page} answered {response.status}")
    parser = CommentFormParser()
    parser.feed(html)
    if not parser.action or "comment" not in parser.fields:
        raise SystemExit(f"flood: no comment form (action containing {POST_PATH_MARK}) on {page}")
    return parser.action, parser.fields


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--page", required=True, help="path of the article whose form is used")
    parser.add_argument("--rate", type=float, default=50.0, help="POSTs per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=16,
                        help="senders: enough that a slow answer does not hold the schedule up")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    action, form = read_form(args.port, args.page)
    total = int(args.rate * args.seconds)
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lags: list[float] = []
    lock = threading.Lock()
    next_index = 0
    started = time.monotonic() + 0.2

    def send(index: int) -> None:
        fields = {**form, "name": f"Flood visitor {index}", "email": f"flood{index}@example.com",
                  "comment": f"Comment {index} of the flood: <b>bold</b> & *markdown*, twice as good."}
        body = urlencode(fields)
        began = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            conn.request("POST", action, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1{args.page}"})
            response = conn.getresponse()
            response.read()
            status = str(response.status)
            if response.status == 303 and SENT_PATH_MARK in (response.getheader("Location") or ""):
                status = "303 sent"
            conn.close()
        except OSError as exc:
            status = f"error: {type(exc).__name__}"
        with lock:
            statuses[status] += 1
            latencies.append(time.monotonic() - began)

    def sender() -> None:
        nonlocal next_index
        while True:
            with lock:
                index = next_index
                next_index += 1
            if index >= total:
                return
            due = started + index / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with lock:
                lags.append(max(0.0, -wait))
            send(index)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server_errors = sum(count for status, count in statuses.items() if status.startswith("5"))
    result = {
        "action": action,
        "asked": {"rate": args.rate, "seconds": args.seconds, "posts": total},
        "sent": sum(statuses.values()),
        "achieved_rate": round(sum(statuses.values()) / elapsed, 2) if elapsed > 0 else 0,
        "statuses": dict(sorted(statuses.items())),
        "server_errors": server_errors,
        "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 2),
                       "p95": round(percentile(latencies, 95) * 1000, 2),
                       "max": round(max(latencies, default=0) * 1000, 2)},
        "lag_ms": {"p95": round(percentile(lags, 95) * 1000, 2), "max": round(max(lags, default=0) * 1000, 2)},
    }
    args.out.write_text(json.dumps(result, indent=2))
    print("FLOOD_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
