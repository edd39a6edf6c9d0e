"""An aiosmtpd handler that takes its time over each message, so a send
lasts long enough for a test to kill a worker in the middle of it.

Each message waits ``delay`` seconds (default 0.02) after its data arrived,
then goes to the Maildir and is accepted. Sessions wait side by side, so
two workers sending at once are both slowed, not queued behind each other.

Run as ``python -m aiosmtpd -n -c tests.support.slow_smtp.SlowMailbox <maildir> [delay]``
(``SMTPServer(path, handler=..., handler_args=(delay,))``).
"""
from __future__ import annotations

import asyncio

from aiosmtpd.handlers import Mailbox


class SlowMailbox(Mailbox):
    def __init__(self, mail_dir, delay: float = 0.02):
        super().__init__(mail_dir)
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    @classmethod
    def from_cli(cls, parser, *args):
        if not 1 <= len(args) <= 2:
            parser.error("Usage: SlowMailbox <maildir> [delay in seconds]")
        try:
            delay = float(args[1]) if len(args) > 1 else 0.02
        except ValueError:
            parser.error(f"The delay must be a number of seconds, not {args[1]!r}")
        return cls(args[0], delay)
