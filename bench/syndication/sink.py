#!/usr/bin/env python
"""An SMTP sink for the syndication benchmark: accepts every message,
keeps nothing, counts them.

    python bench/syndication/sink.py SMTP_PORT CONTROL_PORT

aiosmtpd serves SMTP on 127.0.0.1:SMTP_PORT in this process's own event
loop (no Controller thread: one loop, one core, as a small mail relay would
be). A control port on 127.0.0.1:CONTROL_PORT answers one line per
connection:

- ``COUNT``: ``{"messages": n, "recipients": n, "bytes": n, "cpu_s": s}``,
  since the start or the last reset (``cpu_s``: the sink's own CPU time);
- ``RESET``: the same figures, then starts them again from zero.

On SIGTERM or SIGINT it prints the final figures as one JSON line on
stdout and exits. It prints ``SINK_READY`` once both ports listen.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class CountingHandler:
    def __init__(self):
        self.messages = 0
        self.recipients = 0
        self.bytes = 0
        self.cpu_at_reset = 0.0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        self.bytes += len(envelope.original_content or envelope.content or b"")
        return "250 OK"

    def figures(self) -> dict:
        return {"messages": self.messages, "recipients": self.recipients, "bytes": self.bytes,
                "cpu_s": round(cpu_seconds() - self.cpu_at_reset, 3)}

    def reset(self) -> None:
        self.messages = self.recipients = self.bytes = 0
        self.cpu_at_reset = cpu_seconds()


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def serve(smtp_port: int, control_port: int) -> None:
    loop = asyncio.get_running_loop()
    handler = CountingHandler()
    # hostname/ident given: aiosmtpd would otherwise ask for the FQDN, which can be slow.
    smtp = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.localhost", ident="hearthside-bench-sink", loop=loop),
        "127.0.0.1", smtp_port,
    )

    async def control(reader, writer):
        command = (await reader.readline()).decode().strip().upper()
        figures = handler.figures()
        if command == "RESET":
            handler.reset()
        elif command != "COUNT":
            figures = {"error": f"unknown command {command!r}: COUNT or RESET"}
        writer.write((json.dumps(figures) + "\n").encode())
        await writer.drain()
        writer.close()

    controller = await asyncio.start_server(control, "127.0.0.1", control_port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print("SINK_READY", flush=True)
    await stop.wait()
    smtp.close()
    controller.close()
    print(json.dumps(handler.figures()), flush=True)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
