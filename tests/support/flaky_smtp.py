"""An aiosmtpd handler that a fault test can make unreliable while it runs,
for tests/faults/:

- while the file ``<maildir>/../flaky`` exists, it answers 421 or 451 (half
  each) to a share of MAIL, RCPT and DATA commands (``COMMAND_FAULTS``), and
  drops the connection after a share of the messages it took in
  (``DROPS_AFTER_DATA``): the message is kept, the client never hears so;
- every recipient accepted, message taken in, fault and drop is a line in
  ``<maildir>/../smtp-events.log`` (``time event address``), so the test
  can count drops and tell when each address was handed over.

The choices come from a random generator seeded per process, so a rerun
makes the same kind of trouble, not the same messages.

Run as ``python -m aiosmtpd -n -c tests.support.flaky_smtp.FlakyMailbox <maildir>``.
"""
from __future__ import annotations

import random
import time
from pathlib import Path

from aiosmtpd.handlers import Mailbox

COMMAND_FAULTS = 0.20
DROPS_AFTER_DATA = 0.01
SEED = 8


class FlakyMailbox(Mailbox):
    def __init__(self, mail_dir):
        super().__init__(mail_dir)
        folder = Path(mail_dir).resolve().parent
        self.switch = folder / "flaky"
        self.events = open(folder / "smtp-events.log", "a", buffering=1)
        self.random = random.Random(SEED)

    def log(self, event: str, address: str) -> None:
        self.events.write(f"{time.time():.6f} {event} {address}\n")

    def fault(self, command: str, address: str) -> str | None:
        if not self.switch.exists() or self.random.random() >= COMMAND_FAULTS:
            return None
        code = self.random.choice(("421 4.3.2 Service shutting down", "451 4.3.0 Try again later"))
        self.log(f"{command}-{code[:3]}", address)
        return code

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        refused = self.fault("mail", address)
        if refused:
            return refused
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = self.fault("rcpt", address)
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        self.log("rcpt", address)  # from here on the message is being handed over
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        recipients = ",".join(envelope.rcpt_tos)
        refused = self.fault("data", recipients)
        if refused:
            return refused
        status = await super().handle_DATA(server, session, envelope)
        self.log("delivered", recipients)
        if self.switch.exists() and self.random.random() < DROPS_AFTER_DATA:
            self.log("dropped", recipients)
            server.transport.abort()  # kept, but the client never hears "250"
        return status

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("The directory for the maildir is required")
        return cls(args[0])
