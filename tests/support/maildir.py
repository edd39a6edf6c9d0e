"""Reading what a test SMTP server (tests/support/smtp.py) has delivered to
its Maildir while the sending is still going on."""
from __future__ import annotations

import os
from collections import Counter
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path


class Arrivals:
    """The messages in a Maildir so far, read as they arrive (each file's
    headers once), quick enough to watch a send as it happens."""

    def __init__(self, mail_dir: Path):
        self.new = Path(mail_dir) / "new"
        # file name -> (recipient address, subject)
        self.seen: dict[str, tuple[str, str]] = {}

    def refresh(self) -> None:
        for name in os.listdir(self.new):
            if name not in self.seen:
                with open(self.new / name, "rb") as message:
                    headers = BytesHeaderParser().parse(message)
                subject = str(make_header(decode_header(headers.get("Subject", ""))))
                self.seen[name] = (parseaddr(headers["To"])[1], subject)

    def counts(self, subject: str | None = None) -> Counter:
        """Messages per recipient address (only those with ``subject``, if given)."""
        self.refresh()
        return Counter(to for to, about in self.seen.values() if subject is None or about == subject)

    def addresses(self, subject: str | None = None) -> set[str]:
        return set(self.counts(subject))
