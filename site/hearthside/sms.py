"""Sending text messages, the way Django sends mail: one function and a
backend chosen by a setting.

``SMS_BACKEND`` is the dotted path of a backend class:

- ``hearthside.sms.FileBackend`` (the default): each message becomes a file
  in ``SMS_FILE_PATH`` (``var/sms/``), so a fresh checkout needs no provider;
- ``hearthside.sms.ConsoleBackend``: messages are printed to standard output;
- ``hearthside.sms.LocmemBackend``: messages are kept in ``hearthside.sms.outbox``
  (the test settings use it).

Plugins that send texts (members' confirmation codes, syndication's updates)
call :func:`send_sms`; a provider backend subclasses :class:`BaseBackend`.
"""
from __future__ import annotations

import json
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SMSError(Exception):
    """A text could not be handed to the provider; the message says why."""


@dataclass
class TextMessage:
    to: str  # E.164, e.g. "+441174960742"
    body: str
    sender: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class BaseBackend:
    def send(self, message: TextMessage) -> str:
        """Hand ``message`` over; return the provider's id for it. Raise
        SMSError if it was not accepted."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: TextMessage) -> str:
        sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return message.id


class FileBackend(BaseBackend):
    """One JSON file per message in ``SMS_FILE_PATH``, named so they sort by time."""

    def send(self, message: TextMessage) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        record = {**asdict(message), "sent_at": timezone.now().isoformat()}
        (folder / f"{stamp}-{message.id}.json").write_text(json.dumps(record, ensure_ascii=False))
        return message.id


outbox: list[TextMessage] = []
_outbox_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    def send(self, message: TextMessage) -> str:
        with _outbox_lock:
            outbox.append(message)
        return message.id


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(to: str, body: str) -> str:
    """Send ``body`` to the number ``to`` (E.164) through SMS_BACKEND; returns
    the provider's message id. Raises SMSError if the provider refused it."""
    return get_backend().send(TextMessage(to=to, body=body, sender=getattr(settings, "SMS_SENDER", "")))
