"""A real SMTP server in its own process (aiosmtpd) delivering to a Maildir,
so tests see mail exactly as it left Django over the wire."""
from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from email.message import Message
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self, mail_dir: Path, handler: str = "aiosmtpd.handlers.Mailbox", handler_args: tuple = ()):
        self.mail_dir = mail_dir
        self.handler = handler
        # Given to the handler's from_cli after the Maildir (e.g. slow_smtp's delay).
        self.handler_args = tuple(str(arg) for arg in handler_args)
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 15.0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "aiosmtpd", "-n",
                "-l", f"127.0.0.1:{self.port}",
                "-c", self.handler, str(self.mail_dir), *self.handler_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aiosmtpd exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"aiosmtpd did not listen on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def messages(self) -> list[Message]:
        """Every message delivered so far, oldest first."""
        box = mailbox.Maildir(self.mail_dir, create=False)
        return sorted(box, key=lambda message: message.get("Date", ""))

    def clear(self) -> None:
        mailbox.Maildir(self.mail_dir, create=False).clear()
