"""Text messages, webhooks and the private feed: each update goes out on
every channel a member chose, and each channel's failures are handled as
that channel needs."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from hearthside import sms
from plugins.syndication import fanout, outbox
from plugins.syndication.channels import sms_text
from plugins.syndication.models import Delivery, DeliveryStatus, Update
from tests.factories import make_article


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that records what is POSTed and
    answers with the status codes it is told, in turn."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def article(journal):
    return make_article(journal, title="Autumn menu is here")


def start(site, page, sequence=2):
    update = Update.objects.create(site=site, page=page, title=page.title, sequence=sequence)
    fanout.fan_out(update.pk)
    return update


def test_a_text_message_is_short_and_links_to_the_page(site, article, directory, sms_outbox):
    directory.add(1, phone="+447700900123", channels={"sms": "immediate"})
    update = start(site, article)
    outbox.run()
    assert len(sms_outbox) == 1
    text = sms_outbox[0]
    assert text.to == "+447700900123"
    assert text.body.startswith("Autumn menu is here") and article.full_url in text.body
    assert len(text.body) <= 160
    assert Delivery.objects.get(update=update).status == DeliveryStatus.SENT


def test_a_long_title_is_cut_to_fit_one_text():
    text = sms_text("A very long title " * 20, "https://example.com/autumn-menu/", "Copper Kettle")
    assert len(text) <= 160 and text.endswith("https://example.com/autumn-menu/ – Copper Kettle")


class RefusingBackend(sms.BaseBackend):
    """A provider that refuses: an invalid number is permanent, anything else is not."""

    def send(self, message):
        permanent = message.to.endswith("000")
        error = sms.SMSError("The number is not a mobile number." if permanent else "Provider timed out.")
        error.permanent = permanent
        raise error


def test_a_provider_error_retries_and_an_invalid_number_fails_and_is_suppressed(
    site, article, directory, settings
):
    settings.SMS_BACKEND = f"{__name__}.RefusingBackend"
    settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING = 1
    directory.add(1, phone="+447700900000", channels={"sms": "immediate"})
    directory.add(2, phone="+447700900123", channels={"sms": "immediate"})
    update = start(site, article)
    outbox.run()
    rows = {row.member_id: row for row in Delivery.objects.filter(update=update)}
    assert (rows[1].status, rows[1].error) == (DeliveryStatus.FAILED, "The number is not a mobile number.")
    assert (rows[2].status, rows[2].error) == (DeliveryStatus.QUEUED, "Provider timed out.")
    assert directory.undeliverable == [
        {"channel": "sms", "address": "+447700900000", "member_id": 1, "reason": "failed"}
    ]


def test_a_webhook_gets_signed_json_that_verifies_with_the_secret(
    site, article, directory, webhook_receiver, settings
):
    settings.SYNDICATION_WEBHOOK_SECRET = "shared-secret"
    directory.add(1, webhook_url=webhook_receiver.url, channels={"webhook": "immediate"})
    update = start(site, article)
    outbox.run()

    [request] = webhook_receiver.requests
    payload = json.loads(request["body"])
    assert payload["type"] == "update" and payload["title"] == "Autumn menu is here"
    assert payload["url"] == article.full_url and payload["update_id"] == update.pk
    signed = request["headers"]["X-Hearthside-Timestamp"].encode() + b"." + request["body"]
    expected = hmac.new(b"shared-secret", signed, hashlib.sha256).hexdigest()
    assert request["headers"]["X-Hearthside-Signature"] == f"sha256={expected}"
    assert Delivery.objects.get(update=update).status == DeliveryStatus.SENT


def test_a_webhook_5xx_is_retried_and_a_4xx_fails(site, article, directory, webhook_receiver):
    directory.add(1, webhook_url=webhook_receiver.url, channels={"webhook": "immediate"})
    directory.add(2, webhook_url=webhook_receiver.url + "?gone", channels={"webhook": "immediate"})
    webhook_receiver.statuses = [503, 410]
    update = start(site, article)
    outbox.run()
    rows = {row.member_id: row for row in Delivery.objects.filter(update=update)}
    assert (rows[1].status, rows[1].error) == (DeliveryStatus.QUEUED, "The webhook answered 503.")
    assert (rows[2].status, rows[2].error) == (DeliveryStatus.FAILED, "The webhook answered 410.")


def test_a_malformed_webhook_url_fails_with_a_clear_message_and_sends_nothing(site, article, directory):
    directory.add(1, webhook_url="ftp://files.example.com/in", channels={"webhook": "immediate"})
    update = start(site, article)
    outbox.run()
    row = Delivery.objects.get(update=update)
    assert row.status == DeliveryStatus.FAILED
    assert row.error == "The webhook address “ftp://files.example.com/in” is not a valid http(s) URL."


def test_the_private_feed_channel_needs_no_hand_off(site, article, directory):
    directory.add(1, channels={"rss": "immediate", "email": "immediate"})
    update = start(site, article)
    outbox.run()
    assert dict(Delivery.objects.filter(update=update).values_list("channel", "status")) == {
        "rss": DeliveryStatus.SENT,
        "email": DeliveryStatus.SENT,
    }
