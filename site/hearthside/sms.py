"""Sending text messages, the way Django sends mail: one function and a
backend chosen by a setting.

``SMS_BACKEND`` is the dotted path of a backend class:

- ``hearthside.sms.FileBackend`` (the default): each message becomes a file
  in ``SMS_FILE_PATH`` (``var/sms/``), so a fresh checkout needs no provider;
- ``hearthside.sms.ConsoleBackend``: messages are printed to standard output;
- ``hearthside.sms.LocmemBackend``: messages are kept in ``hearthside.sms.outbox``
  (the test settings use it);
- ``hearthside.sms.TwilioBackend``: a real provider, over HTTP: Twilio's
  Messages API (or any service that speaks it, at ``SMS_HTTP_BASE_URL``),
  with ``SMS_ACCOUNT_SID``, ``SMS_AUTH_TOKEN`` and ``SMS_SENDER``.

Plugins that send texts (members' confirmation codes, syndication's updates)
call :func:`send_sms`; a provider backend subclasses :class:`BaseBackend`.
When a text is refused, :class:`SMSError` says whether the number itself is
the problem (``permanent``: invalid, not a mobile, opted out; never retry it)
or the provider is (an outage, a rate limit, bad credentials; try later).
"""
from __future__ import annotations

import json
import logging
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("hearthside.sms")


class SMSError(Exception):
    """A text could not be handed to the provider; the message says why.

    ``permanent`` is True when the number will never take a text (invalid,
    unreachable, opted out), so callers stop retrying and may suppress it;
    False when the provider or its configuration is at fault and a later
    try may succeed.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


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


class TwilioBackend(BaseBackend):
    """Twilio's Messages API: one form POST per text, answered with the
    message's ``sid``.

    Refusals become SMSError: Twilio's error codes for a number that cannot
    take texts are permanent; everything else (bad credentials, rate limits,
    outages, timeouts) is transient, so the number is never blamed for the
    operator's or the provider's problem.
    """

    # https://www.twilio.com/docs/api/errors: the number is the problem.
    PERMANENT_ERRORS = {
        21211: "is not a valid phone number",
        21214: "cannot be reached",
        21217: "does not appear to be a valid phone number",
        21408: "is in a region the account may not send to",
        21610: "has replied STOP and unsubscribed from texts",
        21614: "is not a mobile number",
    }

    def send(self, message: TextMessage) -> str:
        import requests  # only sites that use the provider pay for the import

        account_sid = settings.SMS_ACCOUNT_SID
        auth_token = settings.SMS_AUTH_TOKEN
        if not (account_sid and auth_token and message.sender):
            raise SMSError(
                "SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_SENDER must all be set to send texts through Twilio."
            )
        url = f"{settings.SMS_HTTP_BASE_URL.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        try:
            response = requests.post(
                url,
                data={"To": message.to, "From": message.sender, "Body": message.body},
                auth=(account_sid, auth_token),
                timeout=settings.SMS_HTTP_TIMEOUT,
            )
        except requests.Timeout:
            timeout = settings.SMS_HTTP_TIMEOUT
            raise SMSError(f"The SMS provider did not answer within {timeout:g} seconds.") from None
        except requests.RequestException as error:
            raise SMSError(f"The SMS provider could not be reached: {error}") from None

        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}

        if 200 <= response.status_code < 300:
            if not answer.get("sid"):
                # Accepted is accepted: raising would have the text sent again.
                logger.warning("Twilio accepted a text (HTTP %s) but gave no sid", response.status_code)
                return message.id
            return str(answer["sid"])
        if response.status_code in (401, 403):
            raise SMSError(
                f"The SMS provider refused the credentials (HTTP {response.status_code}): "
                "check SMS_ACCOUNT_SID and SMS_AUTH_TOKEN. Texts will be retried."
            )
        code = answer.get("code")
        reason = str(answer.get("message") or response.reason or "no reason given")[:300]
        if response.status_code == 400 and code in self.PERMANENT_ERRORS:
            raise SMSError(
                f"The number {message.to} {self.PERMANENT_ERRORS[code]} (Twilio error {code}).",
                permanent=True,
            )
        if response.status_code == 429:
            raise SMSError("The SMS provider is limiting the rate of texts (HTTP 429); they will be retried.")
        logger.warning("Twilio refused a text: HTTP %s, code %s: %s", response.status_code, code, reason)
        detail = f", Twilio error {code}" if code else ""
        raise SMSError(f"The SMS provider refused the text (HTTP {response.status_code}{detail}): {reason}")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(to: str, body: str) -> str:
    """Send ``body`` to the number ``to`` (E.164) through SMS_BACKEND; returns
    the provider's message id. Raises SMSError if the provider refused it."""
    return get_backend().send(TextMessage(to=to, body=body, sender=getattr(settings, "SMS_SENDER", "")))
