"""How each channel's messages are handed over: email by SMTP (or any
Django mail backend), text messages through ``hearthside.sms``, webhooks
as signed JSON POSTs, and the member's private feed, which needs no
hand-off at all.

A sender turns one delivery into an :class:`Outcome`. It never raises for
a message it could not send: it says whether to retry (transient), give
up (permanent) or stop the whole batch (the server itself is down, so no
delivery is charged an attempt).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from hearthside.sms import SMSError, send_sms

from . import hooks
from .emails import smtp_bytes

SENT, RETRY, FAILED, BOUNCED, OUTAGE = "sent", "retry", "failed", "bounced", "outage"
# Tries of one email at once, the first included, when the server refuses it
# for now (4xx) or hangs up: most such refusals pass within a second.
TRANSIENT_TRIES = 3


@dataclass(frozen=True)
class Outcome:
    result: str
    message_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class Item:
    """What a sender needs for one message: the content it is about (an
    update's or a digest's, rendered once), and the recipient's contact."""

    content: object
    contact: dict
    update_id: int | None = None
    member_id: int | None = None


class Sender:
    """Hands one channel's messages over. ``open`` and ``close`` bracket a
    worker's run, so connections are reused across batches."""

    channel = ""
    # Whether the address comes from the contact's "email", "phone" or "webhook_url".
    address_key = "email"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(self, item: Item) -> Outcome:
        raise NotImplementedError


def _smtp_outcome(code: int, text) -> Outcome:
    error = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"[:500]
    if 500 <= code < 600:
        # 5.1.x is the address itself (unknown user, bad domain): a hard bounce.
        return Outcome(BOUNCED if error[4:7] == "5.1" or code in (550, 551, 553) else FAILED, error=error)
    return Outcome(RETRY, error=error)


class EmailSender(Sender):
    channel = "email"

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        if self.connection is None:
            self.connection = get_connection()
        try:
            self.connection.open()
        except (OSError, smtplib.SMTPException):
            pass  # the first send reports the outage, and the batch waits

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                pass
        self.connection = None

    def _smtp(self) -> smtplib.SMTP | None:
        if not isinstance(self.connection, SMTPBackend):
            return None
        if self.connection.connection is None:
            self.connection.open()
        return self.connection.connection

    def send(self, item: Item) -> Outcome:
        """Send ``item``; a transient refusal (4xx) or a hang-up is tried
        again at once, on a new connection after a hang-up, up to
        TRANSIENT_TRIES times in all before the row waits for its backoff.
        OUTAGE only when no connection can be made: then the batch waits."""
        for _ in range(TRANSIENT_TRIES):
            outcome = self._send_once(item)
            if outcome.result != RETRY:
                return outcome
        return outcome

    def _send_once(self, item: Item) -> Outcome:
        try:
            if self.connection is None:
                self.open()
            smtp = self._smtp()
        except (OSError, smtplib.SMTPException) as error:  # a hang-up at the greeting too
            self.close()
            return Outcome(OUTAGE, error=f"Cannot reach the mail server: {error}"[:500])
        try:
            # The fast path: the update's message bytes with this member's parts filled in.
            wire = getattr(item.content, "wire", None) if smtp is not None else None
            filled = wire(item.contact, item) if wire is not None else None
            if filled is not None:
                data, message_id, envelope_from = filled
                smtp.sendmail(envelope_from, [item.contact["email"]], data)
                return Outcome(SENT, message_id)
            message = item.content.message(item.contact, item)
            message_id = message.extra_headers["Message-ID"]
            if smtp is None:  # locmem, file or console mail: Django's backend hands it over
                message.connection = self.connection
                sent = self.connection.send_messages([message])
                # An email provider's API (django-anymail) names the message its own way; bounces use that name.
                status = getattr(message, "anymail_status", None)
                provider_id = getattr(status, "message_id", None)
                if isinstance(provider_id, str) and provider_id:
                    message_id = provider_id
                return Outcome(SENT, message_id) if sent else Outcome(RETRY, error="The mail backend took nothing.")
            smtp.sendmail(message.from_email, message.recipients(), smtp_bytes(message))
            return Outcome(SENT, message_id)
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            return self._refused(code, text)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            return self._refused(error.smtp_code, error.smtp_error)
        except smtplib.SMTPServerDisconnected as error:
            # Whether a message cut off after its data arrived is unknown; it is sent again.
            self.close()
            return Outcome(RETRY, error=f"The mail server hung up: {error}"[:500])
        except smtplib.SMTPResponseException as error:
            return self._refused(error.smtp_code, error.smtp_error)
        except (OSError, socket.timeout, smtplib.SMTPException) as error:
            self.close()
            return Outcome(OUTAGE, error=f"Cannot reach the mail server: {error}"[:500])

    def _refused(self, code: int, text) -> Outcome:
        if code == 421:  # "closing the channel": smtplib has closed it; the next try connects again
            self.close()
        return _smtp_outcome(code, text)


def sms_text(update_title: str, url: str, business: str) -> str:
    """A text of at most 160 characters: the title, the link, who it is from."""
    tail = f" {url} – {business}"
    return Truncator(update_title).chars(max(20, 160 - len(tail))) + tail


class SMSSender(Sender):
    channel = "sms"
    address_key = "phone"

    def send(self, item: Item) -> Outcome:
        try:
            message_id = send_sms(item.contact["phone"], item.content.sms_text)
        except SMSError as error:
            return Outcome(FAILED if getattr(error, "permanent", False) else RETRY, error=str(error)[:500])
        except Exception as error:  # a provider backend's own bug or outage: retry, never lose the row
            return Outcome(RETRY, error=f"The text message provider failed: {error}"[:500])
        return Outcome(SENT, str(message_id or "")[:255])


def webhook_signature(body: bytes, timestamp: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` with the webhook secret."""
    secret = settings.SYNDICATION_WEBHOOK_SECRET or salted_hmac("hearthside.syndication.webhook", "v1").hexdigest()
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_url_problem(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"The webhook address “{Truncator(url or '').chars(80)}” is not a valid http(s) URL."
    return ""


class WebhookSender(Sender):
    channel = "webhook"
    address_key = "webhook_url"

    def open(self) -> None:
        self.session = requests.Session()

    def close(self) -> None:
        session = getattr(self, "session", None)
        if session is not None:
            session.close()

    def send(self, item: Item) -> Outcome:
        url = item.contact.get("webhook_url", "")
        problem = webhook_url_problem(url)
        if problem:
            return Outcome(FAILED, error=problem)
        body = json.dumps(item.content.webhook_payload, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Hearthside-Webhook/1",
            "X-Hearthside-Timestamp": timestamp,
            "X-Hearthside-Signature": webhook_signature(body, timestamp),
        }
        session = getattr(self, "session", None) or requests
        try:
            response = session.post(
                url, data=body, headers=headers, timeout=settings.SYNDICATION_WEBHOOK_TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as error:
            return Outcome(RETRY, error=f"The webhook could not be reached: {error}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(SENT, response.headers.get("X-Request-Id", "")[:255])
        error = f"The webhook answered {response.status_code}."
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            return Outcome(RETRY, error=error)
        return Outcome(FAILED, error=error)


class FeedSender(Sender):
    """The private feed shows the update as soon as it exists: nothing to hand over."""

    channel = "rss"
    address_key = ""

    def send(self, item: Item) -> Outcome:
        return Outcome(SENT)


def senders_for(site) -> dict[str, Sender]:
    """Channel key -> a fresh Sender, for the channels syndication can send on ``site``."""
    builtin = {"email": EmailSender(), "sms": SMSSender(), "webhook": WebhookSender(), "rss": FeedSender()}
    return hooks.delivery_channels.apply(site, builtin)
