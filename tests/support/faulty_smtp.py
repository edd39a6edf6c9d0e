"""An aiosmtpd handler that fails on purpose, chosen by the recipient's
local part, for the outbox's fault tests:

- ``tempfail-…``: 451 the first time each address is tried, then accepted;
- ``greylist-…``: 451 the first three times (more than one send tries at
  once, so the row waits for its backoff), then accepted;
- ``closing-…``: 421 (closing the channel) the first time each address is tried;
- ``alwaystemp-…``: 451 every time;
- ``bounce-…``: 550 5.1.1 (no such user: a hard bounce);
- ``reject-…``: 554 5.7.1 (refused by policy: a permanent failure);
- anything else is delivered to the Maildir like the plain server.

Run as ``python -m aiosmtpd -n -c tests.support.faulty_smtp.FaultyMailbox <maildir>``.
"""
from __future__ import annotations

from aiosmtpd.handlers import Mailbox


class FaultyMailbox(Mailbox):
    def __init__(self, mail_dir):
        super().__init__(mail_dir)
        self.tried: set[str] = set()
        self.tries: dict[str, int] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("tempfail-") and address not in self.tried:
            self.tried.add(address)
            return "451 4.3.0 Please try again later"
        if local.startswith("closing-") and address not in self.tried:
            self.tried.add(address)
            return "421 4.3.2 Service shutting down"
        if local.startswith("greylist-"):
            self.tries[address] = self.tries.get(address, 0) + 1
            if self.tries[address] <= 3:
                return "451 4.7.1 Greylisted, try again later"
        if local.startswith("alwaystemp-"):
            return "451 4.3.0 Please try again later"
        if local.startswith("bounce-"):
            return "550 5.1.1 No such user here"
        if local.startswith("reject-"):
            return "554 5.7.1 Message refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) < 1:
            parser.error("The directory for the maildir is required")
        return cls(args[0])
