#!/usr/bin/env python
"""The raw ceiling of the syndication benchmark: smtplib sending one
pre-built message, over and over, on one connection.

    python bench/syndication/raw.py HOST PORT MESSAGE_FILE FROM TO COUNT

No Django: the bytes were built once by the real email code (steps.py
fanout). Prints ``READY``, waits for a line on stdin, connects, sends
COUNT messages with ``sendmail`` (MAIL, RCPT, DATA: what Django's SMTP
backend does per message), quits, and prints one ``RESULT_JSON`` line.
"""
from __future__ import annotations

import json
import os
import smtplib
import sys
import time


def main() -> int:
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, path, sender, recipient, count = sys.argv[1:]
    with open(path, "rb") as handle:
        data = handle.read()
    print("READY", flush=True)
    if not sys.stdin.readline():
        print("raw: stdin closed before the start signal", file=sys.stderr)
        return 1
    times = os.times()
    cpu_before = times.user + times.system
    started = time.monotonic()
    smtp = smtplib.SMTP(host, int(port))
    for _ in range(int(count)):
        smtp.sendmail(sender, [recipient], data)
    smtp.quit()
    finished = time.monotonic()
    times = os.times()
    print("RESULT_JSON " + json.dumps({
        "pid": os.getpid(), "started": started, "finished": finished, "sent": int(count),
        "cpu_s": round(times.user + times.system - cpu_before, 3),
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
